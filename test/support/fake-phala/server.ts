/**
 * A stand-in for the Phala Cloud API on 127.0.0.1 (port 0), serving a simulated fleet (fleet.ts).
 * Every answer is checked against `@phala/cloud`'s own zod schema before it is sent, as
 * test/secrets/fake-cloud.ts does, so the client is tested against exactly what the SDK accepts.
 *
 * The request log keeps method, raw path, body keys and header names, never a value from a body
 * or a header: tests assert call sequences on it, and may print it.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  CvmContainersStatsSchema,
  CvmInfoDetailV20260121Schema,
  CvmNetworkSchema,
  CvmStateSchema,
  GetCvmStatusBatchRequestSchema,
  PatchCvmRequestSchema,
  PatchCvmResultSchema,
} from '@phala/cloud';
import { containers, info, network, revision, revisions, statusBatch, valid, validArray } from './answers.js';
import { type FakeReplica, Fleet, type FleetOptions } from './fleet.js';

export interface LoggedRequest {
  method: string;
  /** As received, relative to /api/v1 when under it. */
  path: string;
  query: string;
  bodyKeys: string[];
  /** Names of the X-… headers sent (values are not kept). */
  headers: string[];
  /** For POST /status/batch: the vm_uuids asked for (ids, not secrets). */
  vmUuids?: string[];
  /** For a confirmation (PATCH with X-Compose-Hash / X-Transaction-Hash): both hashes (public, not secrets). */
  confirm?: { composeHash: string; transactionHash: string };
  status: number;
}

export interface Fault {
  status: number;
  /** How many matching requests get it (default 1). */
  count?: number;
  /** Retry-After header value. */
  retryAfter?: string | number;
  method?: string;
  /** Matches the path (relative to /api/v1). */
  path?: RegExp;
  detail?: unknown;
}

export interface FakePhalaOptions extends FleetOptions {
  apiKey?: string;
  /** Real time between two SSE state events (default 5 ms). */
  sseTickMs?: number;
  /** End each state stream with a timeout event after this long (the server's per-stream limit). */
  sseLimitMs?: number;
}

const PREFIX = '/api/v1';

export class FakePhala {
  readonly fleet: Fleet;
  readonly apiKey: string;
  readonly log: LoggedRequest[] = [];
  baseURL = '';
  readonly #faults: Array<Fault & { left: number }> = [];
  readonly #server: http.Server;
  readonly #tickMs: number;
  readonly #sseLimitMs?: number;

