/**
 * The one way Preflight reads a file the user named (compose files, `extends.file`, env files,
 * `.preflight.yml`, lockfiles, app-compose.json): a regular file, under a size cap, read without
 * blocking. A FIFO, `/dev/zero`, a device or a directory is refused with a one-line error naming the
 * file, instead of hanging or filling memory.
 */
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { InputError } from './errors.js';

/** The default cap: far above any real compose or env file (Phala Cloud caps compose at 200 KB). */
export const MAX_INPUT_BYTES = 5 * 1024 * 1024;

export interface ReadInputOptions {
  /** The name to show in errors (default: the path). */
  display?: string;
  /** Largest accepted size in bytes (default 5 MiB). */
  maxBytes?: number;
  /** What the file is, for errors: "env file", "lockfile" (default "file"). */
  what?: string;
  /** Refuse a file with a NUL byte, as no text input has one (default true). */
  text?: boolean;
  /** Refuse a symbolic link instead of following it (files Preflight also writes: lock keys). */
  noFollow?: boolean;
}

/** The file's bytes as UTF-8 text; an `InputError` naming the file for anything but a readable regular file. */
export function readInputFile(path: string, opts: ReadInputOptions = {}): string {
  return readInputBytes(path, opts).toString('utf8');
}

export function readInputBytes(path: string, opts: ReadInputOptions = {}): Buffer {
  const file = opts.display ?? path;
  const what = opts.what ?? 'file';
  const max = opts.maxBytes ?? MAX_INPUT_BYTES;
  let fd: number;
  try {
    // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer forever.
    const flags = constants.O_RDONLY | constants.O_NONBLOCK | (opts.noFollow ? constants.O_NOFOLLOW : 0);
    fd = openSync(path, flags);
  } catch (err) {
    throw new InputError(openProblem((err as NodeJS.ErrnoException).code, what), { file });
  }
  try {
    const st = fstatSync(fd);
    if (st.isDirectory()) throw new InputError(`is a directory, not ${article(what)}`, { file });
    if (!st.isFile())
      throw new InputError(`is not a regular file (${kindOf(st)}); only regular files are read`, { file });
    if (st.size > max) throw new InputError(tooLarge(st.size, max, what), { file });
    // Read at most max + 1 bytes: a file that grows while we read is still cut off.
    const buf = Buffer.allocUnsafe(Math.min(max + 1, Math.max(st.size + 1, 64 * 1024)));
    let n = 0;
    let grown = buf;
    for (;;) {
      if (n === grown.length) {
        if (grown.length > max) break;
        const bigger = Buffer.allocUnsafe(Math.min(max + 1, grown.length * 2));
        grown.copy(bigger, 0, 0, n);
        grown = bigger;
      }
      let r: number;
      try {
        r = readSync(fd, grown, n, grown.length - n, null);
      } catch (err) {
        throw new InputError(`cannot read (${(err as NodeJS.ErrnoException).code ?? 'error'})`, { file });
      }
      if (r === 0) break;
      n += r;
    }
    if (n > max) throw new InputError(tooLarge(n, max, what), { file });
    const bytes = grown.subarray(0, n);
    if ((opts.text ?? true) && bytes.includes(0)) throw new InputError(`binary file, not ${article(what)}`, { file });
    return bytes;
  } finally {
    closeSync(fd);
  }
}

function openProblem(code: string | undefined, what: string): string {
  switch (code) {
    case 'ENOENT':
      return 'no such file';
    case 'ENOTDIR':
      return 'no such file (a parent is not a directory)';
    case 'EISDIR':
      return `is a directory, not ${article(what)}`;
    case 'EACCES':
    case 'EPERM':
      return 'cannot read: permission denied';
    case 'ELOOP':
      return 'is a symbolic link (or a loop of them); refusing to follow it';
    case 'ENAMETOOLONG':
      return 'cannot read: the path is too long';
    default:
      return `cannot read (${code ?? 'error'})`;
  }
}

function kindOf(st: ReturnType<typeof fstatSync>): string {
  if (st.isFIFO()) return 'a FIFO';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isSocket()) return 'a socket';
  return 'not a file';
}

function tooLarge(size: number, max: number, what: string): string {
  return `is ${formatBytes(size)}; ${plural(what)} over ${formatBytes(max)} are not read`;
}

function plural(what: string): string {
  return what.endsWith('s') ? what : `${what}s`;
}

function article(what: string): string {
  return /^[aeiou]/i.test(what) ? `an ${what}` : `a ${what}`;
}

export function formatBytes(n: number): string {
  if (n >= 1024 * 1024) return `${(n / 1024 / 1024).toFixed(n % (1024 * 1024) ? 1 : 0)} MiB`;
  if (n >= 1024) return `${(n / 1024).toFixed(n % 1024 ? 1 : 0)} KiB`;
  return `${n} bytes`;
}

/** The first `bytes` bytes of a regular file as text ('' when it cannot be read): to recognise what a file is. */
export function readFileHead(path: string, bytes: number): string {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOFOLLOW);
  } catch {
    return '';
  }
  try {
    if (!fstatSync(fd).isFile()) return '';
    const buf = Buffer.alloc(bytes);
    let n = 0;
    for (let r = 1; r > 0 && n < bytes; n += r) r = readSync(fd, buf, n, bytes - n, null);
    return buf.subarray(0, n).toString('utf8');
  } catch {
    return '';
  } finally {
    closeSync(fd);
  }
}
