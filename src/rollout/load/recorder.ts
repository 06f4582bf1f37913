import { LatencyHistogram, percentileSorted } from './histogram.js';
import {
  type FailureKind,
  type LoadSummary,
  OUTCOMES,
  type Outcome,
  type RequestRecord,
  type TimelineSecond,
} from './types.js';

/**
 * What the generator records: every request individually in column arrays (19 bytes a request,
 * grown by doubling up to `maxRecords`), and aggregates that count every request whatever the cap:
 * outcome counts, statuses, a latency histogram, and the per-second timeline.
 */
export class RequestLog {
  private scheduled = new Float64Array(1024);
  private lag = new Float32Array(1024);
  private latency = new Float32Array(1024);
  private status = new Uint16Array(1024);
  private outcome = new Uint8Array(1024);
  private n = 0;
  dropped = 0;

  constructor(readonly maxRecords: number) {}

  get length(): number {
    return this.n;
  }

  push(scheduledMs: number, lagMs: number, latencyMs: number, status: number, outcome: Outcome): void {
    if (this.n >= this.maxRecords) {
      this.dropped++;
      return;
    }
    if (this.n === this.scheduled.length) this.grow(Math.min(this.maxRecords, this.n * 2));
    const i = this.n++;
    this.scheduled[i] = scheduledMs;
    this.lag[i] = lagMs;
    this.latency[i] = latencyMs;
    this.status[i] = status;
    this.outcome[i] = OUTCOMES.indexOf(outcome);
  }

  /** Record i, in completion order. */
  at(i: number): RequestRecord {
    if (i < 0 || i >= this.n) throw new RangeError(`record ${i} of ${this.n}`);
    const status = this.status[i]!;
    return {
      scheduledMs: this.scheduled[i]!,
      lagMs: this.lag[i]!,
      latencyMs: this.latency[i]!,
      ...(status ? { status } : {}),
      outcome: OUTCOMES[this.outcome[i]!]!,
    };
  }

  *[Symbol.iterator](): IterableIterator<RequestRecord> {
    for (let i = 0; i < this.n; i++) yield this.at(i);
  }

  private grow(size: number): void {
    const grow = <T extends Float64Array | Float32Array | Uint16Array | Uint8Array>(
      a: T,
      make: (n: number) => T,
    ): T => {
      const b = make(size);
      b.set(a.subarray(0, this.n));
      return b;
    };
    this.scheduled = grow(this.scheduled, (k) => new Float64Array(k));
    this.lag = grow(this.lag, (k) => new Float32Array(k));
    this.latency = grow(this.latency, (k) => new Float32Array(k));
    this.status = grow(this.status, (k) => new Uint16Array(k));
    this.outcome = grow(this.outcome, (k) => new Uint8Array(k));
  }
}

/** A second of the timeline while its requests are still running; latencies dropped once final. */
interface OpenSecond {
  scheduled: number;
  ok: number;
  failed: number;
  pending: number;
  latencies: number[] | undefined;
  p50: number | null;
  p99: number | null;
}

/** Running aggregates; `summary()` reads them, at any time, exactly. */
export class RunStats {
  readonly counts: Record<Outcome, number> = {
    ok: 0,
    status: 0,
    timeout: 0,
    refused: 0,
    reset: 0,
    'in-flight-limit': 0,
    error: 0,
  };
  readonly statuses = new Map<number, number>();
  readonly latency = new LatencyHistogram();
  readonly lag = new LatencyHistogram();
  private readonly seconds: OpenSecond[] = [];
  /** The second requests are being scheduled in now; every second before it is complete once its pending is 0. */
  private frontier = 0;
  scheduled = 0;
  sent = 0;

  /** A request became due at `scheduledMs`; returns its second, to pass back to `complete`. */
  due(scheduledMs: number): number {
    const s = Math.floor(scheduledMs / 1000);
    while (this.seconds.length <= s)
      this.seconds.push({ scheduled: 0, ok: 0, failed: 0, pending: 0, latencies: [], p50: null, p99: null });
    const sec = this.seconds[s]!;
    sec.scheduled++;
    sec.pending++;
    this.scheduled++;
    // Seconds before this one get no new request any more: close those already complete.
    if (s > this.frontier) {
      for (let k = this.frontier; k < s; k++) if (this.seconds[k]!.pending === 0) this.close(k);
      this.frontier = s;
    }
    return s;
  }

  complete(second: number, outcome: Outcome, latencyMs: number, lagMs: number, status: number): void {
    this.counts[outcome]++;
    if (outcome !== 'in-flight-limit') {
      this.sent++;
      this.lag.record(lagMs);
    }
    if (status) this.statuses.set(status, (this.statuses.get(status) ?? 0) + 1);
    const sec = this.seconds[second]!;
    sec.pending--;
    if (outcome === 'ok') {
      sec.ok++;
      sec.latencies?.push(latencyMs);
      this.latency.record(latencyMs);
    } else sec.failed++;
    if (sec.pending === 0 && second < this.frontier) this.close(second);
  }

  get ok(): number {
    return this.counts.ok;
  }

  /** Requests that completed and failed so far. */
  get failed(): number {
    let n = 0;
    for (const o of OUTCOMES) if (o !== 'ok') n += this.counts[o];
    return n;
  }

  /** The per-second timeline; seconds with requests still running show what is known so far. */
  timeline(): TimelineSecond[] {
    return this.seconds.map((sec, second) => {
      let { p50, p99 } = sec;
      if (sec.latencies) {
        const sorted = Float64Array.from(sec.latencies).sort();
        p50 = percentileSorted(sorted, 50);
        p99 = percentileSorted(sorted, 99);
      }
      return {
        second,
        scheduled: sec.scheduled,
        ok: sec.ok,
        failed: sec.failed,
        availability: sec.scheduled ? sec.ok / sec.scheduled : null,
        p50Ms: p50,
        p99Ms: p99,
      };
    });
  }

  summary(rate: number, startedAt: number, durationMs: number, log: RequestLog): LoadSummary {
    const failures: Partial<Record<FailureKind, number>> = {};
    for (const o of OUTCOMES) if (o !== 'ok' && this.counts[o]) failures[o] = this.counts[o];
    const statuses: Record<string, number> = {};
    for (const [code, n] of [...this.statuses].sort((a, b) => a[0] - b[0])) statuses[String(code)] = n;
    const ok = this.counts.ok;
    return {
      rate,
      startedAt: new Date(startedAt).toISOString(),
      durationMs,
      scheduled: this.scheduled,
      sent: this.sent,
      ok,
      failed: this.scheduled - ok,
      failures,
      statuses,
      availability: this.scheduled ? ok / this.scheduled : 1,
      latencyMs: {
        p50: this.latency.percentile(50),
        p90: this.latency.percentile(90),
        p99: this.latency.percentile(99),
        max: this.latency.max,
        mean: this.latency.mean,
        samples: this.latency.count,
      },
      lagMs: { p99: this.lag.percentile(99), max: this.lag.max },
      timeline: this.timeline(),
      records: { kept: log.length, dropped: log.dropped },
    };
  }

  private close(k: number): void {
    const sec = this.seconds[k]!;
    if (!sec.latencies) return;
    const sorted = Float64Array.from(sec.latencies!).sort();
    sec.p50 = percentileSorted(sorted, 50);
    sec.p99 = percentileSorted(sorted, 99);
    sec.latencies = undefined;
  }
}
