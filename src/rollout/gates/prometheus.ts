import type { PrometheusGateSpec } from '../config.js';
import { why } from './http.js';
import type { Gate, GateResult, GateTarget } from './types.js';

const MAX_BODY_BYTES = 4 << 20;

/**
 * An instant query against Prometheus' HTTP API (`GET /api/v1/query`): every series must be
 * `below` (strictly) and/or `above` the threshold. No series, NaN, or a server that cannot answer
 * is inconclusive: the metric says nothing yet.
 */
export class PrometheusGate implements Gate {
  readonly name: string;
  readonly intervalMs: number;
  readonly successes = 1;

  constructor(private readonly spec: PrometheusGateSpec) {
    this.name = spec.name;
    this.intervalMs = spec.intervalMs;
  }

  async evaluate(target: GateTarget, signal: AbortSignal): Promise<GateResult> {
    const query = this.spec.query.replaceAll('{{instance}}', target.instance).replaceAll('{{name}}', target.name);
    const url = new URL('api/v1/query', this.spec.url.endsWith('/') ? this.spec.url : `${this.spec.url}/`);
    url.searchParams.set('query', query);
    const timeout = AbortSignal.timeout(this.spec.timeoutMs);
    let doc: PromAnswer;
    try {
      const res = await fetch(url, { signal: AbortSignal.any([signal, timeout]) });
      const text = await res.text();
      if (text.length > MAX_BODY_BYTES) return { outcome: 'inconclusive', detail: 'answer too large' };
      if (!res.ok && !text.startsWith('{'))
        return { outcome: 'inconclusive', detail: `Prometheus answered HTTP ${res.status}` };
      doc = JSON.parse(text) as PromAnswer;
    } catch (e) {
      if (signal.aborted) throw e;
      return {
        outcome: 'inconclusive',
        detail: timeout.aborted
          ? `Prometheus did not answer within ${this.spec.timeoutMs} ms`
          : `Prometheus: ${why(e)}`,
      };
    }
    if (doc?.status !== 'success')
      return { outcome: 'inconclusive', detail: `Prometheus: ${String(doc?.errorType ?? 'error')}` };
    const values = valuesOf(doc.data);
    if (values === undefined) return { outcome: 'inconclusive', detail: `unsupported result type` };
    if (values.length === 0) return { outcome: 'inconclusive', detail: 'the query returned no series' };
    if (values.some((v) => Number.isNaN(v))) return { outcome: 'inconclusive', detail: 'the query returned NaN' };
    for (const v of values) {
      if (this.spec.below !== undefined && !(v < this.spec.below))
        return { outcome: 'fail', detail: `value ${v} is not below ${this.spec.below}` };
      if (this.spec.above !== undefined && !(v > this.spec.above))
        return { outcome: 'fail', detail: `value ${v} is not above ${this.spec.above}` };
    }
    const shown = values.length === 1 ? `value ${values[0]}` : `${values.length} series, max ${Math.max(...values)}`;
    return { outcome: 'pass', detail: shown };
  }
}

interface PromAnswer {
  status?: string;
  errorType?: string;
  data?: { resultType?: string; result?: unknown };
}

/** Sample values of a vector or scalar result (Prometheus sends them as strings: "0.5", "NaN", "+Inf"). */
function valuesOf(data: PromAnswer['data']): number[] | undefined {
  const num = (s: unknown) => (typeof s === 'string' ? Number(s.replace(/^\+/, '')) : Number.NaN);
  if (data?.resultType === 'scalar' && Array.isArray(data.result)) return [num(data.result[1])];
  if (data?.resultType === 'vector' && Array.isArray(data.result))
    return data.result.map((r) => num((r as { value?: unknown[] })?.value?.[1]));
  return undefined;
}
