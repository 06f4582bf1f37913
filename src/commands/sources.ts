import { join, resolve } from 'node:path';
import { APP_COMPOSE_FILE_NAME, COMPOSE_FILE_NAMES, isDir } from '../compose/discover.js';
import type { Project } from '../compose/project.js';

/**
 * Every file a loaded project was read from (compose files, `extends` files, app-compose.json, env
 * files, `.preflight.yml`), as absolute paths: what a report written by the same run must never
 * replace.
 */
export function projectInputs(projects: readonly Project[], cwd = process.cwd()): string[] {
  const out = new Set<string>();
  for (const p of projects) {
    for (const file of p.sources.keys()) if (!file.includes('#')) out.add(resolve(cwd, file));
    for (const file of p.envFiles) out.add(resolve(cwd, file));
    if (p.config.file) out.add(resolve(cwd, p.config.file));
  }
  return [...out];
}

/**
 * The files a command will read for path arguments, before it has loaded anything (a drill checks
 * its `--output` before it runs): a file itself, or a directory's compose files, app-compose.json,
 * `.env` and `.preflight.yml`.
 */
export function argumentInputs(paths: readonly (string | undefined)[], cwd = process.cwd()): string[] {
  const out: string[] = [];
  for (const p of paths) {
    if (!p) continue;
    const abs = resolve(cwd, p);
    if (!isDir(abs)) {
      out.push(abs);
      continue;
    }
    for (const name of [...COMPOSE_FILE_NAMES, APP_COMPOSE_FILE_NAME, '.env', '.preflight.yml', '.preflight.yaml'])
      out.push(join(abs, name), join(abs, name.replace(/\.(ya?ml)$/, '.override.$1')));
  }
  return out;
}
