import { readdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';

/** The file names `docker compose` looks for, in its order of preference. */
export const COMPOSE_FILE_NAMES = ['compose.yaml', 'compose.yml', 'docker-compose.yaml', 'docker-compose.yml'];
export const APP_COMPOSE_FILE_NAME = 'app-compose.json';

export interface DiscoveredProject {
  dir: string;
  /** Compose files in merge order (base, then its override), or one app-compose.json. */
  files: string[];
  kind: 'compose' | 'app-compose';
}

/** The compose project in one directory: the first base file found and its `.override.` twin. */
export function discoverInDir(dir: string): DiscoveredProject | undefined {
  for (const name of COMPOSE_FILE_NAMES) {
    const base = join(dir, name);
    if (!isFile(base)) continue;
    const override = join(dir, name.replace(/\.(ya?ml)$/, '.override.$1'));
    return { dir, files: isFile(override) ? [base, override] : [base], kind: 'compose' };
  }
  const manifest = join(dir, APP_COMPOSE_FILE_NAME);
  if (isFile(manifest)) return { dir, files: [manifest], kind: 'app-compose' };
  return undefined;
}

const SKIP_DIRS = new Set(['node_modules', '.git', '.hg', '.svn', 'dist', '.preflight-drills']);

/** Every compose project below `root` (each directory with a compose file is one project). */
export function discoverRecursive(root: string): DiscoveredProject[] {
  const found: DiscoveredProject[] = [];
  const walk = (dir: string) => {
    const here = discoverInDir(dir);
    if (here) found.push(here);
    let entries: string[];
    try {
      entries = readdirSync(dir).sort();
    } catch {
      return;
    }
    for (const name of entries) {
      if (SKIP_DIRS.has(name) || name.startsWith('.')) continue;
      const p = join(dir, name);
      if (isDir(p)) walk(p);
    }
  };
  walk(root);
  return found;
}

export function isAppComposeFile(file: string): boolean {
  return basename(file).endsWith('.json');
}

export function isFile(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

export function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}
