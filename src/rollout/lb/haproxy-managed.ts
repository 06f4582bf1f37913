import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { assertHaproxyName } from './haproxy-api.js';
import {
  findHaproxy,
  haproxyVersion,
  MIN_HAPROXY_ADD_SERVER,
  type HaproxyVersion,
  versionAtLeast,
} from './haproxy-binary.js';
import { checkRetryOn, type HaproxyHealthCheck, type HaproxyTimeouts, renderHaproxyConfig } from './haproxy-config.js';
import { HaproxyBalancer, type HaproxyWaits } from './haproxy.js';
import { type LbInstance, LoadBalancerError } from './types.js';

export interface ManagedHaproxyOptions extends HaproxyWaits {
  /** The instances behind the balancer, one server each, in this order. */
  instances: LbInstance[];
  /** Frontend address. Default 127.0.0.1. */
  host?: string;
  /** Frontend port. Default: an ephemeral port (Preflight opens the listener and hands it to HAProxy). */
  port?: number;
  /** The haproxy binary. Default: `findHaproxy()` (PREFLIGHT_HAPROXY, /usr/sbin/haproxy, PATH). */
  binary?: string;
  /** Backend name. Default `fleet`. */
  backend?: string;
  /** Retries on another server after a connection failure or an empty answer. Default 3. */
  retries?: number;
  /** HAProxy `retry-on` keywords; default `DEFAULT_RETRY_ON` (see haproxy-config.ts). */
  retryOn?: string[];
  /** Health checks (default: TCP connect every 500 ms, fall 2, rise 1); `false` for none. */
  healthCheck?: HaproxyHealthCheck | false;
  timeouts?: HaproxyTimeouts;
  /** How long to wait for HAProxy to answer on its runtime API after start. Default 10 s. */
  startTimeoutMs?: number;
}

/** Where a URL of an instance points HAProxy; only plain HTTP (a local rehearsal). */
export function serverAddress(url: string, instanceId = '?'): { host: string; port: number } {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new LoadBalancerError(`haproxy-managed: instance ${instanceId}: invalid URL '${url}'`, instanceId);
  }
  if (u.protocol !== 'http:')
    throw new LoadBalancerError(
      `haproxy-managed: instance ${instanceId}: only http:// URLs, not '${u.protocol}'`,
      instanceId,
    );
  const host = u.hostname.replace(/^\[(.*)\]$/, '$1');
  return { host, port: u.port ? Number(u.port) : 80 };
}

/** HAProxy server names from instance ids: unsafe characters become `_`, duplicates get a suffix. */
export function serverNames(ids: string[]): Map<string, string> {
  const names = new Map<string, string>();
  const used = new Set<string>();
  for (const id of ids) {
    const base = id.replace(/[^A-Za-z0-9_.:-]/g, '_') || 'instance';
    let name = base;
    for (let n = 2; used.has(name); n++) name = `${base}-${n}`;
    used.add(name);
    names.set(id, name);
  }
  return names;
}

// Children still running when Node exits (a crash, process.exit) must not outlive us holding the port.
const live = new Set<ChildProcess>();
let exitHookInstalled = false;
function track(child: ChildProcess): void {
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.on('exit', () => {
      for (const c of live) c.kill('SIGKILL');
    });
  }
  live.add(child);
  child.once('exit', () => live.delete(child));
}

/**
 * Start Debian's HAProxy as a child process for a local rehearsal: config, runtime socket and
 * nothing else in a fresh temp dir; resolves once HAProxy answers on its runtime API (the
 * frontend listens from then on).
 */
