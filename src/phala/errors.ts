/**
 * The one error a Phala Cloud call fails with. Its message is one line built from the operation,
 * the target id (already validated) and the HTTP status; it never quotes a response body (the
 * SDK's messages do) and never holds the API key.
 */
import { InputError } from '../util/errors.js';

export type PhalaErrorKind =
  /** The API answered with an HTTP error status. */
  | 'http'
  /** The answer did not match the SDK's zod schema. */
  | 'schema'
  /** No answer: connection refused, reset, DNS. */
  | 'network'
  /** No answer in time (the per-request timeout, or a watch deadline). */
  | 'timeout'
  /** The client's request limit (RequestMeter limit) was reached. */
  | 'budget'
  /** The caller's AbortSignal fired. */
  | 'aborted';

export class PhalaApiError extends InputError {
  readonly kind: PhalaErrorKind;
  /** The SDK action (or operation) that failed, e.g. "patchCvm". */
  readonly operation: string;
  readonly status?: number;
  /** Requests sent for this call, retries included. */
  readonly attempts: number;

  constructor(message: string, info: { kind: PhalaErrorKind; operation: string; status?: number; attempts: number }) {
    super(message);
    this.name = 'PhalaApiError';
    this.kind = info.kind;
    this.operation = info.operation;
    this.status = info.status;
    this.attempts = info.attempts;
  }
}

/** A short reason for a status, for the one-line message. */
export function statusHint(status: number): string {
  if (status === 401 || status === 403) return 'the API key was refused';
  if (status === 404) return 'not found';
  if (status === 409) return 'another operation is in progress';
  if (status === 422) return 'the request was refused as invalid';
  if (status === 429) return 'rate limited';
  if (status >= 500) return 'server error';
  return '';
}

/** The failing zod issue as "at a.b: invalid_type", without the values zod may quote. */
export function schemaIssue(err: { issues?: Array<{ path?: unknown[]; code?: string }> }): string {
  const first = err.issues?.[0];
  if (!first) return '';
  const path = Array.isArray(first.path) && first.path.length ? first.path.join('.') : '(root)';
  return ` (at ${path}: ${first.code ?? 'invalid'})`;
}
