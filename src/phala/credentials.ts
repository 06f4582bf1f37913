/**
 * Where the API key comes from: the caller, else `PHALA_CLOUD_API_KEY`, else the login the `phala`
 * CLI saved. The CLI (Phala-Network/phala-cloud, cli/src/utils/credentials.ts) keeps it in
 * `$PHALA_CLOUD_DIR/credentials.json`, by default `~/.phala-cloud/credentials.json`, written with
 * mode 0600:
 *
 *   { "schema_version": 1, "current_profile": "<name>",
 *     "profiles": { "<name>": { "token": "<api key>", "api_prefix": "https://…/api/v1", … } } }
 *
 * The profile is `PHALA_CLOUD_PROFILE`, else `current_profile`; like the CLI we also match a profile
 * by its workspace slug or name. The profile's `api_prefix` is the base URL its key belongs to.
 * Older CLIs kept a machine-encrypted `~/.phala-cloud/api-key`; the CLI migrates it on its next run,
 * and we only point at that.
 *
 * Unlike the CLI we refuse a credentials file anyone else could read or change (a writable file
 * could redirect `api_prefix`, and with it the key), one that is not a regular file, or one over
 * 64 KiB. The key itself never appears in a message, and is not an enumerable property.
 */
import { closeSync, constants, existsSync, fstatSync, openSync, readSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { InputError, UsageError } from '../util/errors.js';

export type CredentialSource = 'option' | 'env' | 'phala-cli';

export interface Credentials {
  /** The key (not enumerable: JSON.stringify and console.log of this object leave it out). */
  readonly apiKey: string;
  readonly source: CredentialSource;
  /** For messages: "PHALA_CLOUD_API_KEY", "phala CLI profile \"x\" (~/.phala-cloud/credentials.json)". */
  readonly description: string;
  /** The base URL to use with this key: explicit, else PHALA_CLOUD_API_PREFIX, else the profile's api_prefix. */
  readonly baseURL?: string;
  readonly profile?: string;
  readonly file?: string;
}

export interface CredentialLookup {
  apiKey?: string;
  baseURL?: string;
  /**
   * Read instead of process.env: PHALA_CLOUD_API_KEY, PHALA_CLOUD_API_PREFIX, PHALA_CLOUD_PROFILE, PHALA_CLOUD_DIR,
   * HOME.
   */
  env?: NodeJS.ProcessEnv;
}

export const CREDENTIALS_MAX_BYTES = 64 * 1024;

const NO_KEY = 'reading from Phala Cloud needs an API key: set PHALA_CLOUD_API_KEY or log in with `phala login`';

const nonEmpty = (v: unknown): v is string => typeof v === 'string' && v.trim().length > 0;

/** The folder the `phala` CLI keeps its login in. */
export function phalaCliDir(env: NodeJS.ProcessEnv = process.env): string {
  if (nonEmpty(env.PHALA_CLOUD_DIR)) return env.PHALA_CLOUD_DIR;
  return join(nonEmpty(env.HOME) ? env.HOME : homedir(), '.phala-cloud');
}

/** Resolve the key (and the base URL that goes with it). Throws UsageError when there is none. */
export function resolveCredentials(lookup: CredentialLookup = {}): Credentials {
  const env = lookup.env ?? process.env;
  const envPrefix = nonEmpty(env.PHALA_CLOUD_API_PREFIX) ? env.PHALA_CLOUD_API_PREFIX : undefined;
  if (nonEmpty(lookup.apiKey)) {
    return withKey(lookup.apiKey, {
      source: 'option',
      description: 'the given API key',
      baseURL: lookup.baseURL ?? envPrefix,
    });
  }
  if (nonEmpty(env.PHALA_CLOUD_API_KEY)) {
    return withKey(env.PHALA_CLOUD_API_KEY, {
      source: 'env',
      description: 'PHALA_CLOUD_API_KEY',
      baseURL: lookup.baseURL ?? envPrefix,
    });
  }
  const dir = phalaCliDir(env);
  const file = join(dir, 'credentials.json');
  const text = readPrivateFile(file);
  if (text === undefined) {
    if (existsSync(join(dir, 'api-key'))) {
      throw new UsageError(
        `${join(dir, 'api-key')} is the old phala CLI login: run \`phala login\` again (or set PHALA_CLOUD_API_KEY)`,
      );
    }
    throw new UsageError(NO_KEY);
  }
  const profile = pickProfile(
    text,
    file,
    nonEmpty(env.PHALA_CLOUD_PROFILE) ? env.PHALA_CLOUD_PROFILE.trim() : undefined,
  );
  if (!profile) throw new UsageError(NO_KEY);
  const prefix = lookup.baseURL ?? envPrefix ?? profile.apiPrefix;
  return withKey(profile.token, {
    source: 'phala-cli',
    description: `phala CLI profile ${JSON.stringify(profile.name)} (${file})`,
    baseURL: prefix,
    profile: profile.name,
    file,
  });
}

function withKey(apiKey: string, rest: Omit<Credentials, 'apiKey'>): Credentials {
  const out = { ...rest } as Credentials;
  Object.defineProperty(out, 'apiKey', { value: apiKey, enumerable: false });
  return out;
}

/** The file's text, or undefined when it does not exist. Refuses anything but a private regular file. */
function readPrivateFile(file: string): string | undefined {
  let fd: number;
  try {
    // O_NONBLOCK: a FIFO put in its place must not hang us.
    fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw new InputError(`cannot read the phala CLI login (${code ?? 'error'})`, { file });
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new InputError('not a regular file; refusing to read an API key from it', { file });
    if ((st.mode & 0o077) !== 0) {
      const mode = (st.mode & 0o777).toString(8).padStart(3, '0');
      throw new InputError(`mode ${mode} lets other users read or change it; run chmod 600 on it`, { file });
    }
    const uid = typeof process.getuid === 'function' ? process.getuid() : undefined;
    if (uid !== undefined && st.uid !== uid) {
      throw new InputError('belongs to another user; refusing to read an API key from it', { file });
    }
    if (st.size > CREDENTIALS_MAX_BYTES) throw new InputError(`larger than ${CREDENTIALS_MAX_BYTES} bytes`, { file });
    const buf = Buffer.alloc(CREDENTIALS_MAX_BYTES + 1);
    let n = 0;
    for (let r = 1; r > 0 && n < buf.length; n += r) r = readSync(fd, buf, n, buf.length - n, null);
    if (n > CREDENTIALS_MAX_BYTES) throw new InputError(`larger than ${CREDENTIALS_MAX_BYTES} bytes`, { file });
    return buf.subarray(0, n).toString('utf8');
  } finally {
    closeSync(fd);
  }
}

interface Profile {
  name: string;
  token: string;
  apiPrefix?: string;
}

function pickProfile(text: string, file: string, requested: string | undefined): Profile | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    // JSON.parse quotes the text around the error, and this text holds the key.
    throw new InputError('not valid JSON', { file });
  }
  const obj = parsed as { schema_version?: unknown; current_profile?: unknown; profiles?: unknown };
  if (!obj || typeof obj !== 'object' || obj.schema_version !== 1) {
    throw new InputError('not a phala CLI credentials file (schema_version 1)', { file });
  }
  const profiles = obj.profiles && typeof obj.profiles === 'object' ? (obj.profiles as Record<string, unknown>) : {};
  const wanted = requested ?? (nonEmpty(obj.current_profile) ? obj.current_profile.trim() : 'default');
  let name = Object.hasOwn(profiles, wanted) ? wanted : undefined;
  // As the CLI does: a project's `profile` may name a workspace slug or name instead of the key.
  name ??= Object.keys(profiles).find((k) => workspaceOf(profiles[k])?.slug === wanted);
  name ??= Object.keys(profiles).find((k) => workspaceOf(profiles[k])?.name === wanted);
  if (name === undefined) {
    if (requested) {
      const known = Object.keys(profiles)
        .slice(0, 10)
        .map((k) => JSON.stringify(k));
      throw new UsageError(
        `PHALA_CLOUD_PROFILE ${JSON.stringify(requested)} is not in ${file} (profiles: ${known.join(', ') || 'none'})`,
      );
    }
    return undefined;
  }
  const p = profiles[name] as { token?: unknown; api_prefix?: unknown } | null;
  if (!p || typeof p !== 'object' || !nonEmpty(p.token)) return undefined;
  let apiPrefix: string | undefined;
  if (nonEmpty(p.api_prefix)) {
    apiPrefix = p.api_prefix.trim();
    if (!/^https?:\/\/[^/\s]+/i.test(apiPrefix)) {
      throw new InputError(`profile ${JSON.stringify(name)}: api_prefix is not an http(s) URL`, { file });
    }
  }
  return { name, token: p.token.trim(), apiPrefix };
}

function workspaceOf(p: unknown): { slug?: unknown; name?: unknown } | undefined {
  const w = p && typeof p === 'object' ? (p as { workspace?: unknown }).workspace : undefined;
  return w && typeof w === 'object' ? (w as { slug?: unknown; name?: unknown }) : undefined;
}