export async function startManagedHaproxy(opts: ManagedHaproxyOptions): Promise<ManagedHaproxy> {
  const binary = opts.binary ?? findHaproxy();
  if (!binary)
    throw new LoadBalancerError('haproxy-managed: no haproxy binary (install haproxy, or set PREFLIGHT_HAPROXY)');
  const version = await haproxyVersion(binary);
  if (opts.instances.length === 0) throw new LoadBalancerError('haproxy-managed: no instances');
  const seen = new Set<string>();
  for (const i of opts.instances) {
    if (seen.has(i.id)) throw new LoadBalancerError(`haproxy-managed: instance id '${i.id}' given twice`, i.id);
    seen.add(i.id);
  }
  const backend = opts.backend ?? 'fleet';
  assertHaproxyName('backend', backend);
  if (opts.healthCheck && opts.healthCheck.path !== undefined && !/^\/[\x21-\x7e]*$/.test(opts.healthCheck.path))
    throw new LoadBalancerError(`haproxy-managed: health check path must start with / and have no spaces`);
  try {
    if (opts.retryOn) checkRetryOn(opts.retryOn);
  } catch (e) {
    throw new LoadBalancerError(`haproxy-managed: ${(e as Error).message}`);
  }
  const names = serverNames(opts.instances.map((i) => i.id));
  const servers = opts.instances.map((i) => ({ name: names.get(i.id)!, ...serverAddress(i.url, i.id) }));
  const host = opts.host ?? '127.0.0.1';

  const dir = mkdtempSync(join(tmpdir(), 'preflight-haproxy-'));
  const socketPath = join(dir, 'admin.sock');
  let listener: Server | undefined;
  try {
    let bind: string;
    let port: number;
    let fd: number | undefined;
    if (opts.port !== undefined) {
      port = opts.port;
      bind = `${host.includes(':') ? `[${host}]` : host}:${port}`;
    } else {
      // HAProxy refuses port 0; we open the listener on an ephemeral port and hand its descriptor over
      // (`bind fd@3`), so the port is ours from the start and nothing can take it in between.
      listener = await listenEphemeral(host);
      port = (listener.address() as { port: number }).port;
      fd = (listener as unknown as { _handle?: { fd?: number } })._handle?.fd;
      if (typeof fd !== 'number' || fd < 0)
        throw new LoadBalancerError(
          'haproxy-managed: cannot hand a listening socket to haproxy on this platform; give a port',
        );
      bind = 'fd@3';
    }
    const config = renderHaproxyConfig({
      socketPath,
      bind,
      backend,
      servers,
      retries: opts.retries,
      retryOn: opts.retryOn,
      healthCheck: opts.healthCheck,
      timeouts: opts.timeouts,
    });
    const configPath = join(dir, 'haproxy.cfg');
    writeFileSync(configPath, config);
    const stdio: ('ignore' | 'pipe' | number)[] = ['ignore', 'ignore', 'pipe'];
    if (fd !== undefined) stdio.push(fd);
    const child = spawn(binary, ['-db', '-f', configPath], { cwd: dir, stdio });
    track(child);
    // Our copy of the listener is closed in the same tick: from here on only HAProxy accepts on it.
    listener?.close();
    listener = undefined;
    const managed = new ManagedHaproxy(
      { ...opts, socket: socketPath, backend, servers: names },
      { child, dir, configPath, socketPath, host, port, version, binary },
    );
    await managed.waitStarted(opts.startTimeoutMs ?? 10_000);
    return managed;
  } catch (err) {
    listener?.close();
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}

interface ManagedParts {
  child: ChildProcess;
  dir: string;
  configPath: string;
  socketPath: string;
  host: string;
  port: number;
  version: HaproxyVersion;
  binary: string;
}

/** A HAProxy Preflight started; the runtime-API balancer plus the process, its address and its files. */
export class ManagedHaproxy extends HaproxyBalancer {
  override readonly kind = 'haproxy-managed';
  readonly host: string;
  readonly port: number;
  readonly version: HaproxyVersion;
  readonly configPath: string;
  readonly socketPath: string;
  private readonly child: ChildProcess;
  private readonly dir: string;
  private readonly checks: boolean;
  private stderrTail = '';
  private closed = false;

  constructor(opts: ConstructorParameters<typeof HaproxyBalancer>[0] & ManagedHaproxyOptions, parts: ManagedParts) {
    super(opts);
    this.child = parts.child;
    this.dir = parts.dir;
    this.configPath = parts.configPath;
    this.socketPath = parts.socketPath;
    this.host = parts.host;
    this.port = parts.port;
    this.version = parts.version;
    this.checks = opts.healthCheck !== false;
    this.child.stderr?.on('data', (b: Buffer) => {
      // A bounded tail: enough for the ALERT lines that explain a failed start.
      this.stderrTail = (this.stderrTail + b.toString('utf8')).slice(-16 * 1024);
    });
  }

  /** The frontend, where the load goes: `http://127.0.0.1:<port>`. */
  get url(): string {
    return `http://${this.host.includes(':') ? `[${this.host}]` : this.host}:${this.port}`;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** HAProxy's stderr so far (bounded tail), for diagnostics. */
  get log(): string {
    return this.stderrTail;
  }

  /** Resolve once the runtime API answers; reject with HAProxy's own ALERT lines if it exits first. */
  async waitStarted(timeoutMs: number): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    let exited: string | undefined;
    this.child.once('exit', (code, signal) => {
      exited = signal ? `signal ${signal}` : `exit code ${code}`;
    });
    this.child.once('error', (e) => {
      exited = e.message;
    });
    for (;;) {
      if (exited !== undefined) {
        // Let the last stderr bytes arrive before quoting them.
        await sleep(20);
        throw new LoadBalancerError(`haproxy-managed: haproxy stopped at start (${exited}): ${this.alerts()}`);
      }
      try {
        await this.api.info();
        return;
      } catch {}
      if (performance.now() > deadline) {
        await this.close();
        throw new LoadBalancerError(
          `haproxy-managed: haproxy did not answer on ${this.socketPath} within ${timeoutMs} ms`,
        );
      }
      await sleep(25);
    }
  }

  /** The instance moved (its port changed): point its server at the new URL. */
  async setInstanceUrl(instanceId: string, url: string): Promise<void> {
    const { host, port } = serverAddress(url, instanceId);
    await this.setAddress(instanceId, host, port);
  }

  /**
   * Add an instance at runtime (`add server`, HAProxy ≥ 2.5). It starts out of rotation, in
   * maintenance; `enable(id)` puts it in.
   */
  async addInstance(instance: LbInstance): Promise<void> {
    if (this.servers.has(instance.id))
      throw new LoadBalancerError(`haproxy-managed: instance '${instance.id}' is already a server`, instance.id);
    if (!versionAtLeast(this.version, MIN_HAPROXY_ADD_SERVER))
      throw new LoadBalancerError(
        `haproxy-managed: adding a server at runtime needs HAProxy ${MIN_HAPROXY_ADD_SERVER.text}; this ` +
          `is ${this.version.text}`,
      );
    const { host, port } = serverAddress(instance.url, instance.id);
    const taken = new Set(this.servers.values());
    let name = serverNames([instance.id]).get(instance.id)!;
    for (let n = 2; taken.has(name); n++) name = `${serverNames([instance.id]).get(instance.id)}-${n}`;
    const addr = host.includes(':') ? `[${host}]` : host;
    const checkArgs = this.checks ? ' check inter 500 fall 2 rise 1' : '';
    const out = await this.api.command(`add server ${this.backend}/${name} ${addr}:${port}${checkArgs}`);
    if (!/registered/i.test(out))
      throw new LoadBalancerError(`haproxy-managed: add server ${name}: ${out.split('\n')[0]}`, instance.id);
    if (this.checks) {
      const health = await this.api.command(`enable health ${this.backend}/${name}`);
      if (health.trim())
        throw new LoadBalancerError(`haproxy-managed: enable health ${name}: ${health.split('\n')[0]}`);
    }
    this.servers.set(instance.id, name);
  }

  /** Stop HAProxy (SIGTERM, then SIGKILL after 5 s) and remove its temp dir. Idempotent. */
  override async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const child = this.child;
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      const hard = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(hard);
    }
    rmSync(this.dir, { recursive: true, force: true });
  }

  private alerts(): string {
    const lines = this.stderrTail.split('\n').filter((l) => /\[(ALERT|WARNING)\]/.test(l));
    const text = (lines.length ? lines : this.stderrTail.split('\n').filter(Boolean)).slice(0, 3).join(' | ');
    return text.replace(/\s+/g, ' ').slice(0, 600) || '(no output)';
  }
}

function listenEphemeral(host: string): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    // No connection handler runs: HAProxy gets the descriptor before Node's loop accepts on it.
    server.listen({ port: 0, host, exclusive: true }, () => resolve(server));
  });
}
