import { compareKeyLogs, type KeyChange, type KeyLogEntry, type KeyProvider } from '../agent/index.js';
import type { Deployment } from '../compose/deployment.js';
import type { KeyPhase, KeyRecord } from '../findings/drill-report.js';
import type { Finding } from '../findings/types.js';
import { finding } from './checks.js';

/**
 * The drill's key check: every key the app asked the guest-agent stand-in for, recorded per phase of
 * the run (the first start, after each fault, after the upgrade, after the rollback), compared
 * across phases. The agent sees requests per socket, not per container: a request is attributed to
 * the service mounting the socket, or to all of them when several do.
 */

export type { KeyPhase, KeyRecord };

/** The services mounting the agent socket, and where each is defined (for findings). */
export interface KeyCheckContext {
  mounters: { service: string; targets: string[] }[];
  where(service: string): { file: string; line: number; column: number };
  /** Where the key provider setting comes from, for the message (keyProviderSource). */
  providerSource: string;
}

export function phaseOf(
  phase: string,
  provider: KeyProvider,
  entries: readonly KeyLogEntry[],
  fault?: number,
): KeyPhase {
  const byKey = new Map<string, KeyRecord>();
  for (const e of entries) {
    const id = JSON.stringify([e.endpoint, e.path, e.purpose, e.algorithm, e.publicKeyHex]);
    const slot = byKey.get(id);
    if (slot) slot.requests++;
    else
      byKey.set(id, {
        endpoint: e.endpoint,
        path: e.path,
        purpose: e.purpose,
        algorithm: e.algorithm,
        publicKeyHex: e.publicKeyHex,
        stable: e.stable,
        requests: 1,
      });
  }
  return { phase, ...(fault !== undefined ? { fault } : {}), provider, keys: [...byKey.values()] };
}

const asLog = (keys: readonly KeyRecord[]): KeyLogEntry[] =>
  keys.map((k) => ({
    time: '',
    appId: '',
    endpoint: k.endpoint,
    path: k.path,
    purpose: k.purpose,
    algorithm: k.algorithm,
    publicKeyHex: k.publicKeyHex,
    stable: k.stable,
  }));

/** Each key request whose key changed, with the phases after which it came back different. */
export function keyChanges(phases: readonly KeyPhase[]): { change: KeyChange; phases: string[] }[] {
  const out = new Map<string, { change: KeyChange; phases: string[] }>();
  for (let i = 1; i < phases.length; i++) {
    const earlier = phases.slice(0, i).flatMap((p) => asLog(p.keys));
    for (const c of compareKeyLogs(earlier, asLog(phases[i]!.keys))) {
      const id = JSON.stringify([c.endpoint, c.path, c.purpose, c.algorithm]);
      const slot = out.get(id);
      if (slot) {
        slot.phases.push(phases[i]!.phase);
        slot.change.after = [...new Set([...slot.change.after, ...c.after])].filter(
          (k) => !slot.change.before.includes(k),
        );
      } else
        out.set(id, {
          change: { ...c, after: c.after.filter((k) => !c.before.includes(k)) },
          phases: [phases[i]!.phase],
        });
    }
  }
  return [...out.values()];
}

/**
 * `drill-key-changed` per changed key, `drill-keys-unstable` when keys were asked for without a stable key provider.
 */
export function keyFindings(phases: readonly KeyPhase[], ctx: KeyCheckContext): Finding[] {
  if (!ctx.mounters.length) return [];
  const service = ctx.mounters[0]!.service;
  const where = ctx.where(service);
  const who =
    ctx.mounters.length === 1
      ? `${service} asked the agent (through ${ctx.mounters[0]!.targets.join(', ')})`
      : `a service mounting the agent socket (${ctx.mounters.map((m) => m.service).join(', ')}) asked the agent`;
  const svc = ctx.mounters.length === 1 ? service : undefined;
  const out: Finding[] = [];
  for (const { change: c, phases: after } of keyChanges(phases)) {
    const was = c.before.map(short).join(', ');
    const now = c.after.map(short).join(', ');
    out.push(
      finding(
        'drill-key-changed',
        `${who} for ${describeKey(c)} and got another key after ${after.join(', ')} (public key ${was} ` +
          `→ ${now}): data encrypted or signed with the earlier key can no longer be read or verified`,
        where,
        svc,
      ),
    );
  }
  const unstable = phases.filter((p) => p.provider === 'none' && p.keys.some((k) => k.stable));
  if (unstable.length) {
    const paths = [
      ...new Set(unstable.flatMap((p) => p.keys.filter((k) => k.stable).map((k) => JSON.stringify(k.path)))),
    ];
    out.push(
      finding(
        'drill-keys-unstable',
        `${who} for ${paths.length} key path(s) ` +
          `(${paths.slice(0, 5).join(', ')}${paths.length > 5 ? ', …' : ''}), but the deployment has no stable key ` +
          `provider (${ctx.providerSource}): every reboot and upgrade gives new keys`,
        where,
        svc,
      ),
    );
  }
  return out;
}

/** "key_provider: none in .preflight.yml:4" — the setting that decides, and where it is written. */
export function keyProviderSource(d: Deployment): string {
  const s = d.settings;
  const field = s.key_provider !== undefined ? 'key_provider' : !s.kms_enabled ? 'kms_enabled' : 'key_provider';
  const value = field === 'key_provider' ? (s.key_provider ?? 'kms') : String(s.kms_enabled);
  const loc = d.locations[field];
  const at = d.file
    ? ` in ${d.file}${loc ? `:${loc.line}` : ''}`
    : d.source === 'phala-cloud-defaults'
      ? ', the Phala Cloud default'
      : '';
  const extra = field === 'kms_enabled' && !s.local_key_provider_enabled ? ', no local key provider' : '';
  return `${field}: ${value}${extra}${at}`;
}

function describeKey(c: KeyChange): string {
  return `key path ${JSON.stringify(c.path)} (purpose ${JSON.stringify(c.purpose)}, ${c.algorithm}, ${c.endpoint})`;
}

function short(hex: string): string {
  return hex.length > 20 ? `${hex.slice(0, 10)}…${hex.slice(-6)}` : hex;
}

/** One line per phase for the text reports. */
export function renderKeyPhases(phases: readonly KeyPhase[]): string[] {
  if (!phases.length) return [];
  // A key is marked in the phases after which it came back different.
  const changed = new Set(
    keyChanges(phases).flatMap((c) =>
      c.phases.map((p) => JSON.stringify([p, c.change.endpoint, c.change.path, c.change.purpose, c.change.algorithm])),
    ),
  );
  const out = [`Keys from the agent (key provider ${[...new Set(phases.map((p) => p.provider))].join(' → ')})`];
  for (const p of phases) {
    const stable = p.keys.filter((k) => k.stable);
    const list = stable.map((k) => {
      const id = JSON.stringify([p.phase, k.endpoint, k.path, k.purpose, k.algorithm]);
      return `${JSON.stringify(k.path)} ${short(k.publicKeyHex)}${changed.has(id) ? ' (CHANGED)' : ''}`;
    });
    const perCall = p.keys.length - stable.length;
    out.push(
      `  ${p.phase.padEnd(24)} ${stable.length ? list.join(', ') : 'no key requested'}` +
        (perCall > 0 ? ` (+${perCall} per-call TLS key(s))` : ''),
    );
  }
  return out;
}
