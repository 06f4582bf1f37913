import { chmodSync, rmSync } from 'node:fs';
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { connect, type Socket } from 'node:net';
import { readBounded, type Upstream, upstreamOptions } from './upstream.js';

/**
 * A Docker Engine API endpoint for one CVM's pre-launch script: a unix socket the sandbox container
 * gets as `/var/run/docker.sock`. Each request is routed by `route` (routes.ts): forwarded to the
 * real engine as it is, forwarded with its answer narrowed to the CVM's resources, answered from
 * the CVM's model (image pulls and prunes), or refused with a message the `docker` CLI prints.
 */
export type RouteDecision =
  | { kind: 'forward'; body?: Buffer; filter?: (json: unknown) => unknown; onJson?: (json: unknown) => void }
  | { kind: 'answer'; status: number; json?: unknown; lines?: unknown[]; verdict: 'modelled' | 'scoped' }
  | { kind: 'refuse'; status: number; message: string };

export interface ProxiedCall {
  method: string;
  path: string;
  verdict: 'forwarded' | 'scoped' | 'modelled' | 'refused';
  status: number;
  note?: string;
}

export interface RouteRequest {
  method: string;
  /** Path without the `/v1.xx` prefix. */
  path: string;
  query: URLSearchParams;
  /** The request body, for the routes that read it (bounded). */
  body: () => Promise<Buffer>;
}

export interface EngineProxy {
  socketPath: string;
  close(): Promise<void>;
}

const MAX_BODY = 4 * 1024 * 1024;

export async function startEngineProxy(
  socketPath: string,
  upstream: Upstream,
  route: (req: RouteRequest) => Promise<RouteDecision>,
  onCall: (call: ProxiedCall) => void,
): Promise<EngineProxy> {
  rmSync(socketPath, { force: true });
  const sockets = new Set<Socket>();
  const server: Server = createServer((req, res) => {
    void handle(req, res).catch((err: Error) => {
      if (!res.headersSent) reply(res, 500, { message: `preflight sandbox: ${err.message}` });
      else res.destroy();
    });
  });

  async function decide(req: IncomingMessage): Promise<{ r: RouteRequest; d: RouteDecision; prefix: string }> {
    const url = new URL(req.url ?? '/', 'http://docker');
    const m = /^(\/v\d+(?:\.\d+)?)?(\/.*)$/.exec(url.pathname)!;
    let body: Promise<Buffer> | undefined;
    const r: RouteRequest = {
      method: req.method ?? 'GET',
      path: decodeURIComponent(m[2]!),
      query: url.searchParams,
      body: () => (body ??= readBounded(req, MAX_BODY)),
    };
    return { r, d: await route(r), prefix: m[1] ?? '' };
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const { r, d } = await decide(req);
    const shown = shownPath(r);
    if (d.kind === 'refuse') {
      onCall({ method: r.method, path: shown, verdict: 'refused', status: d.status, note: d.message });
      return reply(res, d.status, { message: `preflight sandbox: ${d.message}` });
    }
    if (d.kind === 'answer') {
      onCall({ method: r.method, path: shown, verdict: d.verdict, status: d.status });
      if (d.lines) {
        res.writeHead(d.status, { 'Content-Type': 'application/json' });
        for (const l of d.lines) res.write(`${JSON.stringify(l)}\n`);
        return void res.end();
      }
      return reply(res, d.status, d.json);
    }
    const headers = { ...req.headers };
    if (d.body) {
      headers['content-length'] = String(d.body.length);
      delete headers['transfer-encoding'];
    }
    const up = request(upstreamOptions(upstream, { method: r.method, path: req.url, headers }), (upRes) => {
      onCall({
        method: r.method,
        path: shown,
        verdict: d.filter ? 'scoped' : 'forwarded',
        status: upRes.statusCode ?? 500,
      });
      if (!d.filter && !d.onJson) {
        res.writeHead(upRes.statusCode ?? 500, upRes.headers);
        upRes.pipe(res);
        return;
      }
      readBounded(upRes, 32 * 1024 * 1024)
        .then((buf) => {
          let json: unknown;
          try {
            json = JSON.parse(buf.toString('utf8'));
          } catch {
            json = undefined;
          }
          if ((upRes.statusCode ?? 500) >= 300 || json === undefined) {
            res.writeHead(upRes.statusCode ?? 500, upRes.headers);
            return void res.end(buf);
          }
          d.onJson?.(json);
          reply(res, upRes.statusCode ?? 200, d.filter ? d.filter(json) : json);
        })
        .catch(() => res.destroy());
    });
    up.on('error', (err) => {
      if (!res.headersSent) reply(res, 502, { message: `preflight sandbox: engine unreachable: ${err.message}` });
    });
    if (d.body) up.end(d.body);
    else if (r.method === 'GET' || r.method === 'HEAD') up.end();
    else req.pipe(up);
  }

  // attach and exec start take over the connection (HTTP upgrade): pass the raw bytes both ways.
  server.on('upgrade', (req: IncomingMessage, client: Socket, head: Buffer) => {
    void (async () => {
      const { r, d } = await decide(req);
      if (d.kind !== 'forward') {
        const message = d.kind === 'refuse' ? d.message : 'not available';
        onCall({ method: r.method, path: shownPath(r), verdict: 'refused', status: 403, note: message });
        const body = JSON.stringify({ message: `preflight sandbox: ${message}` });
        client.end(
          `HTTP/1.1 403 Forbidden\r\nContent-Type: ` +
            `application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
        );
        return;
      }
      onCall({ method: r.method, path: shownPath(r), verdict: 'forwarded', status: 101 });
      const up = 'socketPath' in upstream ? connect(upstream.socketPath) : connect(upstream.port, upstream.host);
      sockets.add(up);
      up.on('close', () => sockets.delete(up));
      const lines = [`${req.method} ${req.url} HTTP/1.1`];
      for (let i = 0; i < req.rawHeaders.length; i += 2) lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
      up.write(`${lines.join('\r\n')}\r\n\r\n`);
      if (head.length) up.write(head);
      up.pipe(client);
      client.pipe(up);
      up.on('error', () => client.destroy());
      client.on('error', () => up.destroy());
    })().catch(() => client.destroy());
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socketPath, () => resolve());
  });
  // The sandbox container's user must reach it; the folder it sits in keeps others out.
  chmodSync(socketPath, 0o666);
  return {
    socketPath,
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(socketPath, { force: true });
    },
  };
}

function reply(res: ServerResponse, status: number, json: unknown): void {
  const body = json === undefined ? '' : JSON.stringify(json);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

/** The path as reports show it: no query but the image a pull names. */
function shownPath(r: RouteRequest): string {
  const image = r.query.get('fromImage');
  if (!image) return r.path;
  const tag = r.query.get('tag');
  return `${r.path}?fromImage=${image}${tag ? `:${tag}` : ''}`;
}