  private constructor(o: FakePhalaOptions) {
    this.fleet = new Fleet(o);
    this.apiKey = o.apiKey ?? 'test-api-key';
    this.#tickMs = o.sseTickMs ?? 5;
    this.#sseLimitMs = o.sseLimitMs;
    this.#server = http.createServer((req, res) => {
      this.#handle(req, res).catch((err) => {
        // A schema failure here is a bug in the fake: fail loudly, as a 599 no client retries into success.
        res.writeHead(599, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ detail: `fake-phala: ${String(err?.message ?? err).split('\n')[0]}` }));
      });
    });
  }

  static async start(o: FakePhalaOptions = {}): Promise<FakePhala> {
    const f = new FakePhala(o);
    await new Promise<void>((resolve) => f.#server.listen(0, '127.0.0.1', resolve));
    f.baseURL = `http://127.0.0.1:${(f.#server.address() as AddressInfo).port}${PREFIX}`;
    return f;
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.#server.close(() => resolve());
      this.#server.closeAllConnections();
    });
  }

  /** Answer the next matching request(s) with an error status. */
  failNext(fault: Fault): void {
    this.#faults.push({ ...fault, left: fault.count ?? 1 });
  }

  /** Drop the faults not yet used. */
  clearFaults(): void {
    this.#faults.length = 0;
  }

  /** "METHOD path" of each request so far (paths relative to /api/v1). */
  calls(): string[] {
    return this.log.map((r) => `${r.method} ${r.path}`);
  }

  clearLog(): void {
    this.log.length = 0;
  }

  async #handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const raw = req.url ?? '/';
    const q = raw.indexOf('?');
    const fullPath = q < 0 ? raw : raw.slice(0, q);
    const entry: LoggedRequest = {
      method: req.method ?? 'GET',
      path: fullPath.startsWith(`${PREFIX}/`) ? fullPath.slice(PREFIX.length) : fullPath,
      query: q < 0 ? '' : raw.slice(q + 1),
      bodyKeys: [],
      headers: Object.keys(req.headers)
        .filter((h) => h.startsWith('x-') && h !== 'x-phala-version')
        .sort(),
      status: 0,
    };
    this.log.push(entry);
    const body = await readJson(req);
    if (body && typeof body === 'object' && !Array.isArray(body)) entry.bodyKeys = Object.keys(body).sort();
    const send = (status: number, data: unknown, headers: Record<string, string> = {}) => {
      entry.status = status;
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify(data));
    };
    if (req.headers['x-api-key'] !== this.apiKey) return send(401, { detail: 'Invalid API key' });
    const fault = this.#faults.find(
      (f) => f.left > 0 && (!f.method || f.method === entry.method) && (!f.path || f.path.test(entry.path)),
    );
    if (fault) {
      fault.left--;
      const headers: Record<string, string> =
        fault.retryAfter !== undefined ? { 'retry-after': String(fault.retryAfter) } : {};
      return send(fault.status, { detail: fault.detail ?? `injected ${fault.status}` }, headers);
    }
    const seg = entry.path.split('/').slice(1).map(safeDecode);
    const fleet = this.fleet;
    const m = entry.method;
    if (m === 'GET' && seg[0] === 'apps' && seg[1] === fleet.appId && seg.length === 3 && seg[2] === 'cvms') {
      return send(200, validArray(fleet.replicas.map((r) => info(fleet, r))));
    }
    if (m === 'GET' && seg[0] === 'apps' && seg[1] === fleet.appId && seg[2] === 'revisions' && seg.length <= 4) {
      if (seg.length === 3) return send(200, revisions(fleet, entry.query));
      const one = revision(fleet, seg[3]!);
      return send(one.status, one.body);
    }
    // Requests are held to the SDK's own request schemas too: a body the SDK could not have built is a 422.
    const bad = invalidRequest(m, entry.path, seg, body);
    if (bad) return send(422, { detail: [{ loc: ['body'], msg: `fake-phala: ${bad}`, type: 'value_error' }] });
    if (m === 'POST' && entry.path === '/status/batch') {
      const uuids = Array.isArray((body as { vm_uuids?: unknown })?.vm_uuids)
        ? (body as { vm_uuids: string[] }).vm_uuids
        : [];
      entry.vmUuids = uuids;
      return send(200, statusBatch(fleet, uuids));
    }
    if (seg[0] === 'cvms' && seg.length >= 2) {
      const r = fleet.find(seg[1]!);
      if (!r || seg.length > 3) return send(404, { detail: 'CVM not found' });
      const sub = seg[2];
      if (m === 'GET' && sub === undefined) return send(200, valid(CvmInfoDetailV20260121Schema, info(fleet, r)));
      if (m === 'GET' && sub === 'composition') return send(200, valid(CvmContainersStatsSchema, containers(fleet, r)));
      if (m === 'GET' && sub === 'network') return send(200, valid(CvmNetworkSchema, network(fleet, r)));
      // What the deployed CVM runs (`getCvmComposeFile`): `diff --cvm` and `rollout plan` read it.
      if (m === 'GET' && sub === 'compose_file') return send(200, fleet.view(r).compose);
      if (m === 'GET' && sub === 'state') return this.#sse(r, new URLSearchParams(entry.query), req, res, entry);
      if (m === 'PATCH' && sub === undefined) return this.#patch(r, req, body, send, entry);
    }
    send(404, { detail: 'Not Found' });
  }

  #patch(r: FakeReplica, req: http.IncomingMessage, body: unknown, send: Send, entry: LoggedRequest) {
    const fleet = this.fleet;
    const busy = () => send(409, { detail: 'Another operation is in progress for this CVM' });
    fleet.view(r);
    const composeHash = req.headers['x-compose-hash'];
    const txHash = req.headers['x-transaction-hash'];
    if (typeof composeHash === 'string' && typeof txHash === 'string') {
      entry.confirm = { composeHash, transactionHash: txHash };
      const p = r.pending;
      if (!p || p.composeHash !== composeHash.replace(/^0x/, '') || fleet.now() > p.expiresAt) {
        return send(466, structured('ERR-01-006', 'Compose hash is invalid or expired'));
      }
      if (!/^0x[0-9a-f]{64}$/i.test(txHash) && txHash !== 'already-registered') {
        return send(467, structured('ERR-01-007', 'Transaction verification failed'));
      }
      if (txHash !== 'already-registered' && fleet.verifyTransaction && !fleet.verifyTransaction(txHash, p.composeHash))
        return send(467, structured('ERR-01-007', 'Transaction verification failed'));
      if (!fleet.allowedHashes.has(p.composeHash) || !fleet.deviceAllowed(r))
        return send(468, structured('ERR-01-008', 'Compose hash not allowed'));
      if (r.upgrade) return busy();
      return send(202, { correlation_id: fleet.start(r, p.next, p.encryptedEnv) });
    }
    const changes = (body ?? {}) as Record<string, unknown>;
    if (r.upgrade) return busy();
    const next = fleet.composeFor(r, changes);
    const encryptedEnv = typeof changes.encrypted_env === 'string' ? changes.encrypted_env : undefined;
    const hashChanges = ['docker_compose_file', 'allowed_envs', 'pre_launch_script'].some((k) => k in changes);
    if (fleet.onChainKms && hashChanges) {
      const p = fleet.hold(r, next, encryptedEnv);
      const kmsInfo = {
        id: 'kms-base-1',
        slug: 'base-prod',
        url: 'https://kms.phala.test',
        version: '0.5.4',
        chain_id: 8453,
        kms_contract_address: `0x${'cd'.repeat(20)}`,
        gateway_app_id: `0x${'ef'.repeat(20)}`,
      };
      const onchain = {
        compose_hash_allowed: fleet.allowedHashes.has(p.composeHash),
        device_id_allowed: fleet.deviceAllowed(r),
      };
      const details = [
        { field: 'compose_hash', value: p.composeHash },
        { field: 'app_id', value: fleet.appId },
        { field: 'device_id', value: r.deviceId },
        { field: 'kms_info', value: kmsInfo },
        {
          field: 'onchain_status',
          value: { ...onchain, is_allowed: onchain.compose_hash_allowed && onchain.device_id_allowed },
        },
      ];
      // What the SDK will make of it must be what it accepts.
      PatchCvmResultSchema.parse({
        requiresOnChainHash: true,
        composeHash: p.composeHash,
        appId: fleet.appId,
        deviceId: r.deviceId,
        kmsInfo,
        onchainStatus: { ...onchain, is_allowed: onchain.compose_hash_allowed && onchain.device_id_allowed },
      });
      return send(465, structured('ERR-01-005', 'Compose hash must be registered on chain', details));
    }
    const correlationId = fleet.start(r, next, encryptedEnv);
    PatchCvmResultSchema.parse({ requiresOnChainHash: false, correlationId });
    send(202, { correlation_id: correlationId });
  }

  #sse(r: FakeReplica, q: URLSearchParams, req: http.IncomingMessage, res: http.ServerResponse, entry: LoggedRequest) {
    entry.status = 200;
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    const target = q.get('target') ?? 'running';
    const timeoutMs = Math.min(Number(q.get('timeout') ?? 300) * 1000, this.#sseLimitMs ?? Number.POSITIVE_INFINITY);
    const started = Date.now();
    const tick = () => {
      if (res.destroyed) return;
      const v = this.fleet.view(r);
      const state = {
        id: r.id,
        instance_id: r.instanceId,
        name: r.name,
        status: v.status,
        ...(v.bootProgress ? { boot_progress: v.bootProgress } : {}),
        ...(v.bootError ? { boot_error: v.bootError } : {}),
      };
      res.write(`event: state\ndata: ${JSON.stringify(valid(CvmStateSchema, state))}\n\n`);
      const elapsed = Date.now() - started;
      if (v.status === target && !v.inProgress) {
        res.end(`event: complete\ndata: ${JSON.stringify({ status: v.status, elapsed, target })}\n\n`);
      } else if (elapsed >= timeoutMs) {
        res.end(`event: timeout\ndata: ${JSON.stringify({ error: 'timeout', elapsed, target })}\n\n`);
      } else setTimeout(tick, this.#tickMs);
    };
    req.on('close', () => res.destroy());
    tick();
  }
}

