/** Small byte helpers shared by the agent modules (hex in and out, HKDF, hashing by name). */
import { createHash, createHmac } from 'node:crypto';
import { keccak_256, keccak_384, keccak_512 } from '@noble/hashes/sha3';

/** Lower-case hex without `0x`. */
export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}

/** Parses hex (an optional `0x` is accepted); returns undefined when it is not hex. */
export function parseHex(text: string): Buffer | undefined {
  const body = text.startsWith('0x') || text.startsWith('0X') ? text.slice(2) : text;
  if (body.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(body)) return undefined;
  return Buffer.from(body, 'hex');
}

/** The HKDF salt of dstack's `ra_tls::kdf::derive_key` (docs/platform.md#key-derivation). */
export const DSTACK_KDF_SALT = Buffer.from('RATLS');

/**
 * HKDF-SHA256 (RFC 5869) with salt "RATLS", the way dstack's `kdf::derive_key` calls it (ring's
 * `Salt::new(HKDF_SHA256, b"RATLS").extract(ikm).expand(info…)`, the info parts concatenated).
 * Written out because node's hkdfSync caps `info` at 1024 bytes and key paths can be longer.
 */
export function hkdfSha256(ikm: Uint8Array, info: Uint8Array, length = 32): Buffer {
  const prk = createHmac('sha256', DSTACK_KDF_SALT).update(ikm).digest();
  const blocks: Buffer[] = [];
  let previous = Buffer.alloc(0);
  for (let counter = 1; Buffer.concat(blocks).length < length; counter++) {
    previous = createHmac('sha256', prk)
      .update(previous)
      .update(info)
      .update(Buffer.from([counter]))
      .digest();
    blocks.push(previous);
  }
  return Buffer.concat(blocks).subarray(0, length);
}

export function sha256(data: Uint8Array | string): Buffer {
  return createHash('sha256').update(data).digest();
}

export function sha384(data: Uint8Array): Buffer {
  return createHash('sha384').update(data).digest();
}

/** The hash algorithms the legacy `Tappd.TdxQuote` accepts, by the names clients send. */
const HASHES: Record<string, (data: Uint8Array) => Uint8Array> = {
  sha256: (d) => createHash('sha256').update(d).digest(),
  sha384: (d) => createHash('sha384').update(d).digest(),
  sha512: (d) => createHash('sha512').update(d).digest(),
  'sha3-256': (d) => createHash('sha3-256').update(d).digest(),
  'sha3-384': (d) => createHash('sha3-384').update(d).digest(),
  'sha3-512': (d) => createHash('sha3-512').update(d).digest(),
  keccak256: (d) => keccak_256(d),
  keccak384: (d) => keccak_384(d),
  keccak512: (d) => keccak_512(d),
};

export function hashByName(name: string, data: Uint8Array): Uint8Array | undefined {
  return HASHES[name]?.(data);
}

/** JSON with every non-ASCII character escaped: the SDK's unix-socket client measures bodies in characters. */
export function asciiJson(value: unknown): string {
  return JSON.stringify(value).replace(
    /[\u0080-\uffff]/g,
    (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'),
  );
}
