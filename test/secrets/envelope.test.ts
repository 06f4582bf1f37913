import { test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { encryptEnvVars as sdkEncryptEnvVars } from '@phala/dstack-sdk/encrypt-env-vars';
import {
  decryptEnvBlob,
  encryptEnvVars,
  encryptPlaintext,
  x25519PublicFromSecret,
  parsePublicKeyHex,
  type EnvVar,
} from '../../src/secrets/envelope.js';
import { InputError } from '../../src/util/errors.js';

// The fixed vector of docs/platform.md#secrets.
const RECIPIENT_SECRET = '4f3cf0a19a0444674c8e51222afd395b8df9fad2ba3cd7956f640a4b3c046db6';
const RECIPIENT_PUBLIC = '4b03687002c7e0f6e8eaabea3edc108de72a06d2c2b64a3e14c34883645c7127';
const EXPECTED =
  '07a37cbc142093c8b755dc1b10e86cb426374ad16aa853ed0bdfc0b2b86d1c7c' +
  '000000000000000000000000' +
  'b666f0f8d148117551fd9d5a499846fdc8c6cd5bac2f4a447fa4072d81daf3bc2397879daa07dc03eeeb81e1f311adc10d524f3074';

/** Yields the ephemeral secret 0x01..0x20, then a zero IV. */
function fixedRandom(): (n: number) => Uint8Array {
  const queue = [Uint8Array.from({ length: 32 }, (_, i) => i + 1), new Uint8Array(12)];
  return (n) => {
    const next = queue.shift()!;
    assert.equal(next.length, n);
    return next;
  };
}

/** An independent decryptor written from the spec: raw node:crypto, no code shared with ours. */
function specDecrypt(hex: string, secretHex: string): string {
  const bytes = Buffer.from(hex, 'hex');
  const priv = crypto.createPrivateKey({
    key: {
      kty: 'OKP',
      crv: 'X25519',
      d: Buffer.from(secretHex, 'hex').toString('base64url'),
      x: x25519FromJwk(secretHex),
    },
    format: 'jwk',
  });
  const pub = crypto.createPublicKey({
    key: { kty: 'OKP', crv: 'X25519', x: bytes.subarray(0, 32).toString('base64url') },
    format: 'jwk',
  });
  const key = crypto.diffieHellman({ privateKey: priv, publicKey: pub });
  const d = crypto.createDecipheriv('aes-256-gcm', key, bytes.subarray(32, 44));
  d.setAuthTag(bytes.subarray(bytes.length - 16));
  return Buffer.concat([d.update(bytes.subarray(44, bytes.length - 16)), d.final()]).toString('utf8');
}
function x25519FromJwk(secretHex: string): string {
  // Derive x with a separate generateKeyPair-free path: JWK import of d alone is not allowed, so
  // compute the public key via ECDH against the base point u=9.
  const base = Buffer.alloc(32);
  base[0] = 9;
  const ecdh = crypto.createPrivateKey({
    key: Buffer.concat([Buffer.from('302e020100300506032b656e04220420', 'hex'), Buffer.from(secretHex, 'hex')]),
    format: 'der',
    type: 'pkcs8',
  });
  const x = crypto.diffieHellman({
    privateKey: ecdh,
    publicKey: crypto.createPublicKey({
      key: { kty: 'OKP', crv: 'X25519', x: base.toString('base64url') },
      format: 'jwk',
    }),
  });
  return x.toString('base64url');
}

test('the fixed vector of docs/platform.md, byte for byte', () => {
  assert.equal(x25519PublicFromSecret(Buffer.from(RECIPIENT_SECRET, 'hex')).toString('hex'), RECIPIENT_PUBLIC);
  const { encryptedEnv, envKeys } = encryptEnvVars([{ key: 'FOO', value: 'bar' }], RECIPIENT_PUBLIC, {
    random: fixedRandom(),
  });
  assert.equal(encryptedEnv, EXPECTED);
  assert.deepEqual(envKeys, ['FOO']);
  // The same with a 0x-prefixed key and through the raw plaintext entry point.
  assert.equal(
    encryptPlaintext(Buffer.from('{"env":[{"key":"FOO","value":"bar"}]}'), parsePublicKeyHex('0x' + RECIPIENT_PUBLIC), {
      random: fixedRandom(),
    }),
    EXPECTED,
  );
  assert.deepEqual(decryptEnvBlob(EXPECTED, RECIPIENT_SECRET), [{ key: 'FOO', value: 'bar' }]);
});

test("a blob from @phala/dstack-sdk's encryptEnvVars decrypts with ours", async () => {
  const vars: EnvVar[] = [
    { key: 'DATABASE_URL', value: 'postgres://u:p@db/x' },
    { key: 'UNICODE', value: 'héllo wörld ✓ 🚀' },
    { key: 'EMPTY', value: '' },
  ];
  const blob = await sdkEncryptEnvVars(vars, RECIPIENT_PUBLIC);
  assert.match(blob, /^[0-9a-f]+$/);
  assert.deepEqual(decryptEnvBlob(blob, RECIPIENT_SECRET), vars);
});

test('ours decrypts with an independent decryptor written from the spec', () => {
  const vars: EnvVar[] = [
    { key: 'API_KEY', value: 'sk-test-1234' },
    { key: 'MULTI', value: 'a\nb\n"c"' },
  ];
  const { encryptedEnv } = encryptEnvVars(vars, RECIPIENT_PUBLIC);
  assert.match(encryptedEnv, /^[0-9a-f]+$/);
  assert.equal(specDecrypt(encryptedEnv, RECIPIENT_SECRET), JSON.stringify({ env: vars }));
});

test('1,000 random round trips, unicode and 128 KiB values', () => {
  // No NUL: no process environment can hold one, so every command refuses it (next test).
  const alphabet = ['a', 'Z', '0', ' ', '"', '\\', '\n', 'é', '中', '🚀', '\u0001', '$'];
  const rnd = (n: number) => crypto.randomInt(n);
  const big = 'x'.repeat(128 * 1024);
  for (let i = 0; i < 1000; i++) {
    const secret = crypto.randomBytes(32);
    const pub = x25519PublicFromSecret(secret);
    const count = 1 + rnd(4);
    const vars: EnvVar[] = [];
    for (let j = 0; j < count; j++) {
      let value = '';
      const len = rnd(40);
      for (let c = 0; c < len; c++) value += alphabet[rnd(alphabet.length)];
      vars.push({ key: `K${i}_${j}`, value: i % 100 === 0 && j === 0 ? big : value });
    }
    const { encryptedEnv } = encryptEnvVars(vars, pub);
    assert.deepEqual(decryptEnvBlob(encryptedEnv, secret), vars);
    if (i % 250 === 0) assert.equal(specDecrypt(encryptedEnv, secret.toString('hex')), JSON.stringify({ env: vars }));
  }
});

test('a NUL byte in a name or value is refused, as plan and check refuse it', () => {
  assert.throws(
    () => encryptEnvVars([{ key: 'A', value: 'x\u0000y' }], RECIPIENT_PUBLIC),
    /the value of "A" holds a NUL byte/,
  );
  assert.throws(
    () => encryptEnvVars([{ key: 'A\u0000', value: 'x' }], RECIPIENT_PUBLIC),
    /a variable name holds a NUL byte/,
  );
});

test('tampered or wrong-key blobs are rejected without echoing content', () => {
  const { encryptedEnv } = encryptEnvVars([{ key: 'A', value: 'canary-XYZ' }], RECIPIENT_PUBLIC);
  const flipped = encryptedEnv.slice(0, -2) + (encryptedEnv.endsWith('00') ? '01' : '00');
  assert.throws(() => decryptEnvBlob(flipped, RECIPIENT_SECRET), InputError);
  assert.throws(() => decryptEnvBlob(encryptedEnv, crypto.randomBytes(32)), InputError);
  assert.throws(() => decryptEnvBlob('zz', RECIPIENT_SECRET), InputError);
});

test('validation before encrypting names the key, never the value', () => {
  const canary = 'CANARY-VALUE-5150';
  const tooLong = 'x'.repeat(128 * 1024 + 1);
  const cases: Array<[EnvVar[], RegExp]> = [
    [[{ key: '1BAD', value: canary }], /"1BAD" is not a valid variable name/],
    [[{ key: 'BAD-DASH', value: canary }], /"BAD-DASH"/],
    [[{ key: 'A'.repeat(256), value: canary }], /256 bytes; the CVM accepts at most 255/],
    [[{ key: 'BIG', value: tooLong + canary }], /value of "BIG" is \d+ bytes/],
    [
      [
        { key: 'DUP', value: canary },
        { key: 'DUP', value: canary + '2' },
      ],
      /"DUP" is given twice with different values/,
    ],
    [Array.from({ length: 1025 }, (_, i) => ({ key: `K${i}`, value: canary })), /"K1024" is variable number 1025/],
    [
      Array.from({ length: 9 }, (_, i) => ({ key: `V${i}`, value: 'y'.repeat(128 * 1024) + canary.slice(0, 0) })),
      /with "V7" the variables total/,
    ],
  ];
  for (const [vars, re] of cases) {
    assert.throws(
      () => encryptEnvVars(vars, RECIPIENT_PUBLIC),
      (err: unknown) =>
        err instanceof InputError &&
        re.test(err.message) &&
        !err.message.includes(canary) &&
        !err.message.includes('yyyy'),
    );
  }
  // Exact duplicates are fine and sent once; 255-byte names and 128 KiB values are fine.
  const ok = encryptEnvVars(
    [
      { key: 'DUP', value: 'v' },
      { key: 'DUP', value: 'v' },
      { key: 'N'.repeat(255), value: 'y'.repeat(128 * 1024) },
    ],
    RECIPIENT_PUBLIC,
  );
  assert.deepEqual(ok.envKeys, ['DUP', 'N'.repeat(255)]);
});

test('bad public keys are input errors', () => {
  assert.throws(() => encryptEnvVars([{ key: 'A', value: 'b' }], 'abcd'), InputError);
  assert.throws(() => encryptEnvVars([{ key: 'A', value: 'b' }], 'zz'.repeat(32)), InputError);
});
