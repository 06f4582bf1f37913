/** Key derivation: stable across agent restarts, per app id, signature chains that lead to the agent's root. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createECDH, createHash, createPrivateKey, hkdfSync } from 'node:crypto';
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { secp256k1 } from '@noble/curves/secp256k1';
import { keccak_256 } from '@noble/hashes/sha3';
import { DstackClient, TappdClient } from '@phala/dstack-sdk';
import { hkdfSha256 } from '../../src/agent/encoding.js';
import { p256FromScalar } from '../../src/agent/keys.js';
import { InputError } from '../../src/util/errors.js';
import { recoverChainRoot, startAgent } from '../../src/agent/index.js';
import { rawCall, tempDir } from './helpers.js';

const APP_A = '0123456789abcdef0123456789abcdef01234567';
const APP_B = 'fedcba9876543210fedcba9876543210fedcba98';

async function keyOnce(
  dir: string,
  opts: { appId?: string; keyProvider?: 'kms' | 'local' | 'none'; path?: string } = {},
) {
  const agent = await startAgent({
    socketPath: join(dir, 'a.sock'),
    statePath: join(dir, 'state.json'),
    appId: opts.appId,
    keyProvider: opts.keyProvider,
  });
  try {
    const key = await new DstackClient(agent.socketPath).getKey(opts.path ?? '/data-key', 'encryption');
    return {
      key: Buffer.from(key.key).toString('hex'),
      chain: key.signature_chain,
      root: agent.rootPublicKeyHex,
      created: agent.stateCreated,
    };
  } finally {
    await agent.close();
  }
}

/** Recovers the signer of keccak256(message) from a 65-byte r‖s‖v signature; written here, apart from src/agent. */
function recoverSigner(message: Uint8Array, sig: Uint8Array): string {
  const signature = secp256k1.Signature.fromCompact(sig.subarray(0, 64)).addRecoveryBit(sig[64]!);
  const point = signature.recoverPublicKey(keccak_256(message));
  assert.ok(secp256k1.verify(signature.toCompactRawBytes(), keccak_256(message), point.toRawBytes(true)));
  return Buffer.from(point.toRawBytes(true)).toString('hex');
}

describe('key derivation', () => {
  it('gives the same key for the same path across agent restarts with the same state file', async () => {
    const t = tempDir();
    try {
      const first = await keyOnce(t.dir, { appId: APP_A });
      const second = await keyOnce(t.dir, { appId: APP_A });
      assert.equal(first.created, true);
      assert.equal(second.created, false);
      assert.equal(second.key, first.key);
      assert.equal(second.root, first.root);
      const otherPath = await keyOnce(t.dir, { appId: APP_A, path: '/other' });
      assert.notEqual(otherPath.key, first.key);
    } finally {
      t.cleanup();
    }
  });

  it('gives another key to another app id, and another state file gives another root', async () => {
    const t = tempDir();
    const u = tempDir();
    try {
      const a = await keyOnce(t.dir, { appId: APP_A });
      const b = await keyOnce(t.dir, { appId: APP_B });
      assert.notEqual(a.key, b.key);
      assert.equal(a.root, b.root);
      const elsewhere = await keyOnce(u.dir, { appId: APP_A });
      assert.notEqual(elsewhere.key, a.key);
      assert.notEqual(elsewhere.root, a.root);
    } finally {
      t.cleanup();
      u.cleanup();
    }
  });

  it('key provider none changes keys on every start; local stays stable', async () => {
    const t = tempDir();
    try {
      const n1 = await keyOnce(t.dir, { keyProvider: 'none' });
      const n2 = await keyOnce(t.dir, { keyProvider: 'none' });
      assert.notEqual(n1.key, n2.key);
      const l1 = await keyOnce(t.dir, { keyProvider: 'local' });
      const l2 = await keyOnce(t.dir, { keyProvider: 'local' });
      assert.equal(l1.key, l2.key);
    } finally {
      t.cleanup();
    }
  });

  it('creates the state file with mode 0600, holding no more than the format and the secret', async () => {
    const t = tempDir();
    try {
      await keyOnce(t.dir);
      const file = join(t.dir, 'state.json');
      assert.equal(statSync(file).mode & 0o777, 0o600);
      const state = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
      assert.deepEqual(Object.keys(state).sort(), ['created_at', 'format', 'root_secret', 'version']);
      assert.match(String(state.root_secret), /^[0-9a-f]{64}$/);
    } finally {
      t.cleanup();
    }
  });

  it('signature chain verifies independently up to the root public key Info reports', async () => {
    const t = tempDir();
    const agent = await startAgent({
      socketPath: join(t.dir, 'a.sock'),
      statePath: join(t.dir, 'state.json'),
      appId: APP_A,
    });
    try {
      const client = new DstackClient(agent.socketPath);
      const purpose = 'ethereum';
      const res = await client.getKey('/wallet', purpose);
      // Public key of the returned private key, computed by OpenSSL.
      const ecdh = createECDH('secp256k1');
      ecdh.setPrivateKey(Buffer.from(res.key));
      const pubHex = ecdh.getPublicKey('hex', 'compressed');
      const appPub = recoverSigner(Buffer.from(`${purpose}:${pubHex}`), res.signature_chain[0]!);
      const kmsMessage = Buffer.concat([
        Buffer.from('dstack-kms-issued:'),
        Buffer.from(APP_A, 'hex'),
        Buffer.from(appPub, 'hex'),
      ]);
      const root = recoverSigner(kmsMessage, res.signature_chain[1]!);
      const info = await client.info();
      assert.equal(root, JSON.parse(info.key_provider_info).id);
      assert.equal(root, agent.rootPublicKeyHex);
      assert.equal(recoverChainRoot(Buffer.from(APP_A, 'hex'), purpose, pubHex, res.signature_chain), root);
      // The purpose is bound by the signature: claiming another purpose leads to another (wrong) root.
      assert.notEqual(recoverChainRoot(Buffer.from(APP_A, 'hex'), 'other', pubHex, res.signature_chain), root);
      // Same path, another purpose: same key (as dstack), another signature.
      const other = await client.getKey('/wallet', 'other');
      assert.deepEqual(other.key, res.key);
      assert.notDeepEqual(other.signature_chain[0], res.signature_chain[0]);
    } finally {
      await agent.close();
      t.cleanup();
    }
  });
});

