/**
 * The `rollout:` settings of `.preflight.yml` (or `--fleet FILE`, the same shape) as the rollout
 * uses them: durations in ms, paths resolved against the file's folder, defaults applied. The JSON
 * Schema (schema/preflight.schema.json, `definitions.rollout`) checks the shape; what it cannot
 * say (a Prometheus gate with no threshold, a hook template that does not parse) is checked here
 * with the file and line of the value.
 */
import { dirname, isAbsolute, resolve } from 'node:path';
import { parseDuration } from '../compose/duration.js';
import { configError, loadConfig, type PreflightConfig } from '../config/index.js';
import type { Catalogue } from '../findings/catalogue.js';
import { InputError } from '../util/errors.js';
import { parseHookTemplate } from './lb/hook-template.js';

export type OnFailure = 'rollback' | 'halt' | 'pause';

export type MaxUnavailable = { count: number } | { percent: number };

export interface Strategy {
  maxUnavailable: MaxUnavailable;
  /** How long every gate must keep passing after it first passed. */
  minHealthyTimeMs: number;
  /** Per instance: from its upgrade request until its gates first pass. */
  healthyDeadlineMs: number;
  /** The whole rollout, paused time not counted. */
  progressDeadlineMs: number;
  canary?: { count: number; pause: 'manual' | { ms: number } };
  onFailure: OnFailure;
}

export interface HttpGateSpec {
  kind: 'http';
  name: string;
  path: string;
  method: 'GET' | 'HEAD' | 'POST';
  status: number;
  jsonPath?: string;
  /** Present (even `null`) when the selected node must equal it. */
  equals?: { value: string | number | boolean | null };
  successes: number;
  intervalMs: number;
  timeoutMs: number;
}

export interface CommandGateSpec {
  kind: 'command';
  name: string;
  command: string[];
  intervalMs: number;
  timeoutMs: number;
}

export interface PrometheusGateSpec {
  kind: 'prometheus';
  name: string;
  url: string;
  query: string;
  below?: number;
  above?: number;
  intervalMs: number;
  timeoutMs: number;
}

export type GateSpec = HttpGateSpec | CommandGateSpec | PrometheusGateSpec;

export type BalancerSpec =
  | { kind: 'haproxy'; socket: string; backend: string; servers: Record<string, string>; timeoutMs: number }
  | { kind: 'hooks'; drain: string; enable: string; timeoutMs: number };

export interface PhalaFleetSpec {
  appId?: string;
  cvms?: string[];
  port?: number;
  pollIntervalMs: number;
  /** JSON-RPC endpoint for on-chain registrations (`rpc_url`). */
  rpcUrl?: string;
}

export interface LocalFleetSpec {
  replicas: number;
  /** Absolute path of the version the fleet runs before the rollout. */
  current: string;
  envFile?: string;
  service?: string;
  port?: number;
}

export interface RolloutSettings {
  /** The file the settings came from, for messages. */
  file?: string;
  backend: 'phala' | 'local';
  phala?: PhalaFleetSpec;
  local?: LocalFleetSpec;
  target: { compose: string; envFile?: string };
  strategy: Strategy;
  gates: GateSpec[];
  balancer?: BalancerSpec;
}

export const STRATEGY_DEFAULTS = {
  minHealthyTimeMs: 10_000,
  healthyDeadlineMs: 300_000,
  progressDeadlineMs: 900_000,
} as const;

const GATE_INTERVAL_MS = 1000;
const GATE_TIMEOUT_MS = 5000;
const BALANCER_TIMEOUT_MS = 60_000;
const PHALA_POLL_MS = 5000;

type Raw = Record<string, unknown>;

/**
 * The rollout settings of a loaded configuration; an InputError (file:line) when there are none or
 * they are not usable.
 */
