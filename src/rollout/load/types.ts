/** Types of the load generator (`rollout run --load RPS`, and `startLoad` as a library). */

/**
 * Why a request failed. `status`: an answer the `accept` predicate rejected; `timeout`: no full
 * answer within `timeoutMs`; `refused`: connection refused; `reset`: the connection broke (reset,
 * closed before or during the answer); `in-flight-limit`: not sent, `maxInFlight` requests were
 * already outstanding (open loop: the offered rate does not adapt, a slow target costs requests);
 * `error`: anything else (DNS, TLS …).
 */
export type FailureKind = 'status' | 'timeout' | 'refused' | 'reset' | 'in-flight-limit' | 'error';
export type Outcome = 'ok' | FailureKind;
export const OUTCOMES: readonly Outcome[] = ['ok', 'status', 'timeout', 'refused', 'reset', 'in-flight-limit', 'error'];

export interface LoadOptions {
  /** Where every request goes (the balancer's frontend). */
  url: string | URL;
  /** Offered rate, requests per second (> 0). Request i is due at i / rate seconds. */
  rate: number;
  /** Stop offering requests after this long. Without it the run lasts until `stop()` (or `signal`). */
  durationMs?: number;
  /** Bound on outstanding requests; a request due while it is reached fails as `in-flight-limit`. Default 256. */
  maxInFlight?: number;
  /** Bound on one request, from start to the end of the answer's body. Default 5 s. */
  timeoutMs?: number;
  method?: string;
  headers?: Record<string, string>;
  /** Which status codes count as success. Default: 200–399. */
  accept?: (status: number) => boolean;
  /** Bound on individually kept request records (the summary counts every request regardless). Default 1,000,000. */
  maxRecords?: number;
  /** Aborting it stops the run like `stop()`. */
  signal?: AbortSignal;
}

/** One request as recorded. Times are in ms from the start of the run. */
export interface RequestRecord {
  /** When the request was due (i / rate). */
  scheduledMs: number;
  /** How late the generator started it after it was due (its own overhead; 0 when on time). */
  lagMs: number;
  /** From start to the end of the answer's body, or to the failure (0 for `in-flight-limit`). */
  latencyMs: number;
  /** HTTP status, when an answer arrived. */
  status?: number;
  outcome: Outcome;
}

export interface LatencySummary {
  /** Nearest-rank percentiles (within 0.05 %, see histogram.ts) and exact max/mean, in ms; null with no samples. */
  p50: number | null;
  p90: number | null;
  p99: number | null;
  max: number | null;
  mean: number | null;
  /** How many requests these figures describe. */
  samples: number;
}

/** One second of the run, by when requests were due. */
export interface TimelineSecond {
  /** Seconds from the start of the run. */
  second: number;
  /** Requests due in this second. */
  scheduled: number;
  ok: number;
  failed: number;
  /** ok / scheduled; null when nothing was due. */
  availability: number | null;
  /** Exact percentiles of the successful requests' latency in this second, ms; null without any. */
  p50Ms: number | null;
  p99Ms: number | null;
}

export interface LoadSummary {
  /** Offered rate, requests per second. */
  rate: number;
  /** Wall-clock start of the run (ISO 8601). */
  startedAt: string;
  /** From the start to the last request's end. */
  durationMs: number;
  /** Requests due (offered): sent + those refused by the in-flight bound. */
  scheduled: number;
  /** Requests actually sent. */
  sent: number;
  ok: number;
  /** scheduled − ok. */
  failed: number;
  /** Failed requests by reason (reasons with no failure are left out). */
  failures: Partial<Record<FailureKind, number>>;
  /** Every HTTP status seen, with its count (accepted or not). */
  statuses: Record<string, number>;
  /** ok / scheduled; 1 when nothing was due. */
  availability: number;
  /** Latency of the successful requests. */
  latencyMs: LatencySummary;
  /** The generator's own lateness in starting requests (p99 and max, ms): its health, not the target's. */
  lagMs: { p99: number | null; max: number | null };
  timeline: TimelineSecond[];
  /** Individually kept records and those beyond `maxRecords` (counted in every figure above, not kept). */
  records: { kept: number; dropped: number };
}

/** Live counters, cheap to read while the run goes on (for a progress line). */
export interface LoadProgress {
  elapsedMs: number;
  scheduled: number;
  inFlight: number;
  ok: number;
  failed: number;
}