describe('derivation as dstack does it (HKDF-SHA256, salt "RATLS")', () => {
  it("matches dstack's own test vector for kdf::derive_key (ra-tls/src/kdf.rs, test_derive_dh_secret_stable_output)", () => {
    // Root P-256 key and expected secret as that test fixes them; the secret is sha256 of the PKCS#8 DER of
    // the P-256 key HKDF derives from the root's scalar with the context "context one" ‖ "context two".
    const rootDer = Buffer.from(
      '308187020100301306072a8648ce3d020106082a8648ce3d030107046d306b0201010420f57527cea4ab7ffb49af99b158cdc0e3ec06398f528349ea236b7d2afe19cec1a1440342000491f50522407ce29dce3ed7d31a15d80c1c42f13a23552d2b33a0ce09ee11e47bce95936f3e7f80d195f879e28e1b144ef37ac9ab8e36a690cbf930b775897b27',
      'hex',
    );
    const root = createPrivateKey({ key: rootDer, format: 'der', type: 'pkcs8' });
    const scalar = Buffer.from(root.export({ format: 'jwk' }).d!, 'base64url');
    const derived = p256FromScalar(hkdfSha256(scalar, Buffer.from('context onecontext two')));
    assert.ok(derived);
    const secret = createHash('sha256')
      .update(derived.export({ format: 'der', type: 'pkcs8' }))
      .digest('hex');
    assert.equal(secret, '663afd58820be8ad645f9c035e93199d114ab16f738db62393bc1d7d623e8813');
  });

  it('GetKey and Tappd.DeriveKey keys are the HKDF chain from the state file, recomputed with node:crypto', async () => {
    const t = tempDir();
    const agent = await startAgent({
      socketPath: join(t.dir, 'a.sock'),
      statePath: join(t.dir, 'state.json'),
      appId: APP_A,
    });
    try {
      const rootSecret = Buffer.from(JSON.parse(readFileSync(join(t.dir, 'state.json'), 'utf8')).root_secret, 'hex');
      const hkdf = (ikm: Uint8Array, info: Buffer) => Buffer.from(hkdfSync('sha256', ikm, 'RATLS', info, 32));
      const kmsRoot = hkdf(rootSecret, Buffer.from('preflight-agent:kms-root-k256'));
      const appKey = hkdf(kmsRoot, Buffer.concat([Buffer.from(APP_A, 'hex'), Buffer.from('app-key')]));
      const got = await new DstackClient(agent.socketPath).getKey('/wallet', 'ethereum');
      assert.equal(Buffer.from(got.key).toString('hex'), hkdf(appKey, Buffer.from('/wallet')).toString('hex'));
      const tls = await new TappdClient(agent.socketPath).deriveKey('/tls');
      const d = Buffer.from(createPrivateKey(tls.key).export({ format: 'jwk' }).d!, 'base64url');
      assert.equal(d.toString('hex'), hkdf(appKey, Buffer.from('/tls')).toString('hex'));
    } finally {
      await agent.close();
      t.cleanup();
    }
  });
});

