/**
 * The record of every key an app asked the agent for. Public keys only: private keys never leave
 * the response to the app. Drills compare the log of a run before and after a fault or an upgrade.
 */
import { closeSync, writeSync } from 'node:fs';
import { openAppendFile } from '../util/write-file.js';

export interface KeyLogEntry {
  /** ISO time of the request. */
  time: string;
  /** The URL path called, e.g. `/GetKey` or `/prpc/Tappd.DeriveKey`. */
  endpoint: string;
  path: string;
  /** The GetKey purpose; for TLS keys the certificate subject. */
  purpose: string;
  /** secp256k1, ed25519, or p256 for TLS keys. */
  algorithm: string;
  /** Compressed SEC1 (secp256k1), raw (ed25519) or SPKI DER (p256) public key, hex. */
  publicKeyHex: string;
  /**
   * False for keys that are fresh by design (GetTlsKey makes a new key per call, as dstack does);
   * compareKeyLogs ignores those.
   */
  stable: boolean;
  /** The app id the key was derived for (hex). */
  appId: string;
}

export interface KeyChange {
  endpoint: string;
  path: string;
  purpose: string;
  algorithm: string;
  /** Distinct public keys seen for this request before, and after. */
  before: string[];
  after: string[];
}

const identity = (e: KeyLogEntry) => JSON.stringify([e.endpoint, e.path, e.purpose, e.algorithm]);

/**
 * Keys whose public key changed for the same request (endpoint, path, purpose, algorithm) between
 * two logs. Requests seen on one side only are not changes (the app may simply not have asked
 * yet); unstable (per-call) keys are ignored. Pure: no I/O, inputs untouched.
 */
export function compareKeyLogs(before: readonly KeyLogEntry[], after: readonly KeyLogEntry[]): KeyChange[] {
  const collect = (log: readonly KeyLogEntry[]) => {
    const byId = new Map<string, { entry: KeyLogEntry; keys: string[] }>();
    for (const e of log) {
      if (!e.stable) continue;
      const slot = byId.get(identity(e)) ?? { entry: e, keys: [] };
      if (!slot.keys.includes(e.publicKeyHex)) slot.keys.push(e.publicKeyHex);
      byId.set(identity(e), slot);
    }
    return byId;
  };
  const was = collect(before);
  const now = collect(after);
  const changes: KeyChange[] = [];
  for (const [id, { entry, keys }] of now) {
    const old = was.get(id);
    if (!old) continue;
    if (keys.some((k) => !old.keys.includes(k))) {
      const { endpoint, path, purpose, algorithm } = entry;
      changes.push({ endpoint, path, purpose, algorithm, before: [...old.keys], after: [...keys] });
    }
  }
  return changes;
}

export interface KeyLogWriter {
  append(entry: KeyLogEntry): void;
  close(): void;
}

/**
 * Opens a JSONL key log for appending, one object a line (the file accumulates across agent
 * restarts), through the one safe writer: created 0600, never through a symbolic link, and an
 * existing file only when it already is a key log.
 */
export function openKeyLog(file: string): KeyLogWriter {
  const fd = openAppendFile(file, { isOwn: isKeyLog });
  let open = true;
  return {
    append: (entry) => {
      if (open) writeSync(fd, JSON.stringify(entry) + '\n');
    },
    close: () => {
      if (open) closeSync(fd);
      open = false;
    },
  };
}

/** True when `head` starts with a key log entry (what `openKeyLog` appends to). */
export function isKeyLog(head: string): boolean {
  const first = head.split('\n', 1)[0]!;
  try {
    const e = JSON.parse(first) as Partial<KeyLogEntry>;
    return typeof e === 'object' && e !== null && typeof e.endpoint === 'string' && typeof e.publicKeyHex === 'string';
  } catch {
    return false;
  }
}

/** Reads a JSONL key log written by appendKeyLog (blank lines skipped). */
export function parseKeyLog(text: string): KeyLogEntry[] {
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as KeyLogEntry);
}
