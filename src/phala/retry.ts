/**
 * When a Phala Cloud call is tried again, and how long it waits. See docs/decisions.md
 * ("Phala Cloud client: retries").
 *
 * - 409, or a refusal that says an operation is in progress: the CVM is busy with another
 *   operation. Bounded exponential backoff with jitter (`conflict`).
 * - 429, and 5xx on reads: the service is overloaded or failing. Backoff honouring `Retry-After`,
 *   within a per-call time budget (`transient`). A `Retry-After` beyond the budget fails at once.
 * - On writes (PATCH) only 429 and 503 are retried: they say the request was not processed. Any
 *   other 5xx leaves the outcome unknown, and repeating an upgrade blindly is worse than stopping.
 * - Anything else fails at once.
 *
 * Time is read and spent through a `Clock`, so tests run retries without waiting.
 */

export interface Backoff {
  /** Attempts in all, the first included. */
  attempts: number;
  initialDelayMs: number;
  maxDelayMs: number;
  /** The most one call may spend waiting on this kind of error, summed over its retries. */
  budgetMs: number;
}

export interface RetryPolicy {
  /** 409 / "operation in progress". */
  conflict: Backoff;
  /** 429 and 5xx. */
  transient: Backoff;
  /**
   * 0..1: a backoff delay is drawn from [d × (1 − jitter), d]; a Retry-After gets up to jitter × initialDelayMs added.
   */
  jitter: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  conflict: { attempts: 10, initialDelayMs: 2_000, maxDelayMs: 30_000, budgetMs: 300_000 },
  transient: { attempts: 6, initialDelayMs: 1_000, maxDelayMs: 30_000, budgetMs: 120_000 },
  jitter: 0.5,
};

/** Merge a partial policy over the defaults (per field of each backoff). */
export function retryPolicy(partial: RetryPolicyInput = {}): RetryPolicy {
  const clamp01 = (n: number) => Math.min(1, Math.max(0, n));
  return {
    conflict: { ...DEFAULT_RETRY_POLICY.conflict, ...partial.conflict },
    transient: { ...DEFAULT_RETRY_POLICY.transient, ...partial.transient },
    jitter: clamp01(partial.jitter ?? DEFAULT_RETRY_POLICY.jitter),
  };
}

export interface RetryPolicyInput {
  conflict?: Partial<Backoff>;
  transient?: Partial<Backoff>;
  jitter?: number;
}

export interface Clock {
  now(): number;
  /** Resolves after `ms`, or rejects when `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const timer = setTimeout(done, Math.max(0, ms));
      function done() {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }
      function onAbort() {
        clearTimeout(timer);
        reject(signal?.reason);
      }
      signal?.addEventListener('abort', onAbort, { once: true });
    }),
};

/** The delay before retry number `retry` (1 = the first retry). */
export function backoffDelay(b: Backoff, retry: number, jitter: number, random: () => number): number {
  const full = Math.min(b.maxDelayMs, b.initialDelayMs * 2 ** Math.max(0, retry - 1));
  return Math.round(full * (1 - jitter * random()));
}

/** `Retry-After` in ms from now: delta-seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(header: string | null | undefined, nowMs: number): number | undefined {
  if (!header) return undefined;
  const h = header.trim();
  if (/^\d{1,9}$/.test(h)) return Number(h) * 1000;
  const at = Date.parse(h);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

export type RetryClass = 'conflict' | 'transient' | 'fatal';

/** What an HTTP status means for retrying. `detail` is the API's message, read only to classify. */
export function classifyStatus(status: number, opts: { idempotent: boolean; detail?: string }): RetryClass {
  if (status === 409) return 'conflict';
  if (status === 429) return 'transient';
  if (status >= 500 && status <= 599) return opts.idempotent || status === 503 ? 'transient' : 'fatal';
  if (BUSY_STATUSES.has(status) && opts.detail && /\bin[ _-]progress\b/i.test(opts.detail)) return 'conflict';
  return 'fatal';
}

// Besides 409, the statuses a refusal because of a running operation may carry ("... in progress").
const BUSY_STATUSES = new Set([400, 423, 425]);

export interface MeterSnapshot {
  /** HTTP requests sent (each attempt counts). */
  requests: number;
  /** Of those, repeats after a retryable answer. */
  retries: number;
  /** Time spent waiting between attempts. */
  waitedMs: number;
  byOperation: Record<string, number>;
  /** Answers by HTTP status ("ok" for success, "network" when there was none). */
  byStatus: Record<string, number>;
}

/**
 * Counts every request a client sends. Share one between clients to count a whole rollout; give it
 * a `limit` to make a client refuse (kind "budget") once that many requests have been sent.
 */
export class RequestMeter {
  readonly limit?: number;
  #requests = 0;
  #retries = 0;
  #waitedMs = 0;
  #byOperation = new Map<string, number>();
  #byStatus = new Map<string, number>();

  constructor(options: { limit?: number } = {}) {
    this.limit = options.limit;
  }

  /** False when the limit is reached (nothing is counted then). */
  tryStart(operation: string, isRetry: boolean): boolean {
    if (this.limit !== undefined && this.#requests >= this.limit) return false;
    this.#requests++;
    if (isRetry) this.#retries++;
    this.#byOperation.set(operation, (this.#byOperation.get(operation) ?? 0) + 1);
    return true;
  }

  recordAnswer(status: number | 'ok' | 'network'): void {
    const k = String(status);
    this.#byStatus.set(k, (this.#byStatus.get(k) ?? 0) + 1);
  }

  recordWait(ms: number): void {
    this.#waitedMs += ms;
  }

  get requests(): number {
    return this.#requests;
  }

  snapshot(): MeterSnapshot {
    return {
      requests: this.#requests,
      retries: this.#retries,
      waitedMs: this.#waitedMs,
      byOperation: Object.fromEntries(this.#byOperation),
      byStatus: Object.fromEntries(this.#byStatus),
    };
  }
}
