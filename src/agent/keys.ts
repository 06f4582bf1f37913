/**
 * Key derivation the way the dstack KMS and guest agent do it, from one root secret; every HKDF is
 * dstack's `kdf::derive_key` (SHA-256, salt "RATLS"):
 *
 *   root secret ──HKDF("preflight-agent:kms-root-k256")──▶ KMS root key (secp256k1)   [ours: stands in for the KMS]
 *   KMS root key ──HKDF(app_id ‖ "app-key")──▶ app key (secp256k1)          [dstack kms: crypto.rs derive_k256_key]
 *   app key ──HKDF(path)──▶ derived key (32 bytes; secp256k1 or ed25519 seed) [guest agent: get_key]
 *   app key ──HKDF(path)──▶ P-256 key of the legacy Tappd.DeriveKey          [guest agent: derive_key]
 *
 * Signature chain of a derived key, both links keccak256 + recoverable secp256k1 (r ‖ s ‖ v, 65 bytes):
 *   chain[0] = app key signs  "<purpose>:<hex public key>"                (compressed SEC1 for secp256k1)
 *   chain[1] = KMS root signs "dstack-kms-issued:" ‖ app_id ‖ app public key (compressed SEC1)
 * As in dstack, `purpose` only enters the signature: the key depends on (app id, path) alone.
 */
import { createECDH, createPrivateKey, type KeyObject } from 'node:crypto';
import { secp256k1 } from '@noble/curves/secp256k1';
import { ed25519 } from '@noble/curves/ed25519';
import { keccak_256 } from '@noble/hashes/sha3';
import { hkdfSha256, sha256, toHex } from './encoding.js';

export type KeyAlgorithm = 'secp256k1' | 'ed25519';

export interface DerivedKey {
  algorithm: KeyAlgorithm;
  /** 32 private bytes: a secp256k1 scalar or an ed25519 seed. Never logged. */
  privateKey: Uint8Array;
  /** Compressed SEC1 (secp256k1) or the raw 32-byte ed25519 public key, hex. */
  publicKeyHex: string;
  /** [app signature, KMS signature], 65 bytes each. */
  signatureChain: Uint8Array[];
}

const KMS_ISSUED_PREFIX = 'dstack-kms-issued:';

/** Maps the names clients send onto the key types; undefined = unsupported. */
export function normalizeKeyAlgorithm(name: string): KeyAlgorithm | undefined {
  if (name === '' || name === 'secp256k1' || name === 'k256') return 'secp256k1';
  if (name === 'ed25519') return 'ed25519';
  return undefined;
}

/** A valid secp256k1 scalar from HKDF output; re-derives with a counter in the (2^-128) case it is out of range. */
function k256Scalar(ikm: Uint8Array, info: Uint8Array): Uint8Array {
  for (let attempt = 0; ; attempt++) {
    const candidate = hkdfSha256(ikm, attempt === 0 ? info : Buffer.concat([info, Buffer.from([attempt])]));
    if (secp256k1.utils.isValidPrivateKey(candidate)) return candidate;
  }
}

/** keccak256 + recoverable ECDSA, the envelope of every link in dstack's chains. */
export function signRecoverable(privateKey: Uint8Array, message: Uint8Array): Uint8Array {
  const sig = secp256k1.sign(keccak_256(message), privateKey);
  return Buffer.concat([sig.toCompactRawBytes(), Buffer.from([sig.recovery])]);
}

export class Keyring {
  readonly appId: Buffer;
  readonly kmsRootPublicKeyHex: string;
  readonly appPublicKeyHex: string;
  private readonly appKey: Uint8Array;
  private readonly kmsSignature: Uint8Array;

  constructor(rootSecret: Uint8Array, appId: Buffer) {
    this.appId = appId;
    const kmsRoot = k256Scalar(rootSecret, Buffer.from('preflight-agent:kms-root-k256'));
    this.kmsRootPublicKeyHex = toHex(secp256k1.getPublicKey(kmsRoot, true));
    this.appKey = k256Scalar(kmsRoot, Buffer.concat([appId, Buffer.from('app-key')]));
    const appPublic = secp256k1.getPublicKey(this.appKey, true);
    this.appPublicKeyHex = toHex(appPublic);
    this.kmsSignature = signRecoverable(kmsRoot, Buffer.concat([Buffer.from(KMS_ISSUED_PREFIX), appId, appPublic]));
  }

