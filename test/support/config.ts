import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { preflightCatalogue } from '../../src/commands/catalogue.js';
import { loadConfig, type PreflightConfig } from '../../src/config/index.js';

/** `.preflight.yml` text loaded as the commands load it (schema, catalogue), named `.preflight.yml`. */
export function configFromText(text: string): PreflightConfig {
  const dir = mkdtempSync(join(tmpdir(), 'preflight-config-'));
  try {
    const path = join(dir, '.preflight.yml');
    writeFileSync(path, text);
    return loadConfig(path, { catalogue: preflightCatalogue(), file: '.preflight.yml' });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
