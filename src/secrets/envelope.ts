/**
 * Encrypted environment variables exactly as dstack / Phala Cloud expect them
 * (reference: `encryptEnvVars` in @phala/dstack-sdk; facts: docs/platform.md):
 *
 *   plaintext = JSON.stringify({ env: [{ key, value }, …] })
 *   ephemeral X25519 key pair per call; shared = X25519(ephemeral secret, app env public key)
 *   the 32-byte shared secret is the AES-256-GCM key as is (no KDF), 12-byte random IV, no AAD
 *   blob = ephemeral_pub(32) ‖ iv(12) ‖ ciphertext ‖ tag(16), lowercase hex, no 0x
 *
 * Only node:crypto is used. The random source is injectable so tests can reproduce fixed vectors.
 */
import crypto from 'node:crypto';
import { InputError } from '../util/errors.js';
import { validateEnvVars, type EnvVar } from './limits.js';

export type { EnvVar } from './limits.js';

export type RandomSource = (length: number) => Uint8Array;

const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;

// DER prefixes that wrap 32 raw bytes as an X25519 PKCS#8 private key / SPKI public key (RFC 8410).
const PKCS8_X25519_PREFIX = Buffer.from('302e020100300506032b656e04220420', 'hex');
const SPKI_X25519_PREFIX = Buffer.from('302a300506032b656e032100', 'hex');

export function x25519PrivateKey(secret: Uint8Array): crypto.KeyObject {
  if (secret.length !== KEY_BYTES)
    throw new InputError(`an X25519 secret key has ${KEY_BYTES} bytes, got ${secret.length}`);
  return crypto.createPrivateKey({ key: Buffer.concat([PKCS8_X25519_PREFIX, secret]), format: 'der', type: 'pkcs8' });
}

export function x25519PublicKey(pub: Uint8Array): crypto.KeyObject {
  if (pub.length !== KEY_BYTES) throw new InputError(`an X25519 public key has ${KEY_BYTES} bytes, got ${pub.length}`);
  return crypto.createPublicKey({ key: Buffer.concat([SPKI_X25519_PREFIX, pub]), format: 'der', type: 'spki' });
}

export function x25519PublicFromSecret(secret: Uint8Array): Buffer {
  const der = crypto.createPublicKey(x25519PrivateKey(secret)).export({ format: 'der', type: 'spki' });
  return der.subarray(der.length - KEY_BYTES);
}

function sharedSecret(secret: Uint8Array, peerPublic: Uint8Array): Buffer {
  try {
    return crypto.diffieHellman({ privateKey: x25519PrivateKey(secret), publicKey: x25519PublicKey(peerPublic) });
  } catch {
    // OpenSSL refuses a low-order point (the all-zero shared secret): no CVM key is one.
    throw new InputError(lowOrderMessage(peerPublic));
  }
}

function lowOrderMessage(pub: Uint8Array): string {
  const hex = Buffer.from(pub).toString('hex');
  return (
    `the env public key ${hex.slice(0, 8)}…${hex.slice(-8)} is a low-order X25519 point: nothing encrypted to it ` +
    `is secret, and no CVM has such a key`
  );
}

/** Parses an env public key given as hex (a `0x` prefix is allowed). */
export function parsePublicKeyHex(hex: string): Buffer {
  const clean = hex.trim().replace(/^0x/i, '');
  if (!/^[0-9a-fA-F]{64}$/.test(clean)) {
    throw new InputError('the env public key must be 32 bytes of hex (64 hex digits, optional 0x)');
  }
  const pub = Buffer.from(clean, 'hex');
  // Refuse a key nothing can be encrypted to now, not after reading the secrets.
  sharedSecret(crypto.randomBytes(KEY_BYTES), pub);
  return pub;
}

export function envPlaintext(vars: readonly EnvVar[]): string {
  return JSON.stringify({ env: vars.map(({ key, value }) => ({ key, value })) });
}

export interface EncryptOptions {
  /** Defaults to crypto.randomBytes; called once for the ephemeral secret (32) and once for the IV (12). */
  random?: RandomSource;
}