  /** GetKey: the key for `path`; `purpose` is bound into the app's signature only. */
  getKey(path: string, purpose: string, algorithm: KeyAlgorithm): DerivedKey {
    const privateKey = k256Scalar(this.appKey, Buffer.from(path, 'utf8'));
    const publicKeyHex =
      algorithm === 'ed25519'
        ? toHex(ed25519.getPublicKey(privateKey))
        : toHex(secp256k1.getPublicKey(privateKey, true));
    const appSignature = signRecoverable(this.appKey, Buffer.from(`${purpose}:${publicKeyHex}`, 'utf8'));
    return { algorithm, privateKey, publicKeyHex, signatureChain: [appSignature, this.kmsSignature] };
  }

  /** Per-app secret material for other derivations (TLS CA, legacy DeriveKey, instance id). */
  derive(label: string): Buffer {
    return hkdfSha256(this.appKey, Buffer.from(label, 'utf8'));
  }

  /**
   * The legacy `Tappd.DeriveKey` key for `path`, as dstack derives it: HKDF of the app key with the
   * path, taken as a P-256 scalar (dstack fails the call in the 2^-32 case it is out of range).
   */
  tappdKey(path: string): KeyObject | undefined {
    return p256FromScalar(hkdfSha256(this.appKey, Buffer.from(path, 'utf8')));
  }

  /** A P-256 key pair derived from `label` (the simulated app CA is deterministic). */
  p256Key(label: string): KeyObject {
    for (let attempt = 0; ; attempt++) {
      const d = hkdfSha256(this.appKey, Buffer.from(`p256:${attempt}:${label}`, 'utf8'));
      const key = p256FromScalar(d);
      if (key) return key;
    }
  }
}

/** A node KeyObject for a P-256 scalar, or undefined when the scalar is out of range. */
export function p256FromScalar(d: Uint8Array): KeyObject | undefined {
  try {
    const ecdh = createECDH('prime256v1');
    ecdh.setPrivateKey(Buffer.from(d));
    const pub = ecdh.getPublicKey();
    const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64url');
    return createPrivateKey({
      key: { kty: 'EC', crv: 'P-256', d: b64(d), x: b64(pub.subarray(1, 33)), y: b64(pub.subarray(33, 65)) },
      format: 'jwk',
    });
  } catch {
    return undefined;
  }
}

/**
 * Sign as the guest agent's `/Sign` does: secp256k1 over SHA-256 (or a given digest), ed25519 plain; 64-byte
 * signatures.
 */
export function signData(key: DerivedKey, data: Uint8Array, prehashed: boolean): Uint8Array {
  if (key.algorithm === 'ed25519') return ed25519.sign(data, key.privateKey);
  const digest = prehashed ? data : sha256(data);
  return secp256k1.sign(digest, key.privateKey).toCompactRawBytes();
}

/** `/Verify`: false for a signature that does not verify; throws for a malformed key or signature. */
export function verifyData(
  algorithm: 'secp256k1' | 'secp256k1_prehashed' | 'ed25519',
  data: Uint8Array,
  signature: Uint8Array,
  publicKey: Uint8Array,
): boolean {
  if (algorithm === 'ed25519') return ed25519.verify(signature, data, publicKey);
  const digest = algorithm === 'secp256k1_prehashed' ? data : sha256(data);
  return secp256k1.verify(signature, digest, publicKey);
}

/**
 * Checks a GetKey signature chain and returns the KMS root public key it leads to (compressed hex),
 * or undefined when a link does not recover. Compare the result with `Info`'s key_provider_info id.
 */
export function recoverChainRoot(
  appId: Uint8Array,
  purpose: string,
  publicKeyHex: string,
  signatureChain: Uint8Array[],
): string | undefined {
  try {
    const [appSig, kmsSig] = signatureChain;
    if (!appSig || !kmsSig || appSig.length !== 65 || kmsSig.length !== 65) return undefined;
    const appPublic = recover(Buffer.from(`${purpose}:${publicKeyHex}`, 'utf8'), appSig);
    const root = recover(Buffer.concat([Buffer.from(KMS_ISSUED_PREFIX), appId, appPublic]), kmsSig);
    return toHex(root);
  } catch {
    return undefined;
  }
}

function recover(message: Uint8Array, sig: Uint8Array): Uint8Array {
  return secp256k1.Signature.fromCompact(sig.subarray(0, 64))
    .addRecoveryBit(sig[64]!)
    .recoverPublicKey(keccak_256(message))
    .toRawBytes(true);
}
