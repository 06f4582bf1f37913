import { setTimeout as sleep } from 'node:timers/promises';
import {
  assertHaproxyName,
  type HaproxyServerState,
  type HaproxyServerStat,
  HaproxyRuntimeApi,
  type RuntimeSocket,
} from './haproxy-api.js';
import {
  type DrainResult,
  type EnableResult,
  type LbInstanceState,
  type LbState,
  type LoadBalancer,
  LoadBalancerError,
  requireKnown,
} from './types.js';

/** Bounds of the waits in `drain` and `enable`, shared by the external and the managed HAProxy. */
export interface HaproxyWaits {
  /** How long `drain` waits for the server's sessions and queue to reach 0. Default 30 s. */
  drainTimeoutMs?: number;
  /** How long `enable` waits for the server to report UP. Default 30 s. */
  enableTimeoutMs?: number;
  /** Interval between `show stat` polls while waiting. Default 50 ms. */
  pollIntervalMs?: number;
}

export interface HaproxyBalancerOptions extends HaproxyWaits {
  /** The runtime API socket (`stats socket … level admin`): a unix socket path or a TCP address. */
  socket: RuntimeSocket;
  /** The backend whose servers are the fleet's instances. */
  backend: string;
  /** Instance id → HAProxy server name in `backend`. */
  servers: Readonly<Record<string, string>> | ReadonlyMap<string, string>;
  /** Bound on one runtime API command. Default 5 s. */
  apiTimeoutMs?: number;
}

/**
 * A HAProxy the user runs, driven through its runtime API. `drain` sets the server to DRAIN
 * (weight 0: the balancing algorithm picks it no more; only persistence — stick tables, cookies —
 * could still send it new requests) and then waits until HAProxy counts no current session and no
 * queued request on it: every request it had was answered.
 */
export class HaproxyBalancer implements LoadBalancer {
  readonly kind: string = 'haproxy';
  readonly api: HaproxyRuntimeApi;
  readonly backend: string;
  protected readonly servers: Map<string, string>;
  private readonly drainTimeoutMs: number;
  private readonly enableTimeoutMs: number;
  private readonly pollIntervalMs: number;

  constructor(opts: HaproxyBalancerOptions) {
    assertHaproxyName('backend', opts.backend);
    this.backend = opts.backend;
    this.servers = new Map(opts.servers instanceof Map ? opts.servers : Object.entries(opts.servers));
    for (const server of this.servers.values()) assertHaproxyName('server', server);
    this.api = new HaproxyRuntimeApi({ socket: opts.socket, timeoutMs: opts.apiTimeoutMs });
    this.drainTimeoutMs = opts.drainTimeoutMs ?? 30_000;
    this.enableTimeoutMs = opts.enableTimeoutMs ?? 30_000;
    this.pollIntervalMs = opts.pollIntervalMs ?? 50;
  }

  /** Check that the backend exists and has every mapped server; fails naming the missing ones. */
  async verify(): Promise<void> {
    const stats = await this.api.serverStats(this.backend);
    const present = new Set(stats.map((s) => s.server));
    const missing = [...this.servers].filter(([, server]) => !present.has(server));
    if (missing.length)
      throw new LoadBalancerError(
        `haproxy: backend '${this.backend}' has no ` +
          `server ${missing.map(([id, s]) => `'${s}' (instance ${id})`).join(', ')}`,
      );
  }

  /** The HAProxy server name of an instance. */
  serverOf(instanceId: string): string {
    return requireKnown(this.servers, instanceId, this.kind);
  }

  async drain(instanceId: string): Promise<DrainResult> {
    const server = this.serverOf(instanceId);
    const started = performance.now();
    await this.api.setServerState(this.backend, server, 'drain');
    const deadline = started + this.drainTimeoutMs;
    for (;;) {
      const stat = await this.stat(server);
      const inFlight = stat.scur + stat.qcur;
      const waitedMs = performance.now() - started;
      if (inFlight === 0) return { instance: instanceId, drained: true, evidence: 'sessions', waitedMs, inFlight: 0 };
      if (performance.now() >= deadline)
        return { instance: instanceId, drained: false, evidence: 'sessions', waitedMs, inFlight };
      await sleep(this.pollIntervalMs);
    }
  }

  async enable(instanceId: string): Promise<EnableResult> {
    const server = this.serverOf(instanceId);
    const started = performance.now();
    const before = await this.serverState(server);
    if (before.admin === 'ready' && before.operational === 'up') return { instance: instanceId, waitedMs: 0 };
    // Leaving maintenance, HAProxy counts a server UP at once (its health is reset to the last
    // result, from before, maybe from another address), and it would get traffic before any check.
    // So: out of maintenance into drain (still no traffic), force health down, then ready: "UP"
    // then means a check passed after enable.
    if (before.checks) {
      if (before.admin === 'maint') await this.api.setServerState(this.backend, server, 'drain');
      await this.api.setServerHealth(this.backend, server, 'down');
    }
    await this.api.setServerState(this.backend, server, 'ready');
    const deadline = started + this.enableTimeoutMs;
    for (;;) {
      const state = await this.serverState(server);
      if (state.admin === 'ready' && state.operational === 'up')
        return { instance: instanceId, waitedMs: performance.now() - started };
      if (performance.now() >= deadline) {
        const stat = await this.stat(server);
        throw new LoadBalancerError(
          `haproxy: ${this.backend}/${server} (instance ${instanceId}) is not UP ${this.enableTimeoutMs} ms ` +
            `after enable: ` +
            `status ${stat.status}${stat.raw.check_desc ? ` (${stat.raw.check_desc})` : ''}`,
          instanceId,
        );
      }
      await sleep(this.pollIntervalMs);
    }
  }

  /** Point an instance's server at a new address (its port changed); HAProxy applies it to new connections. */
  async setAddress(instanceId: string, host: string, port: number): Promise<void> {
    await this.api.setServerAddress(this.backend, this.serverOf(instanceId), host, port);
  }

  async state(): Promise<LbState> {
    const [stats, states] = await Promise.all([
      this.api.serverStats(this.backend),
      this.api.serversState(this.backend),
    ]);
    const instances: LbInstanceState[] = [];
    for (const [instance, server] of this.servers) {
      const stat = stats.find((s) => s.server === server);
      const st = states.find((s) => s.server === server);
      if (!stat || !st)
        throw new LoadBalancerError(`haproxy: backend '${this.backend}' has no server '${server}'`, instance);
      instances.push({
        instance,
        server,
        admin: st.admin,
        operational: st.operational,
        inFlight: stat.scur,
        queued: stat.qcur,
        address: stat.addr ?? `${st.address}:${st.port}`,
        status: stat.status,
      });
    }
    return { instances };
  }

  /** The user's HAProxy stays as it is: nothing to release. */
  async close(): Promise<void> {}

  private async stat(server: string): Promise<HaproxyServerStat> {
    const found = (await this.api.serverStats(this.backend)).find((s) => s.server === server);
    if (!found) throw new LoadBalancerError(`haproxy: backend '${this.backend}' has no server '${server}'`);
    return found;
  }

  private async serverState(server: string): Promise<HaproxyServerState> {
    const found = (await this.api.serversState(this.backend)).find((s) => s.server === server);
    if (!found) throw new LoadBalancerError(`haproxy: backend '${this.backend}' has no server '${server}'`);
    return found;
  }
}
