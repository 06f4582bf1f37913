/**
 * Where the app owner's key comes from for on-chain registrations. Best an environment variable:
 * `--private-key-env NAME` names it; without it PREFLIGHT_PRIVATE_KEY is read when set. The issue's
 * `--private-key KEY` is accepted too (as `phala deploy` and Foundry's `cast` accept one), with a
 * warning: a process's arguments are readable by every user of the machine through `ps` and /proc,
 * and land in shell history and CI logs. No message quotes the value.
 */
import { parsePrivateKey } from '../phala/index.js';
import { UsageError } from '../util/errors.js';

export const PRIVATE_KEY_ENV = 'PREFLIGHT_PRIVATE_KEY';

export interface SignerFlags {
  /** `--private-key KEY`: the key itself, on the command line (see `ARGV_KEY_WARNING`). */
  privateKey?: string;
  /** `--private-key-env NAME`. */
  privateKeyEnv?: string;
  /** `--rpc-url URL`. */
  rpcUrl?: string;
  env?: NodeJS.ProcessEnv;
}

/** What the CLI prints (stderr) when the key came on the command line. */
export const ARGV_KEY_WARNING =
  'preflight: warning: --private-key puts the key in the process list and shell history; ' +
  'prefer --private-key-env NAME or PREFLIGHT_PRIVATE_KEY';

export function resolveSigner(
  f: SignerFlags,
): { privateKey: string; rpcUrl?: string; fromCommandLine?: true } | undefined {
  const env = f.env ?? process.env;
  if (f.privateKey !== undefined && f.privateKeyEnv !== undefined)
    throw new UsageError('--private-key and --private-key-env both name a key: give one');
  if (f.rpcUrl !== undefined && !/^https?:\/\/[^\s]+$/.test(f.rpcUrl))
    throw new UsageError('--rpc-url takes an http(s):// URL');
  if (f.privateKeyEnv !== undefined && !/^[A-Za-z_][A-Za-z0-9_]*$/.test(f.privateKeyEnv))
    throw new UsageError('--private-key-env takes the name of an environment variable');
  if (f.privateKey !== undefined)
    return {
      privateKey: parsePrivateKey(f.privateKey, 'the --private-key value'),
      ...(f.rpcUrl ? { rpcUrl: f.rpcUrl } : {}),
      fromCommandLine: true,
    };
  const name = f.privateKeyEnv ?? (env[PRIVATE_KEY_ENV] !== undefined ? PRIVATE_KEY_ENV : undefined);
  if (!name) return undefined;
  const privateKey = parsePrivateKey(env[name], `the environment variable ${name}`);
  return { privateKey, ...(f.rpcUrl ? { rpcUrl: f.rpcUrl } : {}) };
}
