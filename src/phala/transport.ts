/**
 * The SDK, loaded lazily, and the loop every call goes through: count the request, run the SDK
 * action, classify a failure, wait and try again or fail with one line.
 *
 * The SDK keeps no response headers on its errors, so `Retry-After` is caught in the client's
 * `onResponseError` hook and handed to the attempt that caused it through an AsyncLocalStorage
 * (several calls may be in flight on one client). ofetch's own retry is off: retries happen here,
 * counted and budgeted.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { UsageError } from '../util/errors.js';
import { type Credentials, resolveCredentials } from './credentials.js';
import { PhalaApiError, schemaIssue, statusHint } from './errors.js';
import {
  backoffDelay,
  type Clock,
  classifyStatus,
  parseRetryAfter,
  RequestMeter,
  type RetryPolicy,
  type RetryPolicyInput,
  retryPolicy,
  systemClock,
} from './retry.js';

export type PhalaSdk = typeof import('@phala/cloud');
export type SdkClient = ReturnType<PhalaSdk['createBaseClient']>;

export const DEFAULT_BASE_URL = 'https://cloud-api.phala.com/api/v1';

export interface TransportOptions {
  /** The key; else PHALA_CLOUD_API_KEY; else the `phala` CLI's login (see credentials.ts). */
  apiKey?: string;
  /** The API base; else PHALA_CLOUD_API_PREFIX; else the CLI profile's api_prefix; else the SDK's default. */
  baseURL?: string;
  /** Environment for the credential lookup (tests pass a temp HOME). Default process.env. */
  env?: NodeJS.ProcessEnv;
  retry?: RetryPolicyInput;
  clock?: Clock;
  /** For jitter; default Math.random. */
  random?: () => number;
  /** Counts requests; pass one to share it, or to set a limit. */
  meter?: RequestMeter;
  /** Per-request timeout (ofetch), default 30 s. */
  requestTimeoutMs?: number;
}

export interface CallSpec {
  /** The SDK action name, for the meter and messages. */
  operation: string;
  /** The validated id (or ids) the call is about, for messages. */
  target: string;
  /** A read, or a write the server treats as idempotent: every 5xx may be retried. */
  idempotent: boolean;
  signal?: AbortSignal;
}

interface AttemptContext {
  retryAfter?: string | null;
}

export class Transport {
  readonly sdk: PhalaSdk;
  readonly client: SdkClient;
  readonly meter: RequestMeter;
  readonly clock: Clock;
  readonly policy: RetryPolicy;
  readonly baseURL: string;
  /** Where the key came from, for messages ("PHALA_CLOUD_API_KEY", a CLI profile…); never the key. */
  readonly credentialSource: string;
  readonly #random: () => number;
  readonly #attempt: AsyncLocalStorage<AttemptContext>;

  private constructor(
    sdk: PhalaSdk,
    client: SdkClient,
    creds: Credentials,
    baseURL: string,
    o: TransportOptions,
    als: AsyncLocalStorage<AttemptContext>,
  ) {
    this.sdk = sdk;
    this.client = client;
    this.baseURL = baseURL;
    this.credentialSource = creds.description;
    this.meter = o.meter ?? new RequestMeter();
    this.clock = o.clock ?? systemClock;
    this.policy = retryPolicy(o.retry);
    this.#random = o.random ?? Math.random;
    this.#attempt = als;
  }

  static async open(options: TransportOptions = {}): Promise<Transport> {
    const creds = resolveCredentials({ apiKey: options.apiKey, baseURL: options.baseURL, env: options.env });
    const baseURL = checkBaseURL(creds.baseURL ?? DEFAULT_BASE_URL);
    muteSdkDebugLog();
    const sdk = await import('@phala/cloud');
    const als = new AsyncLocalStorage<AttemptContext>();
    const client = sdk.createBaseClient({
      apiKey: creds.apiKey,
      baseURL,
      timeout: options.requestTimeoutMs ?? 30_000,
      retry: false,
      onResponseError: ({ response }) => {
        const ctx = als.getStore();
        if (ctx) ctx.retryAfter = response.headers.get('retry-after');
      },
    });
    return new Transport(sdk, client, creds, baseURL, options, als);
  }

