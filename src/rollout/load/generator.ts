import http from 'node:http';
import https from 'node:https';
import { RequestLog, RunStats } from './recorder.js';
import type { FailureKind, LoadOptions, LoadProgress, LoadSummary, Outcome, RequestRecord } from './types.js';

/**
 * An open-loop HTTP load generator: request i is due at i / rate seconds after the start, whether
 * or not earlier requests have been answered, so a slow or stalled target does not lower the
 * offered load (a closed loop — send, wait, send — would hide exactly the stalls a rollout must
 * show). Outstanding requests are bounded by `maxInFlight`; a request due while the bound is
 * reached is not sent and counts as failed (`in-flight-limit`).
 */
export interface LoadRun {
  /** Resolves with the summary when the run ended (duration over, `stop()`, or the signal). */
  readonly done: Promise<LoadSummary>;
  /** Stop offering requests; resolves once the outstanding ones ended (each bounded by its timeout). */
  stop(): Promise<LoadSummary>;
  /** Live counters. */
  progress(): LoadProgress;
  /** The summary so far (exact for requests already ended). */
  summary(): LoadSummary;
  /** Kept request records, in completion order (at most `maxRecords`). */
  records(): IterableIterator<RequestRecord>;
}

// Idle keep-alive sockets are dropped after this, below the idle timeouts servers use (Node 5 s,
// nginx 75 s, the managed HAProxy 30 s), so a request is never sent on a socket the server is closing.
const AGENT_IDLE_MS = 4000;

/** Start a run. Throws RangeError for options that cannot describe one. */
export function startLoad(opts: LoadOptions): LoadRun {
  const url = new URL(String(opts.url));
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new RangeError(`load: only http:// and https:// URLs, not ${url.protocol}`);
  const rate = opts.rate;
  if (!Number.isFinite(rate) || rate <= 0) throw new RangeError(`load: rate must be a positive number, not ${rate}`);
  const maxInFlight = opts.maxInFlight ?? 256;
  if (!Number.isInteger(maxInFlight) || maxInFlight < 1) throw new RangeError(`load: maxInFlight must be ≥ 1`);
  const timeoutMs = opts.timeoutMs ?? 5000;
  if (!(timeoutMs > 0)) throw new RangeError('load: timeoutMs must be > 0');
  if (opts.durationMs !== undefined && !(opts.durationMs > 0)) throw new RangeError('load: durationMs must be > 0');
  const maxRecords = opts.maxRecords ?? 1_000_000;
  if (!Number.isInteger(maxRecords) || maxRecords < 0) throw new RangeError('load: maxRecords must be ≥ 0');
  return new Generator(url, opts, { rate, maxInFlight, timeoutMs, maxRecords });
}

/** Run for `durationMs` and resolve with the summary. */
export function runLoad(opts: LoadOptions & { durationMs: number }): Promise<LoadSummary> {
  return startLoad(opts).done;
}

const acceptDefault = (status: number) => status >= 200 && status < 400;

class Generator implements LoadRun {
  readonly done: Promise<LoadSummary>;
  private readonly stats = new RunStats();
  private readonly log: RequestLog;
  private readonly agent: http.Agent;
  private readonly request: typeof http.request;
  private readonly accept: (status: number) => boolean;
  private readonly t0 = performance.now();
  private readonly startedAt = Date.now();
  private readonly endMs: number;
  private next = 0;
  private inFlight = 0;
  private lastEndMs = 0;
  private scheduling = true;
  private finished = false;
  private timer: NodeJS.Timeout | undefined;
  private resolveDone!: (s: LoadSummary) => void;
  private readonly onAbort = () => void this.stop();

  constructor(
    private readonly url: URL,
    private readonly opts: LoadOptions,
    private readonly limits: { rate: number; maxInFlight: number; timeoutMs: number; maxRecords: number },
  ) {
    this.log = new RequestLog(limits.maxRecords);
    const secure = url.protocol === 'https:';
    const agentOptions = {
      keepAlive: true,
      maxSockets: limits.maxInFlight,
      maxFreeSockets: limits.maxInFlight,
      timeout: AGENT_IDLE_MS,
      scheduling: 'lifo' as const,
    };
    this.agent = secure ? new https.Agent(agentOptions) : new http.Agent(agentOptions);
    this.request = (secure ? https.request : http.request) as typeof http.request;
    this.accept = opts.accept ?? acceptDefault;
    this.endMs = opts.durationMs ?? Number.POSITIVE_INFINITY;
    this.done = new Promise((resolve) => {
      this.resolveDone = resolve;
    });
    if (opts.signal?.aborted) this.scheduling = false;
    opts.signal?.addEventListener('abort', this.onAbort, { once: true });
    this.tick();
  }

