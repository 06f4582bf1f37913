/**
 * The record of every key an app asked the agent for. Public keys only: private keys never leave
 * the response to the app. Drills compare the log of a run before and after a fault or an upgrade.
 */
import { appendFileSync } from 'node:fs';

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

/** Appends entries to a JSONL file, one object a line (the file accumulates across agent restarts). */
export function appendKeyLog(file: string, entry: KeyLogEntry): void {
  appendFileSync(file, JSON.stringify(entry) + '\n', { mode: 0o600 });
}

/** Reads a JSONL key log written by appendKeyLog (blank lines skipped). */
export function parseKeyLog(text: string): KeyLogEntry[] {
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as KeyLogEntry);
}
