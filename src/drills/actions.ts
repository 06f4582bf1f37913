import http from 'node:http';
import https from 'node:https';
import type { Engine } from '../docker/engine.js';
import type { Action } from './config.js';

/**
 * Performs a workload or probe action and classifies the outcome the way a history needs it:
 * `ok` (acknowledged), `fail` (known not applied: refused connection, error answer, container not
 * running) or `unknown` (may or may not have been applied: timeout, connection cut mid-request).
 */
export type Outcome = 'ok' | 'fail' | 'unknown';

export interface ActionResult {
  outcome: Outcome;
  status?: number;
  body?: string;
  /** Short reason, never containing request data. */
  error?: string;
}

export interface ActionContext {
  engine: Engine;
  /** Container id of a running container of the service, if any. */
  containerOf(service: string): Promise<string | undefined>;
  /** Variables for `${VAR}` in HTTP URLs, bodies and headers (from the env file). */
  vars: ReadonlyMap<string, string>;
}

export async function perform(
  action: Action,
  ctx: ActionContext,
  id: string | undefined,
  timeoutMs: number,
): Promise<ActionResult> {
  const fill = (s: string) => substitute(s, id, ctx.vars);
  if (action.kind === 'http') {
    const r = await httpRequest(
      action.method,
      fill(action.url),
      action.body === undefined ? undefined : fill(action.body),
      Object.fromEntries(Object.entries(action.headers).map(([k, v]) => [k, fill(v)])),
      action.timeoutMs ?? timeoutMs,
    );
    if (r.outcome !== 'ok') return r;
    const wanted = action.status;
    const good = wanted !== undefined ? r.status === wanted : r.status! >= 200 && r.status! < 300;
    return good ? r : { ...r, outcome: 'fail', error: `HTTP ${r.status}` };
  }
  const cid = await ctx.containerOf(action.service);
  if (!cid) return { outcome: 'fail', error: `service ${action.service} has no running container` };
  const r = await ctx.engine.exec(
    cid,
    action.command.map((c) => substitute(c, id, new Map())),
    action.timeoutMs ?? timeoutMs,
  );
  if (r.code === 0) return { outcome: 'ok', body: r.stdout };
  // 137: killed (the timeout above, or a fault) while running: it may have done its work.
  if (r.code === 137) return { outcome: 'unknown', error: 'command killed or timed out' };
  if (/is not running|No such container|is restarting/i.test(r.stderr))
    return { outcome: 'fail', error: 'container not running' };
  return { outcome: 'fail', error: `exit ${r.code}` };
}

/** `{{id}}` → the operation's value; `${VAR}` → a variable of the env file (HTTP only). */
export function substitute(s: string, id: string | undefined, vars: ReadonlyMap<string, string>): string {
  let out = id === undefined ? s : s.replaceAll('{{id}}', id);
  out = out.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (m, name: string) => vars.get(name) ?? m);
  return out;
}

function httpRequest(
  method: string,
  url: string,
  body: string | undefined,
  headers: Record<string, string>,
  timeoutMs: number,
): Promise<ActionResult> {
  return new Promise((resolve) => {
    let sent = false;
    let done = false;
    const finish = (r: ActionResult) => {
      if (!done) {
        done = true;
        clearTimeout(timer);
        resolve(r);
      }
    };
    const mod = url.startsWith('https:') ? https : http;
    // A fresh connection per request (no keep-alive), so a fault never leaves a stale pooled socket.
    const req = mod.request(
      url,
      {
        method,
        agent: false,
        headers: {
          ...(body !== undefined && !hasHeader(headers, 'content-type') ? { 'content-type': 'application/json' } : {}),
          ...headers,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          finish({ outcome: 'ok', status: res.statusCode, body: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', () => finish({ outcome: 'unknown', error: 'connection cut while reading the answer' }));
        res.on('aborted', () => finish({ outcome: 'unknown', error: 'connection cut while reading the answer' }));
      },
    );
    const timer = setTimeout(() => {
      req.destroy();
      finish({ outcome: sent ? 'unknown' : 'fail', error: `no answer within ${timeoutMs}ms` });
    }, timeoutMs);
    req.on('error', (e: NodeJS.ErrnoException) => {
      // Refused: nothing reached the app. Anything after the connection opened may have been applied.
      if (e.code === 'ECONNREFUSED' || e.code === 'ENOTFOUND' || e.code === 'EADDRNOTAVAIL')
        finish({ outcome: 'fail', error: e.code });
      else finish({ outcome: 'unknown', error: e.code ?? 'connection error' });
    });
    req.on('socket', (s) => s.on('connect', () => (sent = true)));
    req.end(body);
  });
}

function hasHeader(h: Record<string, string>, name: string): boolean {
  return Object.keys(h).some((k) => k.toLowerCase() === name);
}

/** The ids a read returned: a JSON array, `{"ids": [...]}`, or one id per line. */
export function parseReadIds(body: string): string[] {
  const text = body.trim();
  if (text.startsWith('[') || text.startsWith('{')) {
    try {
      const v = JSON.parse(text) as unknown;
      const arr = Array.isArray(v)
        ? v
        : typeof v === 'object' && v !== null && Array.isArray((v as { ids?: unknown }).ids)
          ? (v as { ids: unknown[] }).ids
          : undefined;
      if (arr)
        return arr.map((x) =>
          typeof x === 'object' && x !== null && 'id' in x ? String((x as { id: unknown }).id) : String(x),
        );
    } catch {
      // not JSON after all: lines
    }
  }
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
}