  stop(): Promise<LoadSummary> {
    if (this.scheduling) {
      this.scheduling = false;
      if (this.timer) clearTimeout(this.timer);
      this.timer = undefined;
      this.maybeFinish();
    }
    return this.done;
  }

  progress(): LoadProgress {
    return {
      elapsedMs: this.now(),
      scheduled: this.stats.scheduled,
      inFlight: this.inFlight,
      ok: this.stats.ok,
      failed: this.stats.failed,
    };
  }

  summary(): LoadSummary {
    return this.stats.summary(this.limits.rate, this.startedAt, this.lastEndMs || this.now(), this.log);
  }

  records(): IterableIterator<RequestRecord> {
    return this.log[Symbol.iterator]();
  }

  private now(): number {
    return performance.now() - this.t0;
  }

  /** Send every request that is due (catching up after a busy event loop), then sleep until the next. */
  private tick(): void {
    this.timer = undefined;
    if (!this.scheduling) {
      this.maybeFinish();
      return;
    }
    const now = this.now();
    for (;;) {
      const due = (this.next * 1000) / this.limits.rate;
      if (due >= this.endMs) {
        this.scheduling = false;
        this.maybeFinish();
        return;
      }
      if (due > now) {
        this.timer = setTimeout(() => this.tick(), Math.max(0, due - this.now()));
        return;
      }
      this.next++;
      this.send(due, now);
    }
  }

  private send(scheduledMs: number, now: number): void {
    const second = this.stats.due(scheduledMs);
    const lagMs = now - scheduledMs;
    if (this.inFlight >= this.limits.maxInFlight) {
      this.finish(second, scheduledMs, lagMs, 0, 0, 'in-flight-limit');
      return;
    }
    this.inFlight++;
    const started = performance.now();
    let ended = false;
    let status = 0;
    const end = (outcome: Outcome) => {
      if (ended) return;
      ended = true;
      clearTimeout(timer);
      this.inFlight--;
      this.finish(second, scheduledMs, lagMs, performance.now() - started, status, outcome);
    };
    const req = this.request(
      this.url,
      { method: this.opts.method ?? 'GET', headers: this.opts.headers, agent: this.agent },
      (res) => {
        status = res.statusCode ?? 0;
        res.on('data', () => {});
        res.on('end', () => end(this.accept(status) ? 'ok' : 'status'));
        res.on('error', () => end('reset'));
        res.on('close', () => end(res.complete ? (this.accept(status) ? 'ok' : 'status') : 'reset'));
      },
    );
    const timer = setTimeout(() => {
      end('timeout');
      req.destroy();
    }, this.limits.timeoutMs);
    req.on('error', (e: NodeJS.ErrnoException) => end(classify(e)));
    req.end();
  }

  private finish(
    second: number,
    scheduledMs: number,
    lagMs: number,
    latencyMs: number,
    status: number,
    outcome: Outcome,
  ) {
    this.stats.complete(second, outcome, latencyMs, lagMs, status);
    this.log.push(scheduledMs, lagMs, latencyMs, status, outcome);
    this.lastEndMs = Math.max(this.lastEndMs, this.now());
    if (!this.scheduling) this.maybeFinish();
  }

  private maybeFinish(): void {
    if (this.finished || this.scheduling || this.inFlight > 0 || this.timer) return;
    this.finished = true;
    this.opts.signal?.removeEventListener('abort', this.onAbort);
    this.agent.destroy();
    this.resolveDone(this.summary());
  }
}

function classify(e: NodeJS.ErrnoException): FailureKind {
  switch (e.code) {
    case 'ECONNREFUSED':
      return 'refused';
    case 'ECONNRESET':
    case 'EPIPE':
    case 'ECONNABORTED':
    case 'ERR_STREAM_PREMATURE_CLOSE':
      return 'reset';
    case 'ETIMEDOUT':
      return 'timeout';
    default:
      return 'error';
  }
}
