/**
 * Waiting for CVMs: the SDK's `watchCvmState` (server-sent events, one request per watch) for one
 * CVM, and bounded polling of `getCvmStatusBatch` (one request per poll for every CVM still
 * waited for) for a batch of replicas in flight. Polling is what a rollout uses to stay within a
 * request budget: n instances in flight cost one request per interval, not n.
 */
import type { CvmState, CvmStatus, GetCvmStatusBatchResponse, SSEEvent } from '@phala/cloud';
import { PhalaApiError } from './errors.js';
import type { Transport } from './transport.js';

export interface WatchOptions {
  /** The status to wait for, e.g. "running". */
  target: string;
  /** Give up after this long (the server's own per-stream limit is 10-600 s). */
  timeoutMs: number;
  signal?: AbortSignal;
  /** Each state the server streams, validated with the SDK's CvmStateSchema. */
  onState?: (state: CvmState) => void;
}

/**
 * Watch one CVM's state until it reaches `target` (the SDK's SSE action). A stream the server ends
 * at its own limit (600 s at most) is opened again while `timeoutMs` lasts; each stream is one
 * request, counted and retried like any read.
 */
export async function watchState(t: Transport, cvmId: string, label: string, o: WatchOptions): Promise<CvmState> {
  const { sdk, client } = t;
  const started = Date.now();
  const deadline = new AbortController();
  const timer = setTimeout(() => deadline.abort(), Math.max(0, o.timeoutMs));
  const onAbort = () => deadline.abort();
  o.signal?.addEventListener('abort', onAbort, { once: true });
  let badState: unknown;
  try {
    for (;;) {
      let serverTimeout = false;
      try {
        return await t.call(
          { operation: 'watchCvmState', target: label, idempotent: true, signal: o.signal },
          async () => {
            serverTimeout = false;
            const leftS = Math.ceil((o.timeoutMs - (Date.now() - started)) / 1000);
            let final: unknown;
            try {
              final = await sdk.watchCvmState(
                client,
                {
                  id: cvmId,
                  target: o.target,
                  // The server polls the CVM every `interval` s (5-30) and ends the stream after `timeout` s (10-600).
                  interval: 5,
                  timeout: Math.min(600, Math.max(10, leftS)),
                  maxRetries: 1,
                  retryDelay: 0,
                },
                {
                  signal: deadline.signal,
                  onEvent: (ev: SSEEvent) => {
                    if (ev.type === 'timeout') serverTimeout = true;
                    if (ev.type !== 'state') return;
                    const parsed = sdk.CvmStateSchema.safeParse(ev.data);
                    if (!parsed.success) {
                      badState = parsed.error;
                      deadline.abort();
                    } else o.onState?.(parsed.data);
                  },
                },
              );
            } catch (err) {
              if (badState) throw badState;
              const name = (err as Error)?.name;
              if (name === 'WatchAbortedError' || name === 'MaxRetriesExceededError') {
                if (o.signal?.aborted) throw named('AbortError', 'aborted');
                if (deadline.signal.aborted || serverTimeout) throw named('TimeoutError', 'watch timed out');
                throw named('StreamEndedError', 'the state stream ended before the target status');
              }
              throw err;
            }
            return sdk.CvmStateSchema.parse(final);
          },
        );
      } catch (err) {
        // The server's stream limit came first: watch on in a new stream.
        if (serverTimeout && !deadline.signal.aborted && !o.signal?.aborted) continue;
        throw err;
      }
    }
  } finally {
    clearTimeout(timer);
    o.signal?.removeEventListener('abort', onAbort);
  }
}

function named(name: string, message: string): Error {
  const e = new Error(message);
  e.name = name;
  return e;
}

/** Settled: no operation running, and either running or failed to boot. */
export function isSettled(s: CvmStatus): boolean {
  return !s.in_progress && (s.status === 'running' || !!s.boot_error);
}

export interface PollOptions {
  /** When a replica is done; default `isSettled`. */
  until?: (status: CvmStatus) => boolean;
  /** Between polls; default 5 s. */
  intervalMs?: number;
  /** Stop polling after this long (the result then lists what is still pending). */
  timeoutMs: number;
  signal?: AbortSignal;
  /** Every answer, for progress output. */
  onPoll?: (statuses: GetCvmStatusBatchResponse) => void;
}

export interface PollResult {
  /** The last status seen of each replica that met `until`. */
  done: Record<string, CvmStatus>;
  /** vm_uuids still waited for when the time ran out (empty when all are done). */
  pending: string[];
  /** The last status seen of each pending replica (absent when the API never listed it). */
  last: Record<string, CvmStatus>;
  timedOut: boolean;
  polls: number;
}

/** Poll `getCvmStatusBatch` for `vmUuids` until each meets `until`, or the time is up. */
export async function pollStatuses(
  t: Transport,
  vmUuids: readonly string[],
  fetchBatch: (uuids: string[]) => Promise<GetCvmStatusBatchResponse>,
  o: PollOptions,
): Promise<PollResult> {
  const until = o.until ?? isSettled;
  const interval = Math.max(0, o.intervalMs ?? 5_000);
  const start = t.clock.now();
  const done: Record<string, CvmStatus> = {};
  const last: Record<string, CvmStatus> = {};
  let pending = [...new Set(vmUuids)];
  let polls = 0;
  while (pending.length) {
    const answer = await fetchBatch(pending);
    polls++;
    o.onPoll?.(answer);
    const statusOf = indexByUuid(answer);
    pending = pending.filter((u) => {
      const s = statusOf(u);
      if (!s) return true;
      last[u] = s;
      if (!until(s)) return true;
      done[u] = s;
      delete last[u];
      return false;
    });
    if (!pending.length) break;
    if (t.clock.now() - start + interval > o.timeoutMs) return { done, pending, last, timedOut: true, polls };
    try {
      await t.clock.sleep(interval, o.signal);
    } catch {
      throw new PhalaApiError('Phala Cloud: getCvmStatusBatch: aborted', {
        kind: 'aborted',
        operation: 'getCvmStatusBatch',
        attempts: 0,
      });
    }
  }
  return { done, pending: [], last, timedOut: false, polls };
}

/** The batch answer is keyed by vm_uuid; match without regard to case or dashes. */
function indexByUuid(answer: GetCvmStatusBatchResponse): (vmUuid: string) => CvmStatus | undefined {
  const norm = (u: string) => u.toLowerCase().replace(/-/g, '');
  const byNorm = new Map<string, CvmStatus>();
  for (const [k, s] of Object.entries(answer)) byNorm.set(norm(s.vm_uuid || k), s);
  return (u) => byNorm.get(norm(u));
}
