import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import { diffPaths, type DiffResult } from '../../src/diff/index.js';
import type { Finding } from '../../src/findings/types.js';

const roots: string[] = [];
after(() => {
  for (const r of roots) rmSync(r, { recursive: true, force: true });
});

export interface Side {
  /** docker-compose.yml text, or an app-compose.json object (its compose given as `compose`). */
  compose?: string;
  manifest?: Record<string, unknown>;
  env?: string;
  config?: string;
}

/** Write OLD and NEW into a temp directory and run the diff from there (file names: old/…, new/…). */
export function diffOf(
  oldSide: Side | string,
  newSide: Side | string,
  opts: { envFile?: string; oldEnvFile?: string } = {},
): DiffResult {
  const root = mkdtempSync(join(tmpdir(), 'pf-diff-'));
  roots.push(root);
  const write = (name: string, s: Side | string): string => {
    const side = typeof s === 'string' ? { compose: s } : s;
    const dir = join(root, name);
    mkdirSync(dir);
    if (side.config) writeFileSync(join(dir, '.preflight.yml'), side.config);
    if (side.env !== undefined) writeFileSync(join(root, `${name}.env`), side.env);
    if (side.manifest) {
      writeFileSync(
        join(dir, 'app-compose.json'),
        JSON.stringify({ ...side.manifest, docker_compose_file: side.compose }, null, 2),
      );
      return `${name}/app-compose.json`;
    }
    writeFileSync(join(dir, 'docker-compose.yml'), side.compose ?? '');
    return name;
  };
  const o = write('old', oldSide);
  const n = write('new', newSide);
  const env = (s: Side | string, name: string) =>
    typeof s !== 'string' && s.env !== undefined ? `${name}.env` : undefined;
  return diffPaths(o, n, {
    cwd: root,
    newEnvFile: opts.envFile ?? env(newSide, 'new'),
    oldEnvFile: opts.oldEnvFile ?? env(oldSide, 'old'),
  });
}

export function ids(r: DiffResult): string[] {
  return r.report.findings.map((f) => f.ruleId);
}

export function only(r: DiffResult, ruleId: string): Finding[] {
  return r.report.findings.filter((f) => f.ruleId === ruleId);
}
