/**
 * The id forms the Phala Cloud API takes in a URL path, as `@phala/cloud` 0.2.9 handles them
 * (`CvmIdSchema` in types/cvm_id.ts, `isValidHostname` in utils/hostname.ts, the KMS and app
 * actions). The SDK puts whatever it is given into the path unencoded (`/cvms/${cvmId}`), so
 * `--cvm 'x/../../etc'` would send the API key to another endpoint. Every id is checked here
 * against those forms before any request, and every path segment is encoded besides.
 *
 * Checks run without loading the SDK (it costs most of a second to import).
 */
import { UsageError } from '../util/errors.js';

/** Which form a CVM reference took; the SDK normalises each differently. */
export type CvmIdForm = 'uuid' | 'app-id' | 'instance-id' | 'numeric' | 'name';

export interface CvmRef {
  /** What to hand to the SDK (`{ id }`): the value as given, trimmed; the SDK normalises it further. */
  readonly id: string;
  readonly form: CvmIdForm;
}

const HEX40 = /^[0-9a-f]{40}$/i;
// Any UUID version, with or without dashes. The SDK strips the dashes of version-4 UUIDs only
// and passes others as they are; the API accepts both spellings.
const UUID = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;
const NUMERIC = /^[1-9][0-9]{0,17}$/;
// RFC 1123 label as the SDK's isValidHostname checks it: 5-63 characters, a letter first, letters,
// digits and single hyphens, no hyphen last.
const NAME = /^[a-zA-Z](?!.*--)([a-zA-Z0-9-]*[a-zA-Z0-9])?$/;
const KMS = /^[A-Za-z0-9](?:[A-Za-z0-9_-]{0,62}[A-Za-z0-9])?$/;
const REVISION = /^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/;

/** A name as the SDK's `isValidHostname` accepts it (CVM names are created under that rule). */
export function isCvmName(value: string): boolean {
  return value.length >= 5 && value.length <= 63 && NAME.test(value);
}

/** The value for an error message: quoted, escaped, cut short (it may be hostile, never secret). */
export function quoteId(value: unknown): string {
  const s = typeof value === 'string' ? value : String(value);
  return JSON.stringify(s.length > 48 ? `${s.slice(0, 48)}…` : s);
}

const CVM_FORMS =
  'a UUID, an app id (40 hex digits, optionally app_…), instance_<40 hex digits>, a numeric id, ' +
  'or a CVM name (5-63 letters, digits and hyphens, starting with a letter)';

/**
 * A CVM reference as `--cvm` takes it. Throws a one-line UsageError naming `what` (the flag, or
 * where the value came from) for anything else.
 */
export function parseCvmId(value: string, what = '--cvm'): CvmRef {
  const v = typeof value === 'string' ? value.trim() : '';
  if (UUID.test(v)) return { id: v.toLowerCase(), form: 'uuid' };
  if (HEX40.test(v) || (/^app_/i.test(v) && HEX40.test(v.slice(4)))) return { id: v.toLowerCase(), form: 'app-id' };
  if (/^instance_/i.test(v) && HEX40.test(v.slice(9))) return { id: v.toLowerCase(), form: 'instance-id' };
  if (NUMERIC.test(v)) return { id: v, form: 'numeric' };
  if (isCvmName(v)) return { id: v, form: 'name' };
  throw new UsageError(`${what} ${quoteId(value)} is not a CVM id: expected ${CVM_FORMS}`);
}

/**
 * An app id as `--app-id` takes it: 40 hex digits, optionally prefixed `app_` or `0x` (the SDK's
 * KMS action takes `0x…`, its CVM actions `app_…`). Returns the 40 lowercase hex digits, the form
 * the `/apps/{app_id}` and `/kms/{kms}/pubkey/{app_id}` paths take.
 */
export function parseAppId(value: string, what = '--app-id'): string {
  const v = typeof value === 'string' ? value.trim() : '';
  const bare = v.replace(/^(?:app_|0x)/i, '');
  if (HEX40.test(bare)) return bare.toLowerCase();
  throw new UsageError(`${what} ${quoteId(value)} is not an app id: expected 40 hex digits, optionally app_… or 0x…`);
}

/** A replica's `vm_uuid` (from `getAppCvms` or the user): a UUID, returned as given but lowercased. */
export function parseVmUuid(value: string, what = 'vm_uuid'): string {
  const v = typeof value === 'string' ? value.trim() : '';
  if (UUID.test(v)) return v.toLowerCase();
  throw new UsageError(`${what} ${quoteId(value)} is not a UUID`);
}

/** A KMS id or slug (`--kms`): letters, digits, `_` and `-`, at most 64. */
export function parseKmsId(value: string, what = '--kms'): string {
  const v = typeof value === 'string' ? value.trim() : '';
  if (KMS.test(v)) return v;
  throw new UsageError(`${what} ${quoteId(value)} is not a KMS id or slug: expected letters, digits, _ and -`);
}

/** An app revision id (from `getAppRevisions`): letters, digits, `_` and `-`. */
export function parseRevisionId(value: string, what = 'revision id'): string {
  const v = typeof value === 'string' ? value.trim() : '';
  if (REVISION.test(v)) return v;
  throw new UsageError(`${what} ${quoteId(value)} is not a revision id: expected letters, digits, _ and -`);
}

/**
 * One URL path segment, percent-encoded. The parsers above only let through characters that
 * encode to themselves; encoding anyway keeps a future id form from opening a path again.
 */
export function pathSegment(id: string): string {
  const encoded = encodeURIComponent(id);
  // encodeURIComponent leaves "." alone; a segment of dots is still a path step.
  if (encoded === '' || /^\.+$/.test(encoded)) throw new UsageError(`${quoteId(id)} cannot be a URL path segment`);
  return encoded;
}
