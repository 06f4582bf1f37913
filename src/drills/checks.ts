import type { Finding, Severity } from '../findings/types.js';
import type { ContainerInfo, LayerChange } from '../docker/engine.js';
import type { StopOutcome } from '../cvm/index.js';
import type { SetCheck } from './history.js';
import { findSecretInText } from '../knowledge/secret-detect.js';
import { maskSecrets, worthScanning } from '../cvm/mask.js';
import { formatMs } from '../util/format-ms.js';
import { DRILL_RULES, type DrillRuleId } from './rules.js';

/** The drill's checks as findings, each pointing at the compose service definition (ids and metadata: rules.ts). */
export { DRILL_RULES, type DrillRuleId };
/** Shared with the local CVM (src/cvm/mask.ts), which masks what its pre-launch sandbox reports. */
export { maskSecrets, worthScanning };

/** Paths every container changes by itself (the engine's own files, scratch space). */
export const DIFF_NOISE = [
  '/etc/hostname',
  '/etc/hosts',
  '/etc/resolv.conf',
  '/etc/mtab',
  '/dev',
  '/proc',
  '/sys',
  '/run',
  '/var/run',
  '/tmp',
  '/var/tmp',
  '/root/.npm',
  '/root/.cache',
];

/** Restarts by the engine during one wait that make a loop rather than one recovery. */
export const RESTART_LOOP_THRESHOLD = 3;

type Where = { file: string; line: number; column: number };
/** What a check needs of the app version it reports on (a CvmApp): where a service is defined. */
type Located = { where(service: string): Where; services: readonly string[] };

export function finding(
  ruleId: DrillRuleId,
  message: string,
  where: Where,
  service?: string,
  severity?: Severity,
): Finding {
  const rule = DRILL_RULES[ruleId];
  return {
    ruleId,
    severity: severity ?? rule.severity,
    section: rule.section,
    message,
    ...where,
    ...(service ? { service } : {}),
  };
}

export function notReady(app: Located, service: string, after: string, ms: number, detail: string): Finding {
  return finding(
    'drill-not-ready',
    `${service} was not ready again within ${formatMs(ms)} after ${after} (last seen: ${detail})`,
    app.where(service),
    service,
  );
}

export function restartLoop(app: Located, service: string, restarts: number, after: string): Finding {
  return finding(
    'drill-restart-loop',
    `${service} was restarted ${restarts} times by the engine after ${after}: it crashes on start`,
    app.where(service),
    service,
  );
}

export function sigtermIgnored(app: Located, o: StopOutcome, during: string): Finding {
  return finding(
    'drill-sigterm-ignored',
    `${o.service} did not exit within its stop_grace_period (${formatMs(o.graceMs)}) after the stop signal ` +
      `during ${during}; the engine killed it (exit 137). Handle SIGTERM (or run with init: true) and exit after ` +
      `saving state`,
    app.where(o.service),
    o.service,
  );
}

export function lostWrites(app: Located, service: string | undefined, check: SetCheck): Finding[] {
  const where = service ? app.where(service) : app.where(app.services[0]!);
  const out: Finding[] = [];
  if (check.lost.length) {
    const sample = check.lost.slice(0, 5).join(', ');
    out.push(
      finding(
        'drill-lost-writes',
        `${check.lost.length} of ${check.acknowledged} acknowledged writes were not read back after the faults ` +
          `(e.g. ${sample}${check.lost.length > 5 ? ', …' : ''}): data is not on a named volume or not flushed ` +
          `before acknowledging`,
        where,
        service,
      ),
    );
  }
  if (check.unexpected.length) {
    out.push(
      finding(
        'drill-lost-writes',
        `${check.unexpected.length} values were read back that were never written ` +
          `(e.g. ${check.unexpected.slice(0, 5).join(', ')}): the read is not returning the drill's data`,
        where,
        service,
      ),
    );
  }
  return out;
}

export function readFailed(app: Located, service: string | undefined, error: string): Finding {
  const where = service ? app.where(service) : app.where(app.services[0]!);
  return finding(
    'drill-lost-writes',
    `the final read failed (${error}), so no acknowledged write could be confirmed`,
    where,
    service,
  );
}

/**
 * Files in a container's writable layer: they vanish when the container is recreated. Changes
 * under mounts, the engine's own files, and directories that only changed because of a child or a
 * mount point are left out.
 */
export function filesOutsideVolumes(changes: LayerChange[], container: ContainerInfo): string[] {
  const mounts = container.Mounts.map((m) => m.Destination);
  const under = (p: string, roots: string[]) =>
    roots.some((r) => p === r || p.startsWith(r.endsWith('/') ? r : r + '/'));
  const isAncestor = (p: string, of: string) => of.startsWith(p === '/' ? '/' : p + '/');
  // Leaves first (a directory changes when anything below it does, noise included), then filter.
  const all = changes.filter((c) => c.kind !== 'D').map((c) => c.path);
  const leaves = all.filter(
    (p) => !all.some((q) => q !== p && isAncestor(p, q)) && !mounts.some((m) => isAncestor(p, m)),
  );
  return leaves.filter((p) => !under(p, mounts) && !under(p, DIFF_NOISE)).sort();
}

export function writeOutsideVolume(app: Located, service: string, paths: string[]): Finding {
  const shown = paths.slice(0, 5).join(', ') + (paths.length > 5 ? `, … (${paths.length} in all)` : '');
  return finding(
    'drill-write-outside-volume',
    `${service} wrote files outside any volume during the workload (${shown}); they are lost when the container ` +
      `is recreated (CVM restart, upgrade)`,
    app.where(service),
    service,
  );
}

/** Secrets seen in logs, by name only (never the value). */
export function secretsInLogs(log: string, env: ReadonlyMap<string, string>): { names: string[]; patterns: string[] } {
  const names = [...env]
    .filter(([k, v]) => worthScanning(k, v) && log.includes(v))
    .map(([k]) => k)
    .sort();
  const patterns = [...new Set(findSecretInText(log).map((m) => m.what))].sort();
  return { names, patterns };
}

export function secretInLogs(
  app: Located,
  service: string,
  hit: { names: string[]; patterns: string[] },
  publicLogs: boolean,
): Finding {
  const what = [...hit.names.map((n) => `the value of ${n}`), ...hit.patterns.map((p) => `a ${p}`)].join(', ');
  const exposure = publicLogs
    ? "public_logs is on, so anyone can read it at the CVM's /logs endpoint"
    : 'public_logs is off, but anyone with log access can read it';
  return finding(
    'drill-secret-in-logs',
    `${service} printed ${what} to its logs (value not shown); ${exposure}`,
    app.where(service),
    service,
    publicLogs ? 'error' : 'warning',
  );
}