  /** Run one SDK action with counting, retries and one-line errors. */
  async call<T>(spec: CallSpec, action: () => Promise<T>): Promise<T> {
    const waited = { conflict: 0, transient: 0 };
    const retries = { conflict: 0, transient: 0 };
    let attempts = 0;
    const fail = (kind: PhalaApiError['kind'], text: string, status?: number) =>
      new PhalaApiError(`Phala Cloud: ${spec.operation} ${spec.target}: ${text}`, {
        kind,
        operation: spec.operation,
        status,
        attempts,
      });
    for (;;) {
      if (spec.signal?.aborted) throw fail('aborted', 'aborted');
      if (!this.meter.tryStart(spec.operation, attempts > 0)) {
        throw fail('budget', `request limit of ${this.meter.limit} reached`);
      }
      attempts++;
      const ctx: AttemptContext = {};
      let failure: Failure;
      try {
        const out = await this.#attempt.run(ctx, action);
        this.meter.recordAnswer('ok');
        return out;
      } catch (err) {
        failure = describeFailure(err);
      }
      // A schema failure came with a 2xx answer; a timeout or network failure with none.
      this.meter.recordAnswer(failure.kind === 'http' ? failure.status : failure.kind === 'schema' ? 'ok' : 'network');
      if (spec.signal?.aborted) throw fail('aborted', 'aborted');
      if (failure.kind === 'schema') throw fail('schema', `unexpected answer${failure.issue}`);
      if (failure.kind !== 'http') {
        throw failure.kind === 'timeout'
          ? fail('timeout', 'no answer in time')
          : fail('network', failure.reason ?? `could not reach ${hostOf(this.baseURL)}`);
      }
      const status = failure.status;
      const cls = classifyStatus(status, { idempotent: spec.idempotent, detail: failure.detail });
      const hint = statusHint(status);
      if (cls === 'fatal') {
        const unknown = status >= 500 && !spec.idempotent ? '; the outcome is unknown, read the CVM state' : '';
        throw fail('http', `HTTP ${status}${hint ? ` (${hint}${unknown})` : ''}`, status);
      }
      const b = this.policy[cls];
      retries[cls]++;
      if (retries[cls] >= b.attempts) {
        throw fail('http', `HTTP ${status} (${hint}; gave up after ${attempts} attempts)`, status);
      }
      const after = parseRetryAfter(ctx.retryAfter, this.clock.now());
      const delay =
        after !== undefined
          ? after + Math.round(this.policy.jitter * b.initialDelayMs * this.#random())
          : backoffDelay(b, retries[cls], this.policy.jitter, this.#random);
      if (waited[cls] + delay > b.budgetMs) {
        const why = after !== undefined ? `asked to retry after ${seconds(after)}` : `next wait ${seconds(delay)}`;
        throw fail(
          'http',
          `HTTP ${status} (${hint}; ${why}, beyond the retry budget of ${seconds(b.budgetMs)})`,
          status,
        );
      }
      try {
        await this.clock.sleep(delay, spec.signal);
      } catch {
        throw fail('aborted', `aborted while waiting to retry HTTP ${status}`, status);
      }
      waited[cls] += delay;
      this.meter.recordWait(delay);
    }
  }
}

type Failure =
  | { kind: 'http'; status: number; detail?: string }
  | { kind: 'schema'; status?: undefined; issue: string }
  | { kind: 'timeout' | 'network'; status?: undefined; reason?: string };

/** What went wrong, from an SDK / zod / ofetch / fetch error. Reads messages only to classify. */
export function describeFailure(err: unknown): Failure {
  const e = (err ?? {}) as {
    name?: string;
    status?: unknown;
    message?: unknown;
    issues?: Array<{ path?: unknown[]; code?: string }>;
  };
  const message = typeof e.message === 'string' ? e.message : '';
  if (Array.isArray(e.issues)) return { kind: 'schema', issue: schemaIssue(e) };
  if (typeof e.status === 'number' && e.status >= 100) return { kind: 'http', status: e.status, detail: message };
  // watchCvmState fetches natively and throws `HTTP <status>: <text>`.
  const sse = /^HTTP (\d{3})\b/.exec(message);
  if (sse) return { kind: 'http', status: Number(sse[1]) };
  if (e.name === 'TimeoutError' || /\btimeout\b|timed out/i.test(message)) return { kind: 'timeout' };
  if (e.name === 'StreamEndedError')
    return { kind: 'network', reason: 'the state stream ended before the target status' };
  return { kind: 'network' };
}

function checkBaseURL(url: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new UsageError('the Phala Cloud API base URL is not a URL');
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:')
    throw new UsageError('the Phala Cloud API base URL is not http(s)');
  return url.replace(/\/+$/, '');
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return 'the API';
  }
}

function seconds(ms: number): string {
  return ms >= 10_000 ? `${Math.round(ms / 1000)} s` : `${(ms / 1000).toFixed(1)} s`;
}

/**
 * `DEBUG=phala::api-client` makes the SDK log each request as a curl command with its body (the
 * compose file, the encrypted env) and headers when they reach it as a plain object (with ofetch
 * 1.5 they arrive as a Headers instance and print empty, so the key does not show: by luck).
 * Turn that namespace off before the SDK (and its `debug`) load.
 */
function muteSdkDebugLog(env: NodeJS.ProcessEnv = process.env): void {
  if (env.DEBUG && !/(^|[\s,])-phala::\*/.test(env.DEBUG)) env.DEBUG = `${env.DEBUG},-phala::*`;
}
