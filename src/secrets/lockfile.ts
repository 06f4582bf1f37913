/**
 * The deployed secret set, without its values: key names and a keyed hash per value
 * (HMAC-SHA256 under a random key kept beside the lockfile in `<lockfile>.key`, mode 0600).
 * A plain hash of a low-entropy password could be brute-forced from the lockfile; an HMAC cannot
 * without the key, and the key never leaves the machine that runs `plan`.
 */
import crypto from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { InputError } from '../util/errors.js';
import { writePrivateFile } from './encrypt.js';
import type { EnvVar } from './limits.js';

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

export function keyFileFor(lockfile: string): string {
  return `${lockfile}.key`;
}

/** Reads the HMAC key beside `lockfile`; creates it (0600) when `create` and it is absent. */
export function loadLockKey(lockfile: string, create: boolean): Buffer | undefined {
  const file = keyFileFor(lockfile);
  if (existsSync(file)) {
    const hex = readFileSync(file, 'utf8').trim();
    if (!/^[0-9a-f]{64}$/.test(hex))
      throw new InputError('not a preflight lock key (64 hex digits expected)', { file });
    return Buffer.from(hex, 'hex');
  }
  if (!create) return undefined;
  const key = crypto.randomBytes(32);
  writePrivateFile(file, key.toString('hex') + '\n', false);
  return key;
}

export function keyId(key: Buffer): string {
  return crypto.createHash('sha256').update(key).digest('hex').slice(0, 16);
}

export function valueMac(key: Buffer, name: string, value: string): string {
  // The name is mixed in so equal values under different names do not show as equal.
  return crypto.createHmac('sha256', key).update(name, 'utf8').update('\0').update(value, 'utf8').digest('hex');
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
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new InputError(`cannot read the lockfile (${(err as NodeJS.ErrnoException).code ?? 'error'})`, { file });
  }
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
    Object.values(l.values).every((v) => typeof v === 'string' && /^[0-9a-f]{64}$/.test(v));
  if (!ok)
    throw new InputError(`not a preflight secrets lockfile (version ${LOCKFILE_VERSION} expected)`, { file, line: 1 });
  return { lock: l as Lockfile, text };
}

/** Line of `"NAME"` in the lockfile's text, for findings that point at it. */
export function lineOfKey(text: string, name: string): number {
  const i = text.indexOf(`"${name}":`);
  return i < 0 ? 1 : text.slice(0, i).split('\n').length;
}

export function writeLockfile(file: string, lock: Lockfile): void {
  writePrivateFile(file, JSON.stringify(lock, null, 2) + '\n', true);
}
