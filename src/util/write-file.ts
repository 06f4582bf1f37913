/**
 * The one way Preflight writes a file the user named (`-o` reports, `--write-lock`, lock keys,
 * `secrets encrypt --out`, the agent's `--key-log`). It never writes onto a file the same run reads,
 * never writes through a symbolic link or into anything but a regular file, replaces a file that is
 * not its own output only with `--force`, and writes through a temporary file renamed into place, so
 * a crash or a full disk leaves the old file whole rather than half-written.
 */
import {
  accessSync,
  closeSync,
  constants,
  fchmodSync,
  fstatSync,
  fsyncSync,
  lstatSync,
  openSync,
  renameSync,
  statSync,
  unlinkSync,
  writeSync,
  type Stats,
} from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { InputError } from './errors.js';
import { nodeCrypto } from './node-crypto.js';
import { readFileHead } from './read-file.js';
import { isPreflightOutput } from './output-marker.js';

export interface WriteOptions {
  /** Files this run reads (compose files, env files, configuration…): never written, even with `force`. */
  inputs?: readonly string[];
  /** Replace an existing file that `isOwn` does not recognise. */
  force?: boolean;
  /** Recognises a file Preflight wrote (replaced without `force`). Default: any report format's marker. */
  isOwn?: (head: string) => boolean;
  /** Mode of the file (default: a new file 0666 less the umask, a replaced one keeps its mode). */
  mode?: number;
  /** The name to show in errors (default: the path). */
  display?: string;
  /** The flag that would allow replacing a foreign file, for the message (default `--force`). */
  forceFlag?: string;
  /** Any existing non-empty file needs `force` (an encrypted blob: it cannot be told from another). */
  refuseExisting?: boolean;
}

/** How much of an existing file is read to recognise it as Preflight's output. */
const HEAD_BYTES = 64 * 1024;

/** Writes `content` to `path` safely (see the module comment); errors are one-line `InputError`s naming the file. */
export function writeOutputFile(path: string, content: string | Buffer, opts: WriteOptions = {}): void {
  const file = opts.display ?? path;
  const abs = resolve(path);
  const existing = checkTarget(abs, file, opts);
  const mode = opts.mode ?? (existing ? existing.mode & 0o777 : 0o666);
  const tmp = join(dirname(abs), `.${basename(abs)}.${process.pid}.${nodeCrypto().randomBytes(4).toString('hex')}.tmp`);
  let fd: number;
  try {
    fd = openSync(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, mode);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    // ENOENT with the directory present: a directory where files cannot be made (/proc, /sys).
    if (code === 'ENOENT' && isDirectory(dirname(abs)))
      throw new InputError('cannot write: no file can be created in its directory', { file });
    throw new InputError(writeProblem(code), { file });
  }
  try {
    try {
      if (opts.mode !== undefined) fchmodSync(fd, opts.mode); // exact, whatever the umask
      const buf = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
      for (let at = 0; at < buf.length; ) at += writeSync(fd, buf, at, buf.length - at);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, abs);
  } catch (err) {
    try {
      unlinkSync(tmp);
    } catch {
      // already gone
    }
    if (err instanceof InputError) throw err;
    throw new InputError(writeProblem((err as NodeJS.ErrnoException).code), { file });
  }
}

/**
 * Opens `path` for appending (created 0600 when absent), with the same refusals as
 * `writeOutputFile`: no symbolic link, no input, a regular file only, and an existing non-empty
 * file only when `isOwn` recognises it. Returns the file descriptor.
 */
export function openAppendFile(path: string, opts: WriteOptions & { isOwn: (head: string) => boolean }): number {
  const file = opts.display ?? path;
  const abs = resolve(path);
  checkTarget(abs, file, opts);
  try {
    const fd = openSync(
      abs,
      constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | constants.O_NOFOLLOW | constants.O_NONBLOCK,
      opts.mode ?? 0o600,
    );
    if (!fstatSync(fd).isFile()) {
      closeSync(fd);
      throw new InputError('is not a regular file; refusing to write to it', { file });
    }
    return fd;
  } catch (err) {
    if (err instanceof InputError) throw err;
    throw new InputError(writeProblem((err as NodeJS.ErrnoException).code), { file });
  }
}

/** The refusals of `writeOutputFile` without writing: to check `-o` before a long run. */
export function checkOutputTarget(path: string, opts: WriteOptions = {}): void {
  const file = opts.display ?? path;
  const abs = resolve(path);
  if (checkTarget(abs, file, opts)) return;
  try {
    if (!statSync(dirname(abs)).isDirectory()) throw new InputError(writeProblem('ENOTDIR'), { file });
    accessSync(dirname(abs), constants.W_OK);
  } catch (err) {
    if (err instanceof InputError) throw err;
    throw new InputError(writeProblem((err as NodeJS.ErrnoException).code), { file });
  }
}

/** The existing regular file at `abs` (undefined when there is none), after every refusal. */
function checkTarget(abs: string, file: string, opts: WriteOptions): Stats | undefined {
  let st: Stats;
  try {
    st = lstatSync(abs);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    throw new InputError(writeProblem(code), { file });
  }
  if (st.isSymbolicLink())
    throw new InputError('is a symbolic link; refusing to write through it (name the file it points to)', { file });
  if (st.isDirectory()) throw new InputError('is a directory; give a file name to write to', { file });
  if (!st.isFile()) throw new InputError('is not a regular file; refusing to write to it', { file });
  for (const input of opts.inputs ?? []) {
    let inSt: Stats;
    try {
      inSt = statSync(input);
    } catch {
      continue;
    }
    if (inSt.dev === st.dev && inSt.ino === st.ino)
      throw new InputError('is an input of this run; refusing to write over it (choose another file)', { file });
  }
  if (opts.force || st.size === 0) return st;
  if (opts.refuseExisting)
    throw new InputError(`already exists; pass ${opts.forceFlag ?? '--force'} to replace it`, { file });
  const isOwn = opts.isOwn ?? isPreflightOutput;
  if (!isOwn(readFileHead(abs, HEAD_BYTES)))
    throw new InputError(
      `exists and is not a file Preflight wrote; pass ${opts.forceFlag ?? '--force'} to replace it`,
      { file },
    );
  return st;
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function writeProblem(code: string | undefined): string {
  switch (code) {
    case 'ENOENT':
      return 'cannot write: its directory does not exist';
    case 'ENOTDIR':
      return 'cannot write: a parent is not a directory';
    case 'EACCES':
    case 'EPERM':
      return 'cannot write: permission denied';
    case 'EROFS':
      return 'cannot write: read-only file system';
    case 'ENOSPC':
      return 'cannot write: no space left on the device';
    case 'EISDIR':
      return 'is a directory; give a file name to write to';
    case 'ELOOP':
      return 'is a symbolic link; refusing to write through it (name the file it points to)';
    case 'ENAMETOOLONG':
      return 'cannot write: the path is too long';
    case 'EDQUOT':
      return 'cannot write: disk quota exceeded';
    default:
      return `cannot write (${code ?? 'error'})`;
  }
}
