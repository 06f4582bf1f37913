import { connect } from 'node:net';
import { type AdminState, LoadBalancerError, type OperationalState } from './types.js';

/**
 * HAProxy's runtime API (the "stats socket" CLI, management guide §9.3), one command per
 * connection in non-interactive mode: HAProxy answers and closes. Admin commands need the socket
 * declared with `level admin`.
 */

/** A unix socket path, or a TCP address for a `stats socket ipv4@host:port` listener. */
export type RuntimeSocket = string | { host: string; port: number };

export interface HaproxyApiOptions {
  socket: RuntimeSocket;
  /** Bound on one command (connect, send, full answer). Default 5 s. */
  timeoutMs?: number;
  /** Bound on one answer's size. Default 8 MiB (a `show stat` of thousands of servers fits). */
  maxReplyBytes?: number;
}

/** One server row of `show stat` (the fields a rollout needs; the raw row is kept). */
export interface HaproxyServerStat {
  backend: string;
  server: string;
  /** Current sessions: requests being served by the server right now. */
  scur: number;
  /** Requests waiting in the server's own queue. */
  qcur: number;
  /** Total sessions the server got since start (or since its counters were cleared). */
  stot: number;
  /** Status word: `UP`, `UP 1/2`, `DOWN`, `NOLB`, `DRAIN`, `MAINT`, `no check` … */
  status: string;
  /** `host:port` (HAProxy ≥ 1.9 reports it). */
  addr?: string;
  raw: Record<string, string>;
}

/** One row of `show servers state <backend>`: administrative and operational state. */
export interface HaproxyServerState {
  backend: string;
  server: string;
  address: string;
  port: number;
  admin: AdminState;
  operational: OperationalState;
  /** The raw `srv_admin_state` bit field (FMAINT 0x01, IMAINT 0x02, CMAINT 0x04, FDRAIN 0x08 …). */
  adminBits: number;
  /** The raw `srv_op_state`: 0 stopped, 1 starting, 2 running, 3 stopping. */
  opState: number;
  /** Health checks configured and enabled (`srv_check_state` CONFIGURED 0x2 and ENABLED 0x4; paused in maintenance). */
  checks: boolean;
}

// srv_admin_state bits (haproxy include/haproxy/server-t.h): every maintenance cause, every drain cause.
const ADMIN_MAINT_BITS = 0x01 | 0x02 | 0x04 | 0x20 | 0x40;
const ADMIN_DRAIN_BITS = 0x08 | 0x10;
// Proxy and server names as HAProxy accepts them; anything else could smuggle a second command (`;`, newline).
const NAME = /^[A-Za-z0-9_.:-]+$/;

export function assertHaproxyName(what: string, name: string): void {
  if (!NAME.test(name))
    throw new LoadBalancerError(`haproxy: invalid ${what} name '${name}' (letters, digits, _ . : -)`);
}

export class HaproxyRuntimeApi {
  private readonly socket: RuntimeSocket;
  private readonly timeoutMs: number;
  private readonly maxReplyBytes: number;

  constructor(opts: HaproxyApiOptions) {
    this.socket = opts.socket;
    this.timeoutMs = opts.timeoutMs ?? 5000;
    this.maxReplyBytes = opts.maxReplyBytes ?? 8 * 1024 * 1024;
  }

  /** Where the API listens, for messages. */
  get where(): string {
    return typeof this.socket === 'string' ? this.socket : `${this.socket.host}:${this.socket.port}`;
  }

