/**
 * Drives the real `@phala/dstack-sdk` clients against the agent, for every client method, over the
 * unix socket, over TCP, and through DSTACK_SIMULATOR_ENDPOINT / TAPPD_SIMULATOR_ENDPOINT.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createPublicKey, createHash, verify, X509Certificate } from 'node:crypto';
import { createServer as createTlsServer, connect as tlsConnect } from 'node:tls';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { DstackClient, TappdClient } from '@phala/dstack-sdk';
import { toViemAccount } from '@phala/dstack-sdk/viem';
import { toKeypair } from '@phala/dstack-sdk/solana';
import { startAgent, isSimulatedQuote, type AgentHandle } from '../../src/agent/index.js';
import { quietly, tempDir } from './helpers.js';

const SECP256K1_SPKI_PREFIX = Buffer.from('3036301006072a8648ce3d020106052b8104000a032200', 'hex');
const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
const spki = (prefix: Buffer, raw: Uint8Array) =>
  createPublicKey({ key: Buffer.concat([prefix, raw]), format: 'der', type: 'spki' });

let agent: AgentHandle;
let tmp: ReturnType<typeof tempDir>;

before(async () => {
  tmp = tempDir();
  agent = await startAgent({
    socketPath: join(tmp.dir, 'dstack.sock'),
    tcpPort: 0,
    statePath: join(tmp.dir, 'state.json'),
  });
});
after(async () => {
  await agent.close();
  tmp.cleanup();
});

for (const transport of ['unix socket', 'tcp'] as const) {
  describe(`DstackClient over ${transport}`, () => {
    const endpoint = () => (transport === 'tcp' ? agent.tcpUrl! : agent.socketPath!);
    const client = () => quietly(async () => new DstackClient(endpoint()));

    it('getKey returns a 32-byte secp256k1 key (default, k256 and ed25519) with a two-link chain', async () => {
      const c = await client();
      const k = await c.getKey('/wallet', 'ethereum');
      assert.equal(k.key.length, 32);
      assert.equal(k.signature_chain.length, 2);
      assert.ok(k.signature_chain.every((s) => s.length === 65));
      const again = await c.getKey('/wallet', 'ethereum', 'k256');
      assert.deepEqual(again.key, k.key);
      const ed = await c.getKey('/wallet', 'ethereum', 'ed25519');
      assert.equal(ed.key.length, 32);
      assert.equal(toViemAccount(k).address.length, 42);
      assert.equal(toKeypair(ed).publicKey.toBytes().length, 32);
    });

    it('getKey with an unsupported algorithm fails', async () => {
      await assert.rejects((await client()).getKey('/x', '', 'rsa'));
    });

    it('getTlsKey returns a PKCS#8 key and a chain that a TLS handshake accepts', async () => {
      const c = await client();
      const tls = await c.getTlsKey({
        subject: 'app.example',
        altNames: ['app.example', '127.0.0.1'],
        notBefore: Math.floor(Date.now() / 1000) - 60,
        notAfter: Math.floor(Date.now() / 1000) + 3600,
        withAppInfo: false,
      });
      assert.match(tls.key, /^-----BEGIN PRIVATE KEY-----\n/);
      assert.equal(tls.certificate_chain.length, 2);
      assert.equal(tls.asUint8Array(32).length, 32);
      const leaf = new X509Certificate(tls.certificate_chain[0]!);
      const ca = new X509Certificate(tls.certificate_chain[1]!);
      assert.ok(leaf.verify(ca.publicKey));
      assert.match(leaf.issuer, /SIMULATED/);
      const info = await c.info();
      assert.equal(new X509Certificate(info.app_cert).fingerprint256, ca.fingerprint256);

      const server = createTlsServer({ key: tls.key, cert: tls.certificate_chain[0] }, (s) => s.end('hello over tls'));
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      try {
        const got = await new Promise<string>((resolve, reject) => {
          const s = tlsConnect(
            {
              port: (server.address() as AddressInfo).port,
              host: '127.0.0.1',
              servername: 'app.example',
              ca: tls.certificate_chain[1],
            },
            () => {
              let data = '';
              s.on('data', (d) => (data += d));
              s.on('end', () => resolve(data));
            },
          );
          s.on('error', reject);
        });
        assert.equal(got, 'hello over tls');
      } finally {
        server.close();
      }
    });

    it('getQuote, attest and tdxQuote(raw) embed report_data in a simulated quote', async () => {
      const c = await client();
      const q = await c.getQuote('plumbing-check');
      assert.ok(isSimulatedQuote(q.quote));
      assert.equal(Buffer.from(q.report_data!, 'hex').subarray(0, 14).toString(), 'plumbing-check');
      assert.equal(q.replayRtmrs().length, 4);
      const a = await c.attest('abc');
      assert.match(Buffer.from(a.attestation, 'hex').toString(), /^PREFLIGHT-SIMULATED-ATTESTATION/);
      const t = await quietly(() => c.tdxQuote('abc', 'raw'));
      assert.ok(isSimulatedQuote(t.quote));
      await assert.rejects(quietly(() => c.tdxQuote('abc', 'sha256')));
    });

    it('info parses and says simulated; version and isReachable work; emitEvent is gone (dstack 0.6.0)', async () => {
      const c = await client();
      const info = await c.info();
      assert.equal(info.app_id, agent.appId);
      assert.equal((info as unknown as { simulated: boolean }).simulated, true);
      assert.equal((info.tcb_info as unknown as { simulated: boolean }).simulated, true);
      assert.deepEqual(JSON.parse(info.key_provider_info), { name: 'kms', id: agent.rootPublicKeyHex });
      assert.equal(info.compose_hash.length, 64);
      assert.equal((await c.version()).version, '0.6.0');
      assert.equal(await c.isReachable(), true);
      // The SDK does not look at the status: the call "succeeds" and extends nothing, as on a 0.6.0 guest.
      const before = (await c.getQuote('x')).replayRtmrs()[3];
      await c.emitEvent('preflight-test', 'payload');
      assert.equal((await c.getQuote('x')).replayRtmrs()[3], before);
      await assert.rejects(c.emitEvent('', 'x'));
    });

    it('sign and verify (secp256k1, secp256k1_prehashed, ed25519), checked with node:crypto', async () => {
      const c = await client();
      const data = Buffer.from('message to sign');
      const k = await c.sign('secp256k1', data);
      assert.equal(k.signature_chain.length, 3);
      assert.ok(
        verify(
          'sha256',
          data,
          { key: spki(SECP256K1_SPKI_PREFIX, k.public_key), dsaEncoding: 'ieee-p1363' },
          k.signature,
        ),
      );
      assert.equal((await c.verify('secp256k1', data, k.signature, k.public_key)).valid, true);
      assert.equal((await c.verify('secp256k1', Buffer.from('other'), k.signature, k.public_key)).valid, false);

      const digest = createHash('sha256').update(data).digest();
      const p = await c.sign('secp256k1_prehashed', digest);
      assert.equal((await c.verify('secp256k1_prehashed', digest, p.signature, p.public_key)).valid, true);
      await assert.rejects(c.sign('secp256k1_prehashed', data));

      const e = await c.sign('ed25519', data);
      assert.ok(verify(null, data, spki(ED25519_SPKI_PREFIX, e.public_key), e.signature));
      assert.equal((await c.verify('ed25519', data, e.signature, e.public_key)).valid, true);
    });

    it("deriveKey on DstackClient is the SDK's own deprecation error", async () => {
      await assert.rejects((await client()).deriveKey('/x'), /deprecated/);
    });
  });

  describe(`TappdClient over ${transport}`, () => {
    const client = () => quietly(async () => new TappdClient(transport === 'tcp' ? agent.tcpUrl! : agent.socketPath!));

    it('deriveKey gives the same key for the same path, a certificate under the app CA', async () => {
      const c = await client();
      const a = await quietly(() => c.deriveKey('/tls', 'tls.example', ['tls.example']));
      const b = await quietly(() => c.deriveKey('/tls', 'tls.example'));
      const other = await quietly(() => c.deriveKey('/other'));
      assert.deepEqual(a.asUint8Array(), b.asUint8Array());
      assert.notDeepEqual(a.asUint8Array(), other.asUint8Array());
      const ca = new X509Certificate(a.certificate_chain[1]!);
      assert.ok(new X509Certificate(a.certificate_chain[0]!).verify(ca.publicKey));
      assert.equal(toViemAccount(a).address.length, 42);
    });

    it('tdxQuote: raw embeds the padded data; hashed algorithms embed hash("app-data:" ‖ data)', async () => {
      const c = await client();
      const raw = await quietly(() => c.tdxQuote('abc', 'raw'));
      assert.ok(isSimulatedQuote(raw.quote));
      // The SDK left-pads raw data to 64 bytes; the quote carries exactly what was sent.
      assert.equal(raw.quote.slice(568 * 2, 632 * 2), Buffer.from('abc').toString('hex').padStart(128, '0'));
      const hashed = await quietly(() => c.tdxQuote('abc', 'sha256'));
      const expected = createHash('sha256').update('app-data:abc').digest('hex').padEnd(128, '0');
      assert.equal(hashed.quote.slice(568 * 2, 632 * 2), expected);
      assert.equal((hashed as unknown as { hash_algorithm: string }).hash_algorithm, 'sha256');
      const dflt = await quietly(() => c.tdxQuote('abc'));
      assert.equal((dflt as unknown as { hash_algorithm: string }).hash_algorithm, 'sha512');
      for (const alg of [
        'sha384',
        'sha512',
        'sha3-256',
        'sha3-384',
        'sha3-512',
        'keccak256',
        'keccak384',
        'keccak512',
      ] as const) {
        assert.ok(isSimulatedQuote((await quietly(() => c.tdxQuote('abc', alg))).quote), alg);
      }
      assert.equal(dflt.replayRtmrs()[3], raw.replayRtmrs()[3]);
    });

    it('isReachable (/prpc/Tappd.Info), info and getKey through the tappd client', async () => {
      const c = await client();
      assert.equal(await c.isReachable(), true);
      assert.equal((await c.info()).app_id, agent.appId);
      assert.equal((await c.getKey('/k')).key.length, 32);
    });
  });
}

describe('endpoint from the environment', () => {
  it('DstackClient uses DSTACK_SIMULATOR_ENDPOINT, TappdClient TAPPD_SIMULATOR_ENDPOINT', async () => {
    const saved = { d: process.env.DSTACK_SIMULATOR_ENDPOINT, t: process.env.TAPPD_SIMULATOR_ENDPOINT };
    try {
      process.env.DSTACK_SIMULATOR_ENDPOINT = agent.socketPath!;
      process.env.TAPPD_SIMULATOR_ENDPOINT = agent.tcpUrl!;
      const d = await quietly(async () => new DstackClient());
      const t = await quietly(async () => new TappdClient());
      const viaEnv = await d.getKey('/env');
      const viaTappd = await t.getKey('/env');
      assert.deepEqual(viaEnv.key, viaTappd.key);
      assert.equal((await t.info()).app_id, agent.appId);
    } finally {
      for (const [name, value] of [
        ['DSTACK_SIMULATOR_ENDPOINT', saved.d],
        ['TAPPD_SIMULATOR_ENDPOINT', saved.t],
      ] as const) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    }
  });
});
