import { request, type IncomingMessage, type RequestOptions } from 'node:http';
import { execFileCapture } from '../../docker/exec.js';

/** Where the real engine listens: a unix socket or plain TCP (TLS engines are not proxied). */
export type Upstream = { socketPath: string } | { host: string; port: number };

/**
 * The engine the `docker` CLI talks to: DOCKER_HOST, else the current context's endpoint, else the
 * default socket. Returns a reason instead when the endpoint cannot be proxied (TLS, ssh).
 */
export async function resolveUpstream(env: NodeJS.ProcessEnv = process.env): Promise<Upstream | { reason: string }> {
  let host = env.DOCKER_HOST;
  if (!host) {
    const r = await execFileCapture('docker', ['context', 'inspect', '--format', '{{.Endpoints.docker.Host}}'], {
      timeoutMs: 10_000,
    });
    host = r.code === 0 ? r.stdout.trim() : '';
  }
  if (!host) return { socketPath: '/var/run/docker.sock' };
  if (host.startsWith('unix://')) return { socketPath: host.slice('unix://'.length) };
  if (host.startsWith('tcp://') && env.DOCKER_TLS_VERIFY !== '1') {
    const u = new URL(host.replace(/^tcp:/, 'http:'));
    return { host: u.hostname, port: Number(u.port || 2375) };
  }
  return {
    reason:
      `the engine endpoint ${host.replace(/\/\/[^@/]*@/, '//')} cannot be proxied (only unix sockets and plain ` +
      `TCP)`,
  };
}

export function upstreamOptions(up: Upstream, opts: RequestOptions): RequestOptions {
  return 'socketPath' in up ? { ...opts, socketPath: up.socketPath } : { ...opts, host: up.host, port: up.port };
}

/** One request to the real engine, answered as status and parsed JSON (bounded). */
export function upstreamJson(
  up: Upstream,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; json: unknown }> {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const req = request(
      upstreamOptions(up, {
        method,
        path,
        headers: {
          Host: 'docker',
          ...(data ? { 'Content-Type': 'application/json', 'Content-Length': data.length } : {}),
        },
      }),
      (res) => {
        readBounded(res, 32 * 1024 * 1024)
          .then((buf) => {
            let json: unknown;
            try {
              json = buf.length ? JSON.parse(buf.toString('utf8')) : undefined;
            } catch {
              json = undefined;
            }
            resolve({ status: res.statusCode ?? 500, json });
          })
          .catch(reject);
      },
    );
    req.on('error', reject);
    req.end(data);
  });
}

/** Read a stream up to `limit` bytes; more is an error (every read bounded). */
export function readBounded(stream: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let size = 0;
    stream.on('data', (b: Buffer) => {
      size += b.length;
      if (size > limit) {
        stream.destroy();
        reject(new Error(`more than ${limit} bytes`));
        return;
      }
      parts.push(b);
    });
    stream.on('end', () => resolve(Buffer.concat(parts)));
    stream.on('error', reject);
  });
}