export function rolloutSettings(config: PreflightConfig): RolloutSettings {
  const raw = config.rollout as Raw | undefined;
  if (!raw) throw new InputError('no `rollout:` settings', { file: config.file });
  const base = config.file ? dirname(resolve(config.file)) : process.cwd();
  const path = (p: string) => (isAbsolute(p) ? p : resolve(base, p));
  const at = (...segs: (string | number)[]) => ['rollout', ...segs];
  const backend = raw.backend as 'phala' | 'local';

  let phala: PhalaFleetSpec | undefined;
  let local: LocalFleetSpec | undefined;
  if (backend === 'phala') {
    const p = raw.phala as Raw | undefined;
    if (!p) throw configError(config, at('backend'), 'backend phala needs `phala:` with `app_id` or `cvms`');
    phala = {
      appId: p.app_id as string | undefined,
      cvms: p.cvms as string[] | undefined,
      port: p.port as number | undefined,
      pollIntervalMs: duration(config, p.poll_interval, at('phala', 'poll_interval'), PHALA_POLL_MS),
      ...(p.rpc_url ? { rpcUrl: p.rpc_url as string } : {}),
    };
  } else {
    const l = raw.local as Raw | undefined;
    if (!l) throw configError(config, at('backend'), 'backend local needs `local:` with the `current` version');
    local = {
      replicas: (l.replicas as number | undefined) ?? 3,
      current: path(l.current as string),
      envFile: l.env_file ? path(l.env_file as string) : undefined,
      service: l.service as string | undefined,
      port: l.port as number | undefined,
    };
  }

  const t = raw.target as Raw | undefined;
  if (!t) throw configError(config, at(), 'no `target:` (the compose project of the new version)', 'key');
  const target = { compose: path(t.compose as string), envFile: t.env_file ? path(t.env_file as string) : undefined };

  const gates = ((raw.gates as Raw[] | undefined) ?? []).map((g, i) => gateSpec(config, g, i));
  if (gates.length === 0)
    throw configError(
      config,
      at(),
      'no `gates:`: a rollout needs at least one health gate per instance (http, command or prometheus)',
      'key',
    );
  return {
    file: config.file,
    backend,
    phala,
    local,
    target,
    strategy: strategy(config, (raw.strategy as Raw | undefined) ?? {}),
    gates,
    balancer: balancer(config, raw.balancer as Raw | undefined),
  };
}

function strategy(config: PreflightConfig, s: Raw): Strategy {
  const at = (k: string, ...more: string[]) => ['rollout', 'strategy', k, ...more];
  let maxUnavailable: MaxUnavailable = { count: 1 };
  const mu = s.max_unavailable;
  if (typeof mu === 'number') maxUnavailable = { count: mu };
  else if (typeof mu === 'string') {
    const v = mu.trim();
    maxUnavailable = v.endsWith('%') ? { percent: Number(v.slice(0, -1)) } : { count: Number(v) };
  }
  let canary: Strategy['canary'];
  const c = s.canary as Raw | undefined;
  if (c) {
    const pause = c.pause ?? 'manual';
    canary = {
      count: c.count as number,
      pause: pause === 'manual' ? 'manual' : { ms: duration(config, pause, at('canary', 'pause'), 0) },
    };
  }
  return {
    maxUnavailable,
    minHealthyTimeMs: duration(config, s.min_healthy_time, at('min_healthy_time'), STRATEGY_DEFAULTS.minHealthyTimeMs),
    healthyDeadlineMs: duration(
      config,
      s.healthy_deadline,
      at('healthy_deadline'),
      STRATEGY_DEFAULTS.healthyDeadlineMs,
    ),
    progressDeadlineMs: duration(
      config,
      s.progress_deadline,
      at('progress_deadline'),
      STRATEGY_DEFAULTS.progressDeadlineMs,
    ),
    canary,
    onFailure: (s.on_failure as OnFailure | undefined) ?? 'rollback',
  };
}

