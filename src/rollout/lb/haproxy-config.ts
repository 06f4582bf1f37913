/**
 * The configuration of the HAProxy Preflight runs for a local rehearsal: one HTTP frontend, one
 * round-robin backend with a server per instance. The retry settings are what make a server that
 * just went away cost no failed request (docs/decisions.md, "Managed HAProxy retries").
 */

export interface HaproxyServerSpec {
  /** HAProxy server name (letters, digits, `_ . : -`). */
  name: string;
  host: string;
  port: number;
}

export interface HaproxyHealthCheck {
  /** HTTP path to GET (`option httpchk`); without it the check is a TCP connect. */
  path?: string;
  /** Interval between checks. Default 500 ms. */
  intervalMs?: number;
  /** Consecutive failures that mark a server DOWN. Default 2. */
  fall?: number;
  /** Consecutive successes that mark it UP again. Default 1. */
  rise?: number;
}

export interface HaproxyTimeouts {
  /** Connect to a server. Also HAProxy's pause before retrying a refused connection (min(this, 1 s)). Default 1 s. */
  connectMs?: number;
  /** Client and server inactivity. Default 30 s. */
  idleMs?: number;
  /** A request waiting for a free server. Default 5 s. */
  queueMs?: number;
}

export interface HaproxyConfigSpec {
  /** Unix socket of the runtime API (admin level). */
  socketPath: string;
  /** `fd@3` for a listener Preflight opened, or `host:port`. */
  bind: string;
  backend: string;
  servers: HaproxyServerSpec[];
  /** Connection retries on another server after a failure (default 3). */
  retries?: number;
  /**
   * When to retry (HAProxy `retry-on`). Default `conn-failure empty-response junk-response`:
   * besides refused connections, a request a server took but closed without answering (killed
   * mid-request) is re-sent to another server. `['conn-failure']` is HAProxy's own default.
   */
  retryOn?: string[];
  /** `false`: no health checks (a dead, undrained server is found by the retries only). */
  healthCheck?: HaproxyHealthCheck | false;
  timeouts?: HaproxyTimeouts;
  maxconn?: number;
}

export const DEFAULT_RETRY_ON = ['conn-failure', 'empty-response', 'junk-response'];
const RETRY_ON = new Set([
  'none',
  'conn-failure',
  'empty-response',
  'junk-response',
  'response-timeout',
  '0rtt-rejected',
  'all-retryable-errors',
]);

/** Retry-on keywords HAProxy 2.x knows (plus 3-digit statuses); throws on anything else. */
export function checkRetryOn(keywords: string[]): void {
  for (const k of keywords)
    if (!RETRY_ON.has(k) && !/^[45]\d\d$/.test(k)) throw new Error(`unknown retry-on keyword '${k}'`);
}

export function renderHaproxyConfig(spec: HaproxyConfigSpec): string {
  const t = spec.timeouts ?? {};
  const idle = t.idleMs ?? 30_000;
  const check = spec.healthCheck === false ? undefined : (spec.healthCheck ?? {});
  const checkArgs = check
    ? ` check inter ${check.intervalMs ?? 500} fastinter ${check.intervalMs ?? 500} fall ${check.fall ?? 2} ` +
      `rise ${check.rise ?? 1}`
    : '';
  const lines = [
    '# Written by Preflight for a local rollout rehearsal; regenerated on every start.',
    'global',
    `  stats socket ${spec.socketPath} mode 600 level admin expose-fd listeners`,
    '  stats timeout 10s',
    `  maxconn ${spec.maxconn ?? 4096}`,
    '',
    'defaults',
    '  mode http',
    `  timeout connect ${t.connectMs ?? 1000}ms`,
    `  timeout client ${idle}ms`,
    `  timeout server ${idle}ms`,
    `  timeout queue ${t.queueMs ?? 5000}ms`,
    '  timeout http-request 10s',
    // Longer than the load generator's idle sockets live, so HAProxy never closes a client
    // connection just as a request is sent on it.
    `  timeout http-keep-alive ${idle}ms`,
    // A refused or reset connection, or a server that closed without answering, is retried; with
    // `redispatch 1` every retry goes to another server, not the one that just failed.
    `  retries ${spec.retries ?? 3}`,
    '  option redispatch 1',
    `  retry-on ${(spec.retryOn ?? DEFAULT_RETRY_ON).join(' ')}`,
    '',
    'frontend preflight_in',
    `  bind ${spec.bind}`,
    `  default_backend ${spec.backend}`,
    '',
    `backend ${spec.backend}`,
    '  balance roundrobin',
    // Re-sending a request the server may have acted on is only safe when it is idempotent.
    '  http-request disable-l7-retry unless METH_GET || METH_OPTIONS',
  ];
  if (check?.path) lines.push(`  option httpchk GET ${check.path}`, '  http-check expect status 200-399');
  for (const s of spec.servers) lines.push(`  server ${s.name} ${formatHost(s.host)}:${s.port}${checkArgs}`);
  return `${lines.join('\n')}\n`;
}

function formatHost(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}
