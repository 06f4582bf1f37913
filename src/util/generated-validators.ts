import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ValidateFunction } from 'ajv';

/** The ajv standalone validators scripts/build-schema-validator.mjs compiles into generated/. */
export type GeneratedValidator = 'compose-validator' | 'preflight-config-validator';

const packageRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const require = createRequire(import.meta.url);

/**
 * A validator compiled at build time, or undefined when generated/ was not built (the callers then
 * compile the schema themselves). The CLI bundle replaces this module with one that bundles both
 * validators (scripts/bundle-cli.mjs), so the launcher's code cache covers them too.
 */
export function generatedValidator(name: GeneratedValidator): ValidateFunction | undefined {
  const file = join(packageRoot, 'generated', `${name}.cjs`);
  if (!existsSync(file)) return undefined;
  const mod = require(file);
  return (mod.default ?? mod) as ValidateFunction;
}
