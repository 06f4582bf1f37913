import { existsSync, realpathSync } from 'node:fs';
import { basename, dirname, isAbsolute, relative, resolve } from 'node:path';
import { InputError } from '../util/errors.js';
import { STDIN_DISPLAY } from '../util/read-stdin.js';
import {
  discoverInDir,
  discoverRecursive,
  isAppComposeFile,
  isDir,
  isFile,
  overrideOf,
  type DiscoveredProject,
} from './discover.js';

export interface TargetOptions {
  /** Explicit compose files (`-f`), merged in order: one project. */
  files?: string[];
  /** Merge the `*.override.*` twin of the compose file (`--with-override`). */
  withOverride?: boolean;
  cwd?: string;
}

/**
 * Resolve the CLI's inputs to the projects to check. A directory or file is one project each;
 * `-f` files are one project together. The same project given twice (by another path, or through a
 * link) is returned once.
 */
export function resolveTargets(paths: string[], opts: TargetOptions = {}): DiscoveredProject[] {
  const cwd = opts.cwd ?? process.cwd();
  if (opts.files?.length) {
    // `-f -`: standard input, in the project directory `cwd` (as `docker compose -f -`).
    if (opts.files.filter((f) => f === '-').length > 1)
      throw new InputError('standard input can be given once', { file: STDIN_DISPLAY });
    const files = opts.files.map((f) => (f === '-' ? '-' : resolve(cwd, f)));
    for (const f of files) {
      if (f === '-') continue;
      if (isDir(f))
        throw new InputError('is a directory; -f takes a compose file (give a directory without -f)', {
          file: rel(cwd, f),
        });
      // Anything else that exists (a FIFO, a device) is refused by the bounded read, in its words.
      if (!existsSync(f)) throw new InputError('no such file', { file: rel(cwd, f) });
    }
    const kind = files.length === 1 && isAppComposeFile(files[0]!) ? 'app-compose' : 'compose';
    return [withOverrideNote({ dir: files[0] === '-' ? resolve(cwd) : dirname(files[0]!), files, kind }, opts)];
  }
  const targets = paths.length ? paths : ['.'];
  return uniqueProjects(
    targets.map((p) => {
      const abs = resolve(cwd, p);
      if (isDir(abs)) {
        const found = discoverInDir(abs, opts);
        if (!found)
          throw new InputError(
            'no compose file (compose.yaml, docker-compose.yml, …) or app-compose.json in this directory',
            { file: rel(cwd, abs) || '.' },
          );
        return found;
      }
      if (!existsSync(abs)) throw new InputError('no such file or directory', { file: p });
      const kind = isAppComposeFile(abs) ? 'app-compose' : 'compose';
      return withOverrideNote({ dir: dirname(abs), files: [abs], kind }, opts);
    }),
  );
}

/**
 * `-r`: every project below each directory (a file names its own project). A directory without any
 * is an input error; projects found through several paths are checked once.
 */
export function resolveRecursive(paths: string[], opts: TargetOptions = {}): DiscoveredProject[] {
  if (opts.files?.length) return resolveTargets(paths, opts);
  const cwd = opts.cwd ?? process.cwd();
  const out: DiscoveredProject[] = [];
  for (const p of paths.length ? paths : ['.']) {
    const abs = resolve(cwd, p);
    if (!isDir(abs)) {
      out.push(...resolveTargets([p], opts));
      continue;
    }
    const found = discoverRecursive(abs, opts);
    if (!found.length) throw new InputError('no compose project found below this directory', { file: p });
    out.push(...found);
  }
  return uniqueProjects(out);
}

/** Note (or, with `withOverride`, merge) the override twin of a single compose file; say when `-f` named it. */
function withOverrideNote(project: DiscoveredProject, opts: TargetOptions): DiscoveredProject {
  if (project.kind !== 'compose') return project;
  const override = overrideOf(project.files[0]!);
  if (!override || !isFile(override)) return project;
  const named = project.files.slice(1).some((f) => sameFile(f, override));
  if (named) return { ...project, override: { file: override, merged: true } };
  if (opts.withOverride)
    return { ...project, files: [...project.files, override], override: { file: override, merged: true } };
  return { ...project, override: { file: override, merged: false } };
}

function uniqueProjects(list: DiscoveredProject[]): DiscoveredProject[] {
  const seen = new Set<string>();
  return list.filter((p) => {
    const key = p.files.map(realOrSame).join('\u0000');
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function sameFile(a: string, b: string): boolean {
  return realOrSame(a) === realOrSame(b);
}

function realOrSame(p: string): string {
  try {
    return realpathSync(p);
  } catch {
    return p;
  }
}

export function rel(cwd: string, abs: string): string {
  const r = relative(cwd, abs);
  return r === '' ? basename(abs) : r.startsWith('..') || isAbsolute(r) ? abs : r;
}
