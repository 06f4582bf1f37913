/**
 * The agent's state file: the root secret every key derives from, so keys survive agent restarts.
 * JSON `{ "format": "preflight-agent-state", "version": 1, "root_secret": "<64 hex>", "created_at": … }`,
 * created once with mode 0600 and never rewritten. Errors name the file, never the secret.
 */
import { closeSync, existsSync, fchmodSync, openSync, readFileSync, statSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { dirname } from 'node:path';
import { InputError } from '../util/errors.js';
import { parseHex } from './encoding.js';

const FORMAT = 'preflight-agent-state';

export interface AgentState {
  rootSecret: Buffer;
  /** True when this call created the file. */
  created: boolean;
}

export function loadOrCreateState(path: string): AgentState {
  if (existsSync(path)) return { rootSecret: readState(path), created: false };
  const dir = dirname(path);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new InputError(`directory ${dir} for the state file does not exist`, { file: path });
  }
  const rootSecret = randomBytes(32);
  const body = JSON.stringify(
    { format: FORMAT, version: 1, root_secret: rootSecret.toString('hex'), created_at: new Date().toISOString() },
    null,
    2,
  );
  let fd: number;
  try {
    // 'wx': never overwrite a state file another agent created meanwhile (its keys would be lost).
    fd = openSync(path, 'wx', 0o600);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return { rootSecret: readState(path), created: false };
    throw new InputError(`cannot create the state file (${(err as NodeJS.ErrnoException).code ?? 'error'})`, {
      file: path,
    });
  }
  try {
    fchmodSync(fd, 0o600); // the umask may only have narrowed it, but make it exact
    writeSync(fd, body + '\n');
  } finally {
    closeSync(fd);
  }
  return { rootSecret, created: true };
}

/** A fresh in-memory root: keys last as long as the process (no --state, or key provider `none`). */
export function ephemeralState(): AgentState {
  return { rootSecret: randomBytes(32), created: true };
}

function readState(path: string): Buffer {
  let text: string;
  try {
    if (!statSync(path).isFile()) throw new InputError('the state file is not a regular file', { file: path });
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if (err instanceof InputError) throw err;
    throw new InputError(`cannot read the state file (${(err as NodeJS.ErrnoException).code ?? 'error'})`, {
      file: path,
    });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new InputError('the state file is not valid JSON (corrupt?); move it away to start with new keys', {
      file: path,
      line: 1,
    });
  }
  const obj = parsed as { format?: unknown; version?: unknown; root_secret?: unknown } | null;
  if (!obj || typeof obj !== 'object' || obj.format !== FORMAT || obj.version !== 1) {
    throw new InputError(`not a ${FORMAT} file (format/version missing)`, { file: path, line: 1 });
  }
  const secret = typeof obj.root_secret === 'string' ? parseHex(obj.root_secret) : undefined;
  if (secret?.length !== 32) {
    throw new InputError('root_secret must be 32 bytes of hex (corrupt state file?)', { file: path, line: 1 });
  }
  return secret;
}