type Send = (status: number, data: unknown, headers?: Record<string, string>) => void;

function structured(code: string, message: string, details: unknown[] = []): unknown {
  return { detail: { error_code: code, message, details } };
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

async function readJson(req: http.IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > 1 << 20) break;
    chunks.push(c as Buffer);
  }
  if (!chunks.length) return undefined;
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    return undefined;
  }
}

/** Why a request body is not one the SDK builds (PATCH /cvms/{id}, POST /status/batch), or undefined. */
function invalidRequest(method: string, path: string, seg: string[], body: unknown): string | undefined {
  const fields = body && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
  const issue = (r: { success: boolean; error?: { issues: { path: (string | number)[]; message: string }[] } }) =>
    r.success ? undefined : r.error!.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ');
  if (method === 'POST' && path === '/status/batch') {
    const extra = Object.keys(fields).filter((k) => k !== 'vm_uuids');
    if (extra.length) return `unexpected field(s) ${extra.join(', ')}`;
    return issue(GetCvmStatusBatchRequestSchema.safeParse({ vmUuids: fields.vm_uuids }));
  }
  if (method === 'PATCH' && seg[0] === 'cvms' && seg.length === 2) {
    if (body !== undefined && (typeof body !== 'object' || body === null || Array.isArray(body)))
      return 'the body is not an object';
    const known = Object.keys(PatchCvmRequestSchema.innerType().shape);
    const extra = Object.keys(fields).filter((k) => !known.includes(k));
    if (extra.length) return `unexpected field(s) ${extra.join(', ')}`;
    return issue(PatchCvmRequestSchema.safeParse({ id: seg[1], ...fields }));
  }
  return undefined;
}