function gateSpec(config: PreflightConfig, g: Raw, i: number): GateSpec {
  const at = (...segs: (string | number)[]) => ['rollout', 'gates', i, ...segs];
  const interval = (v: unknown, p: (string | number)[]) =>
    duration(config, v ?? g.interval, p, GATE_INTERVAL_MS, { positive: true });
  const timeout = (v: unknown, p: (string | number)[]) =>
    duration(config, v ?? g.timeout, p, GATE_TIMEOUT_MS, { positive: true });
  if (g.http) {
    const h = g.http as Raw;
    const path = (h.path as string | undefined) ?? '/';
    const gate: HttpGateSpec = {
      kind: 'http',
      name: (g.name as string | undefined) ?? `http ${path}`,
      path,
      method: (h.method as HttpGateSpec['method'] | undefined) ?? 'GET',
      status: (h.status as number | undefined) ?? 200,
      successes: (h.successes as number | undefined) ?? 1,
      intervalMs: interval(h.interval, at('http', 'interval')),
      timeoutMs: timeout(h.timeout, at('http', 'timeout')),
    };
    if (h.json_path !== undefined) {
      gate.jsonPath = h.json_path as string;
      const problem = jsonPathProblem(gate.jsonPath);
      if (problem) throw configError(config, at('http', 'json_path'), `not a JSON path (RFC 9535): ${problem}`);
    }
    if ('equals' in h) {
      if (gate.jsonPath === undefined)
        throw configError(config, at('http', 'equals'), '`equals` needs a `json_path` to compare', 'key');
      gate.equals = { value: h.equals as string | number | boolean | null };
    }
    return gate;
  }
  if (g.command) {
    const command = g.command as string[];
    return {
      kind: 'command',
      name: (g.name as string | undefined) ?? `command ${command[0]}`,
      command,
      intervalMs: interval(undefined, at('interval')),
      timeoutMs: timeout(undefined, at('timeout')),
    };
  }
  const p = g.prometheus as Raw;
  if (p.below === undefined && p.above === undefined)
    throw configError(config, at('prometheus'), 'a prometheus gate needs a threshold: `below` and/or `above`', 'key');
  return {
    kind: 'prometheus',
    name: (g.name as string | undefined) ?? `prometheus ${p.query as string}`,
    url: p.url as string,
    query: p.query as string,
    below: p.below as number | undefined,
    above: p.above as number | undefined,
    intervalMs: interval(p.interval, at('prometheus', 'interval')),
    timeoutMs: timeout(p.timeout, at('prometheus', 'timeout')),
  };
}

function balancer(config: PreflightConfig, b: Raw | undefined): BalancerSpec | undefined {
  if (!b) return undefined;
  const timeoutMs = duration(config, b.timeout, ['rollout', 'balancer', 'timeout'], BALANCER_TIMEOUT_MS, {
    positive: true,
  });
  if (b.haproxy) {
    const h = b.haproxy as Raw;
    return {
      kind: 'haproxy',
      socket: h.socket as string,
      backend: h.backend as string,
      servers: (h.servers as Record<string, string> | undefined) ?? {},
      timeoutMs,
    };
  }
  for (const hook of ['drain', 'enable'] as const) {
    try {
      parseHookTemplate(hook, b[hook] as string);
    } catch (e) {
      throw configError(config, ['rollout', 'balancer', hook], (e as Error).message);
    }
  }
  return { kind: 'hooks', drain: b.drain as string, enable: b.enable as string, timeoutMs };
}

function duration(
  config: PreflightConfig,
  value: unknown,
  path: (string | number)[],
  fallback: number,
  o: { positive?: boolean } = {},
): number {
  if (value === undefined) return fallback;
  const ms = parseDuration(value);
  if (ms === undefined) throw configError(config, path, 'must be a duration such as 500ms, 30s or 1m30s');
  if (o.positive && ms <= 0) throw configError(config, path, 'must be longer than 0');
  return ms;
}

let jsonPath: typeof import('jsonpath-rfc9535') | undefined;

/** Load the JSON-path library once (gates and config checks use it). */
export async function loadJsonPath(): Promise<typeof import('jsonpath-rfc9535')> {
  jsonPath ??= await import('jsonpath-rfc9535');
  return jsonPath;
}

/** Why a JSON path does not parse (first line of the parser's message), or undefined. */
function jsonPathProblem(expression: string): string | undefined {
  if (!jsonPath) return undefined; // checked again when the gate first runs
  try {
    jsonPath.query({}, expression);
    return undefined;
  } catch (e) {
    return String((e as Error).message)
      .split('\n')[0]!
      .slice(0, 160);
  }
}

/**
 * The rollout settings from `--fleet FILE` (a whole .preflight.yml, or the mapping under
 * `rollout:` on its own), else from the project's `.preflight.yml`.
 */
export async function loadRolloutSettings(opts: {
  fleetFile?: string;
  configFile?: string;
  catalogue?: Catalogue;
}): Promise<{ settings: RolloutSettings; config: PreflightConfig }> {
  await loadJsonPath();
  const file = opts.fleetFile ?? opts.configFile;
  if (!file) throw new InputError('no rollout settings: give --fleet FILE, or a .preflight.yml with `rollout:`');
  const config = loadConfig(file, { catalogue: opts.catalogue, bareSection: opts.fleetFile ? 'rollout' : undefined });
  return { settings: rolloutSettings(config), config };
}
