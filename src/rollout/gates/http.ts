import type { HttpGateSpec } from '../config.js';
import { loadJsonPath } from '../config.js';
import type { Gate, GateResult, GateTarget } from './types.js';

/** Answers are read up to this many bytes: a health endpoint is small, and every read is bounded. */
const MAX_BODY_BYTES = 1 << 20;

/**
 * An HTTP request to the instance's own URL: the status must match, and when a JSON path is given
 * the answer must be JSON in which the path selects a node (equal to `equals` when given).
 */
export class HttpGate implements Gate {
  readonly name: string;
  readonly intervalMs: number;
  readonly successes: number;

  constructor(private readonly spec: HttpGateSpec) {
    this.name = spec.name;
    this.intervalMs = spec.intervalMs;
    this.successes = spec.successes;
  }

  async evaluate(target: GateTarget, signal: AbortSignal): Promise<GateResult> {
    const url = `${target.url.replace(/\/+$/, '')}${this.spec.path}`;
    const timeout = AbortSignal.timeout(this.spec.timeoutMs);
    let res: Response;
    let body: string;
    try {
      res = await fetch(url, {
        method: this.spec.method,
        signal: AbortSignal.any([signal, timeout]),
        redirect: 'manual',
      });
      body = await readBounded(res);
    } catch (e) {
      if (signal.aborted) throw e;
      return { outcome: 'fail', detail: timeout.aborted ? `no answer within ${this.spec.timeoutMs} ms` : why(e) };
    }
    if (res.status !== this.spec.status)
      return { outcome: 'fail', detail: `HTTP ${res.status} (expected ${this.spec.status})` };
    if (this.spec.jsonPath === undefined) return { outcome: 'pass', detail: `HTTP ${res.status}` };
    let doc: unknown;
    try {
      doc = JSON.parse(body);
    } catch {
      return { outcome: 'fail', detail: `HTTP ${res.status}, answer is not JSON` };
    }
    const jp = await loadJsonPath();
    const nodes = jp.query(doc as Parameters<typeof jp.query>[0], this.spec.jsonPath);
    if (nodes.length === 0) return { outcome: 'fail', detail: `${this.spec.jsonPath} selects nothing` };
    if (this.spec.equals === undefined) return { outcome: 'pass', detail: `${this.spec.jsonPath} present` };
    const want = this.spec.equals.value;
    const got = nodes[0];
    if (got === want) return { outcome: 'pass', detail: `${this.spec.jsonPath} is ${shown(got)}` };
    return { outcome: 'fail', detail: `${this.spec.jsonPath} is ${shown(got)}, expected ${shown(want)}` };
  }
}

async function readBounded(res: Response): Promise<string> {
  if (!res.body) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of res.body as AsyncIterable<Uint8Array>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) break;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** A JSON value as a short line (an answer may be anything; never more than 60 characters of it). */
function shown(v: unknown): string {
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 60 ? `${s.slice(0, 60)}…` : s;
}

export function why(e: unknown): string {
  const err = e as { cause?: { code?: string }; code?: string; message?: string };
  const code = err?.cause?.code ?? err?.code;
  if (code === 'ECONNREFUSED') return 'connection refused';
  if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET') return 'connection reset';
  if (code) return code;
  return String(err?.message ?? e)
    .split('\n')[0]!
    .slice(0, 120);
}
