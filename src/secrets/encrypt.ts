/**
 * `preflight secrets encrypt` as a library function: read the secret set, get the app's env public
 * key (given, or from Phala Cloud), validate and encrypt, optionally write the blob (0600).
 */
import { resolve } from 'node:path';
import { UsageError } from '../util/errors.js';
import { checkOutputTarget, writeOutputFile } from '../util/write-file.js';
import { encryptEnvVars, parsePublicKeyHex, type RandomSource } from './envelope.js';
import { fetchEnvPublicKey, type EnvPublicKey, type PublicKeyRequest } from './cloud.js';
import { readSecretInput, validatedVars, type SecretInputOptions } from './input.js';

export interface EncryptRequest extends SecretInputOptions, PublicKeyRequest {
  pubkey?: string;
  out?: string;
  force?: boolean;
  random?: RandomSource;
}

export interface EncryptResult {
  encrypted_env: string;
  env_keys: string[];
  public_key: string;
  verified: boolean;
  key: EnvPublicKey;
  warnings: string[];
  out?: string;
}

export async function resolvePublicKey(req: PublicKeyRequest & { pubkey?: string }): Promise<EnvPublicKey> {
  const given = [req.pubkey, req.cvm, req.appId].filter(Boolean).length;
  if (given !== 1) throw new UsageError('give exactly one of --pubkey, --cvm or --app-id');
  if (req.pubkey) {
    return {
      publicKey: parsePublicKeyHex(req.pubkey).toString('hex'),
      source: '--pubkey',
      verified: false,
      note: 'key given with --pubkey, not signature-checked',
    };
  }
  return fetchEnvPublicKey(req);
}

export async function encryptSecrets(req: EncryptRequest): Promise<EncryptResult> {
  if (!req.envFile && !req.assignments?.length)
    throw new UsageError('nothing to encrypt: give --env-file FILE or KEY=VALUE arguments');
  const inputs = req.envFile ? [resolve(req.envFile)] : [];
  if (req.out) checkOutputTarget(req.out, { force: req.force, inputs, refuseExisting: true });
  const input = readSecretInput(req);
  const vars = validatedVars(input);
  const key = await resolvePublicKey(req);
  const { encryptedEnv, envKeys } = encryptEnvVars(vars, key.publicKey, { random: req.random });
  if (req.out) writePrivateFile(req.out, encryptedEnv, req.force ?? false, inputs);
  return {
    encrypted_env: encryptedEnv,
    env_keys: envKeys,
    public_key: key.publicKey,
    verified: key.verified,
    key,
    warnings: input.warnings,
    out: req.out,
  };
}

/** Writes a file readable by its owner only (through the one safe writer); refuses to replace one unless `force`. */
export function writePrivateFile(path: string, content: string, force: boolean, inputs: readonly string[] = []): void {
  writeOutputFile(path, content, { mode: 0o600, force, inputs, refuseExisting: true });
}
