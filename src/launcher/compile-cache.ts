/**
 * Runs the CLI bundle (dist/cli-bundle/preflight.cjs, scripts/bundle-cli.mjs) with a V8 code cache.
 *
 * Most of a short `preflight check` is V8 compiling the bundle's code before and while it first runs
 * (issue 14: `check` of the example ≤ 2.5× a bare `node`). V8 can serialise the code it compiled for a
 * script and take it back in a later process; Node 20 does that for CommonJS modules only through
 * `vm.Script` (Node 22's `module.enableCompileCache()` is the same idea for every module). So the
 * bundle is one script, compiled here with the cache of an earlier run of the same command, and the
 * cache is written once a run that had none ends, when it holds every function that run compiled.
 *
 * The cache is an optimisation only: any problem reading or writing it (no home folder, a read-only
 * disk, a file V8 refuses) runs the bundle uncached and says nothing. It holds compiled code and the
 * constants in it, never data a run read. It is read only from a folder the user owns and nobody else
 * can write (code from it runs as ours), keyed by the bundle's build id (the bundle's first line), the
 * Node version, the architecture and Node's options; V8 itself refuses a cache made for other V8 flags
 * or another source. docs/decisions.md "Start-up: a V8 code cache" has the measurements.
 */
import {
  closeSync,
  constants,
  fstatSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  renameSync,
  rmSync,
  type Stats,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join } from 'node:path';
import { Script } from 'node:vm';

/** What became of the cache: not used, none yet, used, or refused by V8 (made for other flags or source). */
export type CacheState = 'off' | 'none' | 'accepted' | 'rejected';

export interface LoadBundleOptions {
  /** The folder holding caches (compileCacheDir()); none: no cache. */
  cacheDir?: string;
  /** Runs that compile different code keep different caches: the command's name. */
  label: string;
  /** `import()` for what the bundle imports dynamically (a script has no module loader of its own). */
  importModule: (specifier: string) => Promise<unknown>;
}

export interface LoadedBundle {
  exports: Record<string, unknown>;
  cache: CacheState;
  /** No usable cache was found: write one when the run is over (`save`). */
  shouldSave: boolean;
  /** Writes what V8 has compiled of the bundle so far to the cache; problems are ignored. */
  save(): void;
}

/** The commands with a cache of their own; another first word shares `other`. */
const LABELS = new Set(['check', 'fix', 'diff', 'rules', 'explain', 'secrets', 'drill', 'rollout', 'agent']);
const BUILD_LINE = /^\/\/ preflight-bundle ([0-9a-f]{20})\n/;
const CACHE_NAME = /^[0-9a-f]{20}-v[0-9.]+-[a-z0-9]+-[0-9a-f]{8}-[a-z]+\.bin$/;
/** Caches kept in the folder (about 1 MB each): two builds' worth of every command's. */
const MAX_CACHES = 24;
/** A cache is about the size of the bundle (~1 MB); anything far larger is not ours. */
const MAX_CACHE_BYTES = 64 * 1024 * 1024;
/** The parameters the bundle's code sees, as a CommonJS module's, plus the `import()` stand-in. */
const WRAPPER_HEAD = '(function (exports, require, module, __filename, __dirname, __preflightImport) {';

/**
 * The cache folder: PREFLIGHT_COMPILE_CACHE, else `$XDG_CACHE_HOME/preflight/v8`, else
 * `~/.cache/preflight/v8`; none when PREFLIGHT_DISABLE_COMPILE_CACHE is set (as Node's
 * NODE_COMPILE_CACHE and NODE_DISABLE_COMPILE_CACHE) or there is no home folder.
 */
export function compileCacheDir(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const disabled = env.PREFLIGHT_DISABLE_COMPILE_CACHE;
  if (disabled && disabled !== '0') return undefined;
  if (env.PREFLIGHT_COMPILE_CACHE) return env.PREFLIGHT_COMPILE_CACHE;
  const xdg = env.XDG_CACHE_HOME;
  if (xdg && isAbsolute(xdg)) return join(xdg, 'preflight', 'v8');
  let home: string;
  try {
    home = homedir();
  } catch {
    return undefined;
  }
  return home ? join(home, '.cache', 'preflight', 'v8') : undefined;
}

