import { parseDuration } from '../compose/duration.js';
import { type ActionSettings, configError, type Duration, type PreflightConfig } from '../config/index.js';
import type { Path } from '../yaml/located.js';
import { type CvmOs, DEFAULT_CVM_OS, type StopMode } from '../cvm/index.js';
import type { FaultKind } from './faults.js';

/**
 * The `drill` key of `.preflight.yml` as the drills use it (docs/drills.md). The schema
 * (schema/preflight.schema.json) has checked its shape; what it cannot say (a write without
 * `{{id}}`, an exec without a service) is an error here, located like the schema's.
 */

/** A request the drill makes: HTTP from the host, or a command inside a service's container. */
export type Action =
  | {
      kind: 'http';
      method: string;
      url: string;
      body?: string;
      headers: Record<string, string>;
      status?: number;
      timeoutMs?: number;
    }
  | { kind: 'exec'; service: string; command: string[]; timeoutMs?: number };

/** How a service is known to be ready again after a fault. */
export type ReadyProbe = { kind: 'healthcheck' } | { kind: 'running' } | { kind: 'action'; action: Action };

export interface ReadyConfig {
  probe?: ReadyProbe;
  timeoutMs: number;
}

export interface WorkloadConfig {
  write: Action;
  read: Action;
  /** The service that takes the writes (the target of `kill-midwrite`). */
  service?: string;
  /** Pause between two writes. */
  intervalMs: number;
  /** A write without an answer in this time is recorded as unknown. */
  timeoutMs: number;
}

export interface DrillConfig {
  /** Per service; services not listed use their compose healthcheck, else "running". */
  ready: Record<string, ReadyConfig>;
  defaultReadyTimeoutMs: number;
  workload?: WorkloadConfig;
  faults?: FaultKind[];
  rounds?: number;
  seed?: string;
  /** How long the writer runs before and after each fault. */
  trafficMs: number;
  /** Whose boot scripts the local CVM follows (docs/platform.md#versions). */
  os: CvmOs;
  /** How the reboot fault stops the CVM; undefined: graceful unless the CLI says. */
  stop?: StopMode;
}

export const DRILL_DEFAULTS = { readyTimeoutMs: 60_000, writeIntervalMs: 20, writeTimeoutMs: 2_000, trafficMs: 1_000 };

/** Milliseconds of a duration the schema has already accepted. */
export function durationMs(d: Duration): number {
  return parseDuration(d)!;
}

/** The drill settings of a loaded configuration, with defaults for what it leaves out. */
export function drillConfigFrom(config: PreflightConfig): DrillConfig {
  const raw = config.drill ?? {};
  const defaultReadyTimeoutMs =
    raw.ready_timeout === undefined ? DRILL_DEFAULTS.readyTimeoutMs : durationMs(raw.ready_timeout);
  const cfg: DrillConfig = {
    ready: {},
    defaultReadyTimeoutMs,
    trafficMs: raw.traffic === undefined ? DRILL_DEFAULTS.trafficMs : durationMs(raw.traffic),
    os: raw.os ?? DEFAULT_CVM_OS,
    ...(raw.stop ? { stop: raw.stop } : {}),
  };
  for (const [svc, v] of Object.entries(raw.ready ?? {})) {
    if (v === 'healthcheck' || v === 'running') {
      cfg.ready[svc] = { probe: { kind: v }, timeoutMs: defaultReadyTimeoutMs };
      continue;
    }
    // Here `timeout` is the readiness deadline; the probe's own request keeps a short timeout.
    const action = actionFrom(config, ['drill', 'ready', svc], { ...v, timeout: undefined }, 'GET', svc);
    cfg.ready[svc] = {
      probe: { kind: 'action', action },
      timeoutMs: v.timeout === undefined ? defaultReadyTimeoutMs : durationMs(v.timeout),
    };
  }
  const w = raw.workload;
  if (w) {
    const write = actionFrom(config, ['drill', 'workload', 'write'], w.write, 'POST');
    const read = actionFrom(config, ['drill', 'workload', 'read'], w.read, 'GET');
    if (!JSON.stringify(write).includes('{{id}}')) {
      throw configError(
        config,
        ['drill', 'workload', 'write'],
        'drill.workload.write: must use {{id}} (in the URL, body or command) so each write is distinct',
      );
    }
    cfg.workload = {
      write,
      read,
      service: w.service ?? (write.kind === 'exec' ? write.service : undefined),
      intervalMs: w.interval === undefined ? DRILL_DEFAULTS.writeIntervalMs : durationMs(w.interval),
      timeoutMs: w.timeout === undefined ? DRILL_DEFAULTS.writeTimeoutMs : durationMs(w.timeout),
    };
  }
  if (raw.faults) cfg.faults = raw.faults as FaultKind[];
  if (raw.rounds !== undefined) cfg.rounds = raw.rounds;
  if (raw.seed !== undefined) cfg.seed = String(raw.seed);
  return cfg;
}

/**
 * One request of the drill settings. `defaultService` is the service an exec runs in when the
 * action does not name one (a readiness probe runs in its own service).
 */
export function actionFrom(
  config: PreflightConfig,
  path: Path,
  a: ActionSettings,
  httpMethod: string,
  defaultService?: string,
  defaultTimeoutMs?: number,
): Action {
  const timeoutMs = a.timeout === undefined ? defaultTimeoutMs : durationMs(a.timeout);
  if (a.http !== undefined) {
    const m = /^(?:([A-Z]+)\s+)?(https?:\/\/\S+)$/.exec(a.http.trim())!;
    const headers: Record<string, string> = {};
    for (const [h, hv] of Object.entries(a.headers ?? {})) headers[h] = String(hv);
    return { kind: 'http', method: m[1] ?? httpMethod, url: m[2]!, body: a.body, headers, status: a.status, timeoutMs };
  }
  const spec = Array.isArray(a.exec) ? { command: a.exec, service: a.service } : a.exec!;
  const service = spec.service ?? a.service ?? defaultService;
  if (service === undefined)
    throw configError(config, [...path, 'exec'], `${describePath(path)}.exec: needs \`service\``);
  return { kind: 'exec', service, command: spec.command, timeoutMs };
}

function describePath(path: Path): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i ? `.${p}` : p)).join('');
}