/** Encrypts raw plaintext bytes for the holder of `recipientPublic`. Returns lowercase hex. */
export function encryptPlaintext(
  plaintext: Uint8Array,
  recipientPublic: Uint8Array,
  options: EncryptOptions = {},
): string {
  const random = options.random ?? ((n: number) => crypto.randomBytes(n));
  const ephemeralSecret = random(KEY_BYTES);
  const ephemeralPublic = x25519PublicFromSecret(ephemeralSecret);
  const key = sharedSecret(ephemeralSecret, recipientPublic);
  const iv = random(IV_BYTES);
  if (iv.length !== IV_BYTES) throw new Error('random source returned a wrong-sized IV');
  const cipher = crypto.createCipheriv('aes-256-gcm', key, iv);
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([ephemeralPublic, iv, body, cipher.getAuthTag()]).toString('hex');
}

export interface EncryptedEnv {
  /** The blob the platform takes (`encrypted_env`). */
  encryptedEnv: string;
  /** Key names in order, for `allowed_envs` / `env_keys`. */
  envKeys: string[];
}

/**
 * Validates `vars` against what the guest accepts (see limits.ts), then encrypts them.
 * Exact duplicates are sent once; duplicates with different values are refused.
 */
export function encryptEnvVars(
  vars: readonly EnvVar[],
  publicKey: string | Uint8Array,
  options: EncryptOptions = {},
): EncryptedEnv {
  const unique = validateEnvVars(vars);
  const recipient = typeof publicKey === 'string' ? parsePublicKeyHex(publicKey) : Buffer.from(publicKey);
  const encryptedEnv = encryptPlaintext(Buffer.from(envPlaintext(unique), 'utf8'), recipient, options);
  return { encryptedEnv, envKeys: unique.map((v) => v.key) };
}

/** Decrypts a blob to its plaintext bytes. Errors never include any of the blob's content. */
export function decryptPlaintext(hex: string, recipientSecret: Uint8Array | string): Buffer {
  const secret =
    typeof recipientSecret === 'string' ? Buffer.from(recipientSecret.replace(/^0x/i, ''), 'hex') : recipientSecret;
  const clean = hex.trim().replace(/^0x/i, '');
  if (!/^(?:[0-9a-fA-F]{2})*$/.test(clean)) throw new InputError('the encrypted env is not hex');
  const bytes = Buffer.from(clean, 'hex');
  if (bytes.length < KEY_BYTES + IV_BYTES + TAG_BYTES) throw new InputError('the encrypted env is too short');
  const ephemeralPublic = bytes.subarray(0, KEY_BYTES);
  const iv = bytes.subarray(KEY_BYTES, KEY_BYTES + IV_BYTES);
  const body = bytes.subarray(KEY_BYTES + IV_BYTES, bytes.length - TAG_BYTES);
  const tag = bytes.subarray(bytes.length - TAG_BYTES);
  const decipher = crypto.createDecipheriv('aes-256-gcm', sharedSecret(secret, ephemeralPublic), iv);
  decipher.setAuthTag(tag);
  try {
    return Buffer.concat([decipher.update(body), decipher.final()]);
  } catch {
    throw new InputError('the encrypted env does not decrypt with this key (wrong key or corrupted blob)');
  }
}

/** Decrypts a blob made by `encryptEnvVars` (ours or the SDK's) back to its variables. */
export function decryptEnvBlob(hex: string, recipientSecret: Uint8Array | string): EnvVar[] {
  const text = decryptPlaintext(hex, recipientSecret).toString('utf8');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new InputError('the decrypted env is not JSON');
  }
  const env = (parsed as { env?: unknown }).env;
  if (!Array.isArray(env) || !env.every((e) => e && typeof e.key === 'string' && typeof e.value === 'string')) {
    throw new InputError('the decrypted env is not of the form {"env":[{"key","value"}]}');
  }
  return env.map((e: EnvVar) => ({ key: e.key, value: e.value }));
}