/** The cache label of a command line: its command, or `other`. */
export function cacheLabel(argv: readonly string[]): string {
  const first = argv.slice(2).find((a) => !a.startsWith('-'));
  return first !== undefined && LABELS.has(first) ? first : 'other';
}

/** Compiles and runs the bundle as a CommonJS module would be, with the cache when there is one. */
export function loadBundle(file: string, opts: LoadBundleOptions): LoadedBundle {
  const source = readFileSync(file, 'utf8');
  const build = BUILD_LINE.exec(source)?.[1];
  const cacheDir = build ? opts.cacheDir : undefined;
  const cacheFile =
    cacheDir && join(cacheDir, `${build}-${process.version}-${process.arch}-${flagsKey()}-${opts.label}.bin`);
  const cachedData = cacheFile ? readCache(cacheDir, cacheFile) : undefined;
  // One line with the bundle's first, so line numbers in stack traces and the source map still match.
  const script = new Script(`${WRAPPER_HEAD}${source}\n})`, { filename: file, cachedData });
  const cache: CacheState = !cacheFile
    ? 'off'
    : !cachedData
      ? 'none'
      : script.cachedDataRejected
        ? 'rejected'
        : 'accepted';
  const wrapper = script.runInThisContext() as (...args: unknown[]) => void;
  const module = { exports: {} as Record<string, unknown> };
  wrapper.call(module.exports, module.exports, createRequire(file), module, file, dirname(file), opts.importModule);
  return {
    exports: module.exports,
    cache,
    shouldSave: cache === 'none' || cache === 'rejected',
    save: () => {
      if (cacheDir && cacheFile) writeCache(cacheDir, cacheFile, script);
    },
  };
}

/**
 * The Node options of this process (its command line's and NODE_OPTIONS), hashed (FNV-1a, 32 bits):
 * V8 refuses a cache made under other V8 flags, so runs with and without, say, `--max-old-space-size`
 * keep a cache each rather than replace each other's on every run.
 */
function flagsKey(): string {
  let hash = 0x811c9dc5;
  for (const ch of `${process.execArgv.join('\0')}\0${process.env.NODE_OPTIONS ?? ''}`) {
    hash ^= ch.charCodeAt(0);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(16).padStart(8, '0');
}

/** Owned by this user and writable by nobody else (no such notion on Windows). */
function ownedPrivately(st: Stats): boolean {
  return process.getuid === undefined || (st.uid === process.getuid() && (st.mode & 0o022) === 0);
}

function readCache(dir: string, file: string): Buffer | undefined {
  let fd: number | undefined;
  try {
    const folder = lstatSync(dir);
    if (!folder.isDirectory() || !ownedPrivately(folder)) return undefined;
    fd = openSync(file, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0));
    const st = fstatSync(fd);
    if (!st.isFile() || !ownedPrivately(st) || st.size === 0 || st.size > MAX_CACHE_BYTES) return undefined;
    const data = Buffer.allocUnsafe(st.size);
    let at = 0;
    while (at < data.length) {
      const n = readSync(fd, data, at, data.length - at, at);
      if (n === 0) return undefined;
      at += n;
    }
    return data;
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * Writes the cache through a temporary file and a rename, so a concurrent run reads a whole cache or
 * none, then keeps the folder at MAX_CACHES files by removing the oldest: builds and Node versions
 * leave theirs behind, and two installs in use side by side must not remove each other's.
 */
function writeCache(dir: string, file: string, script: Script): void {
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    if (!ownedPrivately(lstatSync(dir))) return;
    writeFileSync(tmp, script.createCachedData(), { mode: 0o600, flag: 'wx' });
    renameSync(tmp, file);
    const caches = readdirSync(dir)
      .filter((name) => CACHE_NAME.test(name))
      .map((name) => ({ path: join(dir, name), mtime: lstatSync(join(dir, name)).mtimeMs }))
      .sort((a, b) => b.mtime - a.mtime);
    for (const old of caches.slice(MAX_CACHES)) rmSync(old.path, { force: true });
  } catch {
    try {
      rmSync(tmp, { force: true });
    } catch {
      // A cache folder we cannot clean up is no reason to fail a run.
    }
  }
}