describe('bad input', () => {
  const start = (dir: string, extra: Parameters<typeof startAgent>[0]) =>
    startAgent({ socketPath: join(dir, 'a.sock'), ...extra });

  it('rejects a non-hex app id, a missing socket directory, a corrupt or unreadable state file, with InputError', async () => {
    const t = tempDir();
    try {
      await assert.rejects(start(t.dir, { appId: 'xyz' }), InputError);
      await assert.rejects(start(t.dir, { appId: '' }), InputError);
      await assert.rejects(startAgent({ socketPath: join(t.dir, 'missing', 'a.sock') }), /does not exist/);
      writeFileSync(join(t.dir, 'corrupt.json'), '{not json');
      await assert.rejects(
        start(t.dir, { statePath: join(t.dir, 'corrupt.json') }),
        (err: unknown) => err instanceof InputError && /corrupt\.json:1: .*not valid JSON/.test(err.message),
      );
      writeFileSync(join(t.dir, 'other.json'), '{"format":"preflight-agent-state","version":1,"root_secret":"abcd"}');
      await assert.rejects(start(t.dir, { statePath: join(t.dir, 'other.json') }), /32 bytes/);
      mkdirSync(join(t.dir, 'dir.json'));
      await assert.rejects(start(t.dir, { statePath: join(t.dir, 'dir.json') }), InputError);
      await assert.rejects(start(t.dir, { statePath: join(t.dir, 'nodir', 'state.json') }), /does not exist/);
      writeFileSync(join(t.dir, 'locked.json'), '{}');
      chmodSync(join(t.dir, 'locked.json'), 0o000);
      if (process.getuid?.() !== 0)
        await assert.rejects(start(t.dir, { statePath: join(t.dir, 'locked.json') }), /cannot read/);
      // An error about a state file never quotes its secret.
      const secret = 'ab'.repeat(32);
      writeFileSync(
        join(t.dir, 'v2.json'),
        JSON.stringify({ format: 'preflight-agent-state', version: 2, root_secret: secret }),
      );
      const err = await start(t.dir, { statePath: join(t.dir, 'v2.json') }).catch((e: Error) => e);
      assert.ok(err instanceof InputError);
      assert.ok(!err.message.includes(secret));
    } finally {
      t.cleanup();
    }
  });

  it('refuses a socket path that is a regular file or a live socket, and replaces a stale one', async () => {
    const t = tempDir();
    try {
      writeFileSync(join(t.dir, 'file.sock'), '');
      await assert.rejects(startAgent({ socketPath: join(t.dir, 'file.sock') }), /not a socket/);
      const live = await startAgent({ socketPath: join(t.dir, 'live.sock') });
      try {
        await assert.rejects(startAgent({ socketPath: join(t.dir, 'live.sock') }), /already listening/);
      } finally {
        await live.close();
      }
      // A socket left by a killed process is replaced.
      const stale = join(t.dir, 'stale.sock');
      const child = spawn(process.execPath, [
        '-e',
        `require('net').createServer().listen(${JSON.stringify(stale)}, () => console.log('up'))`,
      ]);
      await new Promise((r) => child.stdout.once('data', r));
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));
      assert.ok(existsSync(stale));
      const agent = await startAgent({ socketPath: stale });
      try {
        assert.equal((await rawCall(stale, '/Version', '{}')).status, 200);
      } finally {
        await agent.close();
      }
      assert.ok(!existsSync(stale));
    } finally {
      t.cleanup();
    }
  });
});
