import { getComposeHash, type AppCompose } from '@phala/dstack-sdk/get-compose-hash';
import { InputError } from '../util/errors.js';

/**
 * The compose hash of an app-compose.json, in dstack's canonical form: keys sorted at every level,
 * compact JSON (NaN and ±Infinity as null), sha256 of the UTF-8 bytes, hex. This is
 * `getComposeHash` of @phala/dstack-sdk without its optional `normalize` step (dstack's
 * docs/normalized-app-compose.md), and what the guest measures when the manifest was written in
 * that form, as the SDK and the `phala` CLI write it (docs/platform.md#compose-hash). Every place
 * in Preflight that shows a compose hash (check reports, diff, the agent's Info) computes it here.
 *
 * Not @phala/cloud's `getCvmComposeFile(…).getHash()`: that serialiser indents by 4 and strips the
 * space after `:`, so it gives another hash for the same manifest (see docs/platform.md).
 */
export function composeHash(manifest: Readonly<Record<string, unknown>>): string {
  return getComposeHash(manifest as unknown as AppCompose);
}

/** The compose hash of app-compose.json text (a JSON object); an InputError naming `file` otherwise. */
export function composeHashOfText(text: string, file = 'app-compose.json'): string {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new InputError('not an app-compose.json: invalid JSON, so it has no compose hash', { file });
  }
  if (!json || typeof json !== 'object' || Array.isArray(json))
    throw new InputError('not an app-compose.json: expected a JSON object', { file });
  return composeHash(json as Record<string, unknown>);
}