  /** Send one command; the answer without its terminating blank line. */
  command(cmd: string): Promise<string> {
    if (/[\n\r;]/.test(cmd)) throw new LoadBalancerError(`haproxy: refusing a command with ';' or a newline`);
    return new Promise((resolve, reject) => {
      const sock = typeof this.socket === 'string' ? connect({ path: this.socket }) : connect(this.socket);
      const chunks: Buffer[] = [];
      let size = 0;
      let settled = false;
      const finish = (err: Error | undefined, out?: string) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        sock.destroy();
        if (err) reject(err);
        else resolve(out ?? '');
      };
      const timer = setTimeout(
        () =>
          finish(
            new LoadBalancerError(
              `haproxy runtime API at ${this.where}: no answer to '${cmd}' within ${this.timeoutMs} ms`,
            ),
          ),
        this.timeoutMs,
      );
      sock.on('connect', () => sock.end(`${cmd}\n`));
      sock.on('data', (b: Buffer) => {
        size += b.length;
        if (size > this.maxReplyBytes)
          finish(new LoadBalancerError(`haproxy runtime API: answer to '${cmd}' exceeds ${this.maxReplyBytes} bytes`));
        else chunks.push(b);
      });
      sock.on('end', () => finish(undefined, Buffer.concat(chunks).toString('utf8').replace(/\n+$/, '')));
      sock.on('error', (e: NodeJS.ErrnoException) =>
        finish(new LoadBalancerError(`haproxy runtime API at ${this.where}: ${e.code ?? e.message}`)),
      );
    });
  }

  /** Server rows of `show stat` for one backend (type 4 = servers only). */
  async serverStats(backend: string): Promise<HaproxyServerStat[]> {
    assertHaproxyName('backend', backend);
    const out = await this.command(`show stat ${backend} 4 -1`);
    if (/^No such proxy/.test(out)) throw new LoadBalancerError(`haproxy: no backend '${backend}'`);
    if (!out.startsWith('# ')) throw new LoadBalancerError(`haproxy: show stat ${backend}: ${firstLine(out)}`);
    const [header, ...rows] = out.split('\n');
    const names = parseCsvLine(header!.slice(2));
    const stats: HaproxyServerStat[] = [];
    for (const line of rows) {
      if (!line.trim()) continue;
      const cells = parseCsvLine(line);
      const raw: Record<string, string> = {};
      names.forEach((n, i) => {
        if (n) raw[n] = cells[i] ?? '';
      });
      if (raw.pxname !== backend || raw.svname === 'BACKEND' || raw.svname === 'FRONTEND') continue;
      stats.push({
        backend,
        server: raw.svname ?? '',
        scur: Number(raw.scur) || 0,
        qcur: Number(raw.qcur) || 0,
        stot: Number(raw.stot) || 0,
        status: raw.status ?? '',
        addr: raw.addr || undefined,
        raw,
      });
    }
    if (stats.length === 0)
      throw new LoadBalancerError(`haproxy: backend '${backend}' has no servers (or does not exist)`);
    return stats;
  }

  /** `show servers state <backend>`: admin/operational state and address of each server. */
  async serversState(backend: string): Promise<HaproxyServerState[]> {
    assertHaproxyName('backend', backend);
    const out = await this.command(`show servers state ${backend}`);
    const lines = out.split('\n');
    const headerAt = lines.findIndex((l) => l.startsWith('# '));
    if (headerAt < 0) throw new LoadBalancerError(`haproxy: show servers state ${backend}: ${firstLine(out)}`);
    const names = lines[headerAt]!.slice(2).trim().split(/\s+/);
    const col = (cells: string[], n: string) => cells[names.indexOf(n)] ?? '';
    return lines
      .slice(headerAt + 1)
      .filter((l) => l.trim())
      .map((l) => {
        const cells = l.trim().split(/\s+/);
        const adminBits = Number(col(cells, 'srv_admin_state')) || 0;
        const opState = Number(col(cells, 'srv_op_state')) || 0;
        const checkState = Number(col(cells, 'srv_check_state')) || 0;
        const admin: AdminState =
          adminBits & ADMIN_MAINT_BITS ? 'maint' : adminBits & ADMIN_DRAIN_BITS ? 'drain' : 'ready';
        return {
          backend: col(cells, 'be_name'),
          server: col(cells, 'srv_name'),
          address: col(cells, 'srv_addr'),
          port: Number(col(cells, 'srv_port')) || 0,
          admin,
          operational: opState === 0 ? 'down' : 'up',
          adminBits,
          opState,
          checks: (checkState & 0x6) === 0x6,
        } satisfies HaproxyServerState;
      });
  }

  /** `set server <backend>/<server> state ready|drain|maint`; HAProxy answers nothing on success. */
  async setServerState(backend: string, server: string, state: AdminState): Promise<void> {
    assertHaproxyName('backend', backend);
    assertHaproxyName('server', server);
    const out = await this.command(`set server ${backend}/${server} state ${state}`);
    if (out.trim())
      throw new LoadBalancerError(`haproxy: set server ${backend}/${server} state ${state}: ${firstLine(out)}`);
  }

  /**
   * `set server <backend>/<server> addr <host> port <port>`. HAProxy answers in prose either way;
   * success says what changed ("port changed from …") or that nothing had to.
   */
  async setServerAddress(backend: string, server: string, host: string, port: number): Promise<void> {
    assertHaproxyName('backend', backend);
    assertHaproxyName('server', server);
    if (!/^[A-Za-z0-9_.:[\]-]+$/.test(host)) throw new LoadBalancerError(`haproxy: invalid address '${host}'`);
    if (!Number.isInteger(port) || port < 1 || port > 65535)
      throw new LoadBalancerError(`haproxy: invalid port ${port}`);
    const out = await this.command(`set server ${backend}/${server} addr ${host} port ${port}`);
    if (!/changed from|no need to change/.test(out))
      throw new LoadBalancerError(
        `haproxy: set server ${backend}/${server} addr ${host} port ${port}: ${firstLine(out)}`,
      );
  }

  /**
   * `set server <backend>/<server> health up|stopping|down`: force the health-check state; with
   * checks running, the server then needs `rise` passing checks to be UP again.
   */
  async setServerHealth(backend: string, server: string, health: 'up' | 'stopping' | 'down'): Promise<void> {
    assertHaproxyName('backend', backend);
    assertHaproxyName('server', server);
    const out = await this.command(`set server ${backend}/${server} health ${health}`);
    if (out.trim())
      throw new LoadBalancerError(`haproxy: set server ${backend}/${server} health ${health}: ${firstLine(out)}`);
  }

  /** `show info` as a map (`Version`, `Pid`, `CurrConns` …). */
  async info(): Promise<Record<string, string>> {
    const out = await this.command('show info');
    const info: Record<string, string> = {};
    for (const line of out.split('\n')) {
      const at = line.indexOf(':');
      if (at > 0) info[line.slice(0, at).trim()] = line.slice(at + 1).trim();
    }
    if (!info.Version) throw new LoadBalancerError(`haproxy: show info: ${firstLine(out)}`);
    return info;
  }
}

function firstLine(s: string): string {
  const line = s.split('\n').find((l) => l.trim()) ?? '(empty answer)';
  return line.length > 200 ? `${line.slice(0, 200)}…` : line;
}

/** One CSV line as HAProxy writes it (fields with commas or quotes are double-quoted). */
export function parseCsvLine(line: string): string[] {
  const cells: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cur += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      cells.push(cur);
      cur = '';
    } else cur += c;
  }
  cells.push(cur);
  return cells;
}
