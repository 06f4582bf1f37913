/**
 * The deployed secret set, without its values: key names and a keyed hash per value
 * (HMAC-SHA256 under a random key kept beside the lockfile in `<lockfile>.key`, mode 0600).
 * A plain hash of a low-entropy password could be brute-forced from the lockfile; an HMAC cannot
 * without the key, and the key never leaves the machine that runs `plan`.
 */
import { chmodSync, lstatSync } from 'node:fs';
import { InputError } from '../util/errors.js';
import { nodeCrypto } from '../util/node-crypto.js';
import { readInputFile } from '../util/read-file.js';
import { writeOutputFile } from '../util/write-file.js';
import { ENV_LIMITS, type EnvVar } from './limits.js';

export const LOCKFILE_VERSION = 1;

export interface Lockfile {
  version: number;
  tool: string;
  hmac: 'HMAC-SHA256';
  /** First 16 hex digits of sha256(key): tells whether a key file belongs to this lockfile. */
  key_id: string;
  written_at: string;
  env_keys: string[];
  /** name → HMAC-SHA256(key, name "\0" value), hex. */
  values: Record<string, string>;
}

/** A lockfile lists at most the variables a CVM accepts; its size follows (names ≤ 255 bytes, HMACs 64). */
const MAX_LOCKFILE_BYTES = 2 * 1024 * 1024;

export function keyFileFor(lockfile: string): string {
  return `${lockfile}.key`;
}

/**
 * Reads the HMAC key beside `lockfile`; creates it (0600) when `create` and it is absent. A key
 * file readable by others is tightened to 0600, with a warning through `warn`. A symbolic link is
 * refused, never followed.
 */
export function loadLockKey(
  lockfile: string,
  create: boolean,
  warn: (w: string) => void = () => {},
): Buffer | undefined {
  const file = keyFileFor(lockfile);
  let mode: number | undefined;
  try {
    const st = lstatSync(file);
    if (st.isSymbolicLink())
      throw new InputError('is a symbolic link; a lock key is never read or written through one', { file });
    mode = st.mode & 0o777;
  } catch (err) {
    if (err instanceof InputError) throw err;
  }
  if (mode !== undefined) {
    const hex = readInputFile(file, { what: 'lock key', maxBytes: 1024, noFollow: true }).trim();
    if (!/^[0-9a-f]{64}$/.test(hex))
      throw new InputError('not a preflight lock key (64 hex digits expected)', { file });
    if (mode & 0o077) {
      chmodSync(file, 0o600);
      warn(`${file} had mode ${mode.toString(8).padStart(3, '0')} (others could read the lock key); it is now 0600`);
    }
    return Buffer.from(hex, 'hex');
  }
  if (!create) return undefined;
  const key = nodeCrypto().randomBytes(32);
  writeOutputFile(file, key.toString('hex') + '\n', { mode: 0o600, refuseExisting: true });
  return key;
}

export function keyId(key: Buffer): string {
  return nodeCrypto().createHash('sha256').update(key).digest('hex').slice(0, 16);
}

export function valueMac(key: Buffer, name: string, value: string): string {
  // The name is mixed in so equal values under different names do not show as equal.
  return nodeCrypto().createHmac('sha256', key).update(name, 'utf8').update('\0').update(value, 'utf8').digest('hex');
}

export function buildLockfile(vars: readonly EnvVar[], key: Buffer, now = new Date()): Lockfile {
  const values: Record<string, string> = {};
  for (const { key: name, value } of [...vars].sort((a, b) => a.key.localeCompare(b.key)))
    values[name] = valueMac(key, name, value);
  return {
    version: LOCKFILE_VERSION,
    tool: 'preflight',
    hmac: 'HMAC-SHA256',
    key_id: keyId(key),
    written_at: now.toISOString(),
    env_keys: Object.keys(values),
    values,
  };
}

export function readLockfile(file: string): { lock: Lockfile; text: string } {
  const text = readInputFile(file, { what: 'lockfile', maxBytes: MAX_LOCKFILE_BYTES });
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new InputError('not a JSON lockfile', { file, line: 1 });
  }
  const l = json as Partial<Lockfile>;
  const ok =
    l &&
    l.version === LOCKFILE_VERSION &&
    typeof l.key_id === 'string' &&
    Array.isArray(l.env_keys) &&
    l.env_keys.every((k) => typeof k === 'string') &&
    l.values &&
    typeof l.values === 'object' &&
    !Array.isArray(l.values) &&
    Object.values(l.values).every((v) => typeof v === 'string' && /^[0-9a-f]{64}$/.test(v));
  if (!ok)
    throw new InputError(`not a preflight secrets lockfile (version ${LOCKFILE_VERSION} expected)`, { file, line: 1 });
  const count = Math.max(l.env_keys!.length, Object.keys(l.values!).length);
  if (count > ENV_LIMITS.maxItems)
    throw new InputError(
      `lists ${count} variables; a CVM accepts at most ${ENV_LIMITS.maxItems}, so no deployed set is this large`,
      { file, line: 1 },
    );
  return { lock: l as Lockfile, text };
}

/** True when `head` (the start of a file) is a lockfile Preflight wrote: `--write-lock` replaces only those. */
export function isLockfile(head: string): boolean {
  return /^\{\s*"version"\s*:\s*\d+,\s*"tool"\s*:\s*"preflight"/.test(head);
}

/** Line of `"NAME"` in the lockfile's text, for findings that point at it. */
export function lineOfKey(text: string, name: string): number {
  return keyLines(text).get(name) ?? 1;
}

let linesOf: { text: string; lines: Map<string, number> } | undefined;

/** Line of every `"NAME":` in one pass (one lookup per dropped key would be quadratic). */
function keyLines(text: string): Map<string, number> {
  if (linesOf?.text === text) return linesOf.lines;
  const lines = new Map<string, number>();
  let line = 1;
  for (const row of text.split('\n')) {
    const m = /^\s*"([^"\\]+)"\s*:/.exec(row);
    if (m && !lines.has(m[1]!)) lines.set(m[1]!, line);
    line++;
  }
  linesOf = { text, lines };
  return lines;
}

export interface LockWrite {
  /** Files the run reads (the env file, compose files): never written over. */
  inputs?: readonly string[];
  /** Replace a file that is not a Preflight lockfile. */
  force?: boolean;
}

/** Writes the lockfile (0600) through the one safe writer: no link, no input, another file only with force. */
export function writeLockfile(file: string, lock: Lockfile, opts: LockWrite = {}): void {
  writeOutputFile(file, JSON.stringify(lock, null, 2) + '\n', {
    mode: 0o600,
    inputs: opts.inputs,
    force: opts.force,
    isOwn: isLockfile,
  });
}
