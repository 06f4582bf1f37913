/**
 * Which guest-agent methods a dstack OS version serves (docs/platform.md#guest-agent): the agent
 * answers what the OS it simulates answers, so an app that calls a removed method finds out here.
 */
import { InputError } from '../util/errors.js';

/**
 * The OS the agent simulates unless told otherwise: dstack main at the snapshot docs/platform.md
 * was checked against (`dstack/Cargo.toml` says 0.6.0 since c46a4770, 2026-07-12): no EmitEvent, GpuInfo.
 */
export const CURRENT_OS_VERSION = '0.6.0';

/** dstack methods that exist only in some versions: from `since` on, before `removedIn`. */
export const METHOD_VERSIONS: Record<string, { since?: string; removedIn?: string; source: string }> = {
  // SDK 0.5.8 `emitEvent`: "Requires dstack OS 0.5.0 or later"; removed by 10898e63 (v0.5.11 still serves it).
  EmitEvent: { since: '0.5.0', removedIn: '0.6.0', source: 'agent_rpc.proto, dstack 10898e63' },
  // SDK 0.5.8 `version()`: "Returns the version on OS >= 0.5.7".
  Version: { since: '0.5.7', source: '@phala/dstack-sdk 0.5.8 dist/index.js' },
  // Not in v0.5.11's proto; on main since the GPU attestation API (renamed GpuInfo in 23df8411).
  GpuInfo: { since: '0.6.0', source: 'agent_rpc.proto, dstack 23df8411' },
};

export type OsVersion = [number, number, number];

export function parseOsVersion(text: string): OsVersion {
  const m = /^v?(\d{1,4})\.(\d{1,4})\.(\d{1,4})$/.exec(text.trim());
  if (!m) throw new InputError(`OS version must look like 0.5.11, got "${text.slice(0, 40)}"`);
  return [Number(m[1]), Number(m[2]), Number(m[3])];
}

function compare(a: OsVersion, b: OsVersion): number {
  return a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
}

/** Why `method` is not served on `os`, or undefined when it is. */
export function unavailable(method: string, os: OsVersion): string | undefined {
  const v = METHOD_VERSIONS[method];
  if (!v) return undefined;
  if (v.since && compare(os, parseOsVersion(v.since)) < 0) return `added in dstack ${v.since}`;
  if (v.removedIn && compare(os, parseOsVersion(v.removedIn)) >= 0) return `removed in dstack ${v.removedIn}`;
  return undefined;
}
