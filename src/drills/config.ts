import { InputError } from '../util/errors.js';
import { nodeAt, type LNode, type Path } from '../yaml/located.js';
import { parseDuration } from '../compose/duration.js';
import { FAULT_KINDS, type FaultKind } from './faults.js';

/**
 * The `drill` key of `.preflight.yml`, validated into a typed DrillConfig (docs/drills.md).
 * Errors name the file and line of the offending key.
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
}

export const DRILL_DEFAULTS = { readyTimeoutMs: 60_000, writeIntervalMs: 20, writeTimeoutMs: 2_000, trafficMs: 1_000 };

// `upgrade` is validated by the upgrade drill (src/drills/upgrade/config.ts).
const TOP_KEYS = ['ready', 'workload', 'faults', 'rounds', 'seed', 'traffic', 'ready_timeout', 'upgrade'];

export function parseDrillConfig(raw: unknown, where: { file?: string; tree?: LNode } = {}): DrillConfig {
  const fail = (path: Path, what: string): never => {
    const at = nodeAt(where.tree, ['drill', ...path]);
    const loc = at.keyLoc ?? at.node?.loc ?? at.nearestKeyLoc ?? at.nearest?.loc;
    throw new InputError(`drill${path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${p}`)).join('')}: ${what}`, {
      file: where.file,
      line: loc?.line,
      column: loc?.column,
    });
  };
  const cfg: DrillConfig = {
    ready: {},
    defaultReadyTimeoutMs: DRILL_DEFAULTS.readyTimeoutMs,
    trafficMs: DRILL_DEFAULTS.trafficMs,
  };
  if (raw === undefined || raw === null) return cfg;
  if (!isObject(raw)) return fail([], 'must be a mapping');
  for (const k of Object.keys(raw))
    if (!TOP_KEYS.includes(k)) fail([k], `unknown key (expected one of ${TOP_KEYS.join(', ')})`);

  const duration = (path: Path, v: unknown): number =>
    parseDuration(v) ?? fail(path, `"${String(v)}" is not a duration (e.g. 500ms, 30s, 1m)`);
  if (raw.ready_timeout !== undefined) cfg.defaultReadyTimeoutMs = duration(['ready_timeout'], raw.ready_timeout);
  if (raw.traffic !== undefined) cfg.trafficMs = duration(['traffic'], raw.traffic);

  const action = (path: Path, v: unknown, httpMethod: string): Action => {
    if (!isObject(v)) return fail(path, 'must be a mapping with `http` or `exec`');
    const timeoutMs = v.timeout === undefined ? undefined : duration([...path, 'timeout'], v.timeout);
    if (v.http !== undefined) {
      if (typeof v.http !== 'string') return fail([...path, 'http'], 'must be a string "[METHOD] URL"');
      const m = /^(?:([A-Z]+)\s+)?(https?:\/\/\S+)$/.exec(v.http.trim());
      if (!m) return fail([...path, 'http'], `"${v.http}" is not "[METHOD] http(s)://…"`);
      const headers: Record<string, string> = {};
      if (v.headers !== undefined) {
        if (!isObject(v.headers)) return fail([...path, 'headers'], 'must be a mapping');
        for (const [h, hv] of Object.entries(v.headers)) headers[h] = String(hv);
      }
      if (v.body !== undefined && typeof v.body !== 'string') return fail([...path, 'body'], 'must be a string');
      if (
        v.status !== undefined &&
        !(Number.isInteger(v.status) && (v.status as number) >= 100 && (v.status as number) < 600)
      )
        fail([...path, 'status'], 'must be an HTTP status code');
      return {
        kind: 'http',
        method: m[1] ?? httpMethod,
        url: m[2]!,
        body: v.body as string | undefined,
        headers,
        status: v.status as number | undefined,
        timeoutMs,
      };
    }
    if (v.exec !== undefined) {
      const e = v.exec;
      const spec = Array.isArray(e) ? { command: e, service: v.service } : isObject(e) ? e : undefined;
      if (!spec) return fail([...path, 'exec'], 'must be a command list or { service, command }');
      const command = spec.command;
      if (!Array.isArray(command) || command.length === 0 || !command.every((c) => typeof c === 'string'))
        return fail([...path, 'exec', 'command'], 'must be a non-empty list of strings');
      const service = spec.service;
      if (typeof service !== 'string') return fail([...path, 'exec'], 'needs `service`');
      return { kind: 'exec', service, command: command as string[], timeoutMs };
    }
    return fail(path, 'needs `http` or `exec`');
  };

  if (raw.ready !== undefined) {
    if (!isObject(raw.ready)) fail(['ready'], 'must be a mapping of service → probe');
    for (const [svc, v] of Object.entries(raw.ready as Record<string, unknown>)) {
      const path = ['ready', svc];
      if (v === 'healthcheck' || v === 'running') {
        cfg.ready[svc] = { probe: { kind: v }, timeoutMs: cfg.defaultReadyTimeoutMs };
        continue;
      }
      if (!isObject(v)) fail(path, 'must be "healthcheck", "running", or a mapping with `http` or `exec`');
      const o = v as Record<string, unknown>;
      const timeoutMs = o.timeout === undefined ? cfg.defaultReadyTimeoutMs : duration([...path, 'timeout'], o.timeout);
      // The probe's own request timeout is short; `timeout` here is the readiness deadline.
      const a = action(path, { ...o, timeout: undefined, service: o.service ?? svc }, 'GET');
      cfg.ready[svc] = { probe: { kind: 'action', action: a }, timeoutMs };
    }
  }

  if (raw.workload !== undefined) {
    const w = raw.workload;
    if (!isObject(w)) return fail(['workload'], 'must be a mapping with `write` and `read`');
    for (const k of Object.keys(w))
      if (!['write', 'read', 'service', 'interval', 'timeout'].includes(k))
        fail(['workload', k], 'unknown key (expected write, read, service, interval, timeout)');
    if (w.write === undefined) fail(['workload'], 'needs `write`');
    if (w.read === undefined) fail(['workload'], 'needs `read`');
    if (w.service !== undefined && typeof w.service !== 'string')
      fail(['workload', 'service'], 'must be a service name');
    const write = action(['workload', 'write'], w.write, 'POST');
    const read = action(['workload', 'read'], w.read, 'GET');
    for (const [name, a] of [
      ['write', write],
      ['read', read],
    ] as const) {
      if (!JSON.stringify(a).includes('{{id}}') && name === 'write')
        fail(['workload', name], 'must use {{id}} (in the URL, body or command) so each write is distinct');
    }
    cfg.workload = {
      write,
      read,
      service: (w.service as string | undefined) ?? (write.kind === 'exec' ? write.service : undefined),
      intervalMs:
        w.interval === undefined ? DRILL_DEFAULTS.writeIntervalMs : duration(['workload', 'interval'], w.interval),
      timeoutMs: w.timeout === undefined ? DRILL_DEFAULTS.writeTimeoutMs : duration(['workload', 'timeout'], w.timeout),
    };
  }

  if (raw.faults !== undefined) {
    if (!Array.isArray(raw.faults) || raw.faults.length === 0)
      fail(['faults'], `must be a non-empty list of ${FAULT_KINDS.join(', ')}`);
    cfg.faults = (raw.faults as unknown[]).map((f, i) =>
      typeof f === 'string' && (FAULT_KINDS as readonly string[]).includes(f)
        ? (f as FaultKind)
        : fail(['faults', i], `unknown fault "${String(f)}" (expected ${FAULT_KINDS.join(', ')})`),
    );
  }
  if (raw.rounds !== undefined) {
    if (!Number.isInteger(raw.rounds) || (raw.rounds as number) < 1 || (raw.rounds as number) > 1000)
      fail(['rounds'], 'must be an integer from 1 to 1000');
    cfg.rounds = raw.rounds as number;
  }
  if (raw.seed !== undefined) cfg.seed = String(raw.seed);
  return cfg;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
