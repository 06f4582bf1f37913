import { readdirSync, realpathSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/** The file names `docker compose` looks for, in its order of preference. */
export const COMPOSE_FILE_NAMES = ['compose.yaml', 'compose.yml', 'docker-compose.yaml', 'docker-compose.yml'];
export const APP_COMPOSE_FILE_NAME = 'app-compose.json';

export interface DiscoveredProject {
  dir: string;
  /** Compose files in merge order, or one app-compose.json. */
  files: string[];
  kind: 'compose' | 'app-compose';
  /**
   * The `*.override.*` twin of the compose file, when there is one: `merged` when it is in `files`
   * (`--with-override`, or `-f` naming it), else it was left out, as the CVM deploys one file.
   */
  override?: { file: string; merged: boolean };
}

/**
 * The compose project in one directory: the first compose file found, as `docker compose` picks
 * it. Its `.override.` twin, which `docker compose` would merge, is noted but merged only with
 * `withOverride`: a CVM is deployed one compose file (docs/decisions.md).
 */
export function discoverInDir(dir: string, opts: { withOverride?: boolean } = {}): DiscoveredProject | undefined {
  for (const name of COMPOSE_FILE_NAMES) {
    const base = join(dir, name);
    if (!isFile(base)) continue;
    const override = overrideOf(base);
    if (!override || !isFile(override)) return { dir, files: [base], kind: 'compose' };
    const merged = opts.withOverride === true;
    return { dir, files: merged ? [base, override] : [base], kind: 'compose', override: { file: override, merged } };
  }
  const manifest = join(dir, APP_COMPOSE_FILE_NAME);
  if (isFile(manifest)) return { dir, files: [manifest], kind: 'app-compose' };
  return undefined;
}

/** `compose.yaml` → `compose.override.yaml` (the file `docker compose` merges by default). */
export function overrideOf(composeFile: string): string | undefined {
  const name = basename(composeFile);
  if (!/\.ya?ml$/.test(name) || /\.override\.ya?ml$/.test(name)) return undefined;
  return join(dirname(composeFile), name.replace(/\.(ya?ml)$/, '.override.$1'));
}

const SKIP_DIRS = new Set(['node_modules', '.git', '.hg', '.svn', 'dist', '.preflight-drills']);

/**
 * Every compose project below `root` (each directory with a compose file is one project). Symbolic
 * links to directories are followed once: a directory already walked (by its real path) is not
 * walked again, so a link loop ends and a linked project is found once.
 */
export function discoverRecursive(root: string, opts: { withOverride?: boolean } = {}): DiscoveredProject[] {
  const found: DiscoveredProject[] = [];
  const walked = new Set<string>();
  const walk = (dir: string) => {
    const real = realDir(dir);
    if (real === undefined || walked.has(real)) return;
    walked.add(real);
    const here = discoverInDir(dir, opts);
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

function realDir(dir: string): string | undefined {
  try {
    return realpathSync(dir);
  } catch {
    return undefined;
  }
}

export function isAppComposeFile(file: string): boolean {
  return basename(file).endsWith('.json');
}

// A missing path answers undefined rather than throwing: `-r` asks for five names in every directory it
// walks, and building an ENOENT error (message, stack) per miss cost more than the stat itself.
export function isFile(p: string): boolean {
  try {
    return statSync(p, { throwIfNoEntry: false })?.isFile() ?? false;
  } catch {
    return false;
  }
}

export function isDir(p: string): boolean {
  try {
    return statSync(p, { throwIfNoEntry: false })?.isDirectory() ?? false;
  } catch {
    return false;
  }
}
