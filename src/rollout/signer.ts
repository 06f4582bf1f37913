/**
 * Where the app owner's key comes from for on-chain registrations: an environment variable, never
 * a command-line value (a process's arguments are readable by every user of the machine through
 * `ps` and /proc, and land in shell history and CI logs). `--private-key-env NAME` names the
 * variable; without it PREFLIGHT_PRIVATE_KEY is read when set. No message quotes the value.
 */
import { parsePrivateKey } from '../phala/index.js';
import { UsageError } from '../util/errors.js';

export const PRIVATE_KEY_ENV = 'PREFLIGHT_PRIVATE_KEY';

export interface SignerFlags {
  /** `--private-key-env NAME`. */
  privateKeyEnv?: string;
  /** `--rpc-url URL`. */
  rpcUrl?: string;
  env?: NodeJS.ProcessEnv;
}

export function signerFromEnv(f: SignerFlags): { privateKey: string; rpcUrl?: string } | undefined {
  const env = f.env ?? process.env;
  if (f.rpcUrl !== undefined && !/^https?:\/\/[^\s]+$/.test(f.rpcUrl))
    throw new UsageError('--rpc-url takes an http(s):// URL');
  if (f.privateKeyEnv !== undefined && !/^[A-Za-z_][A-Za-z0-9_]*$/.test(f.privateKeyEnv))
    throw new UsageError('--private-key-env takes the name of an environment variable');
  const name = f.privateKeyEnv ?? (env[PRIVATE_KEY_ENV] !== undefined ? PRIVATE_KEY_ENV : undefined);
  if (!name) return undefined;
  const privateKey = parsePrivateKey(env[name], `the environment variable ${name}`);
  return { privateKey, ...(f.rpcUrl ? { rpcUrl: f.rpcUrl } : {}) };
}
