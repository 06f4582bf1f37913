/**
 * The agent as a given dstack OS version serves it (EmitEvent until 0.6.0, GpuInfo from 0.6.0, Version),
 * bounded runtime events, the key provider the deployment declares, and the HTTP surface: POST
 * only, and on TCP a loopback Host header. Driven through the real @phala/dstack-sdk where it has the call.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { join } from 'node:path';
import { DstackClient } from '@phala/dstack-sdk';
import { InputError } from '../../src/util/errors.js';
import { MAX_RUNTIME_EVENTS, startAgent, type AgentOptions } from '../../src/agent/index.js';
import { rawCall, tempDir } from './helpers.js';

async function withAgent<T>(
  opts: Partial<AgentOptions>,
  fn: (a: Awaited<ReturnType<typeof startAgent>>) => Promise<T>,
) {
  const t = tempDir();
  const agent = await startAgent({ socketPath: join(t.dir, 'a.sock'), ...opts });
  try {
    return await fn(agent);
  } finally {
    await agent.close();
    t.cleanup();
  }
}

/** A request over TCP with the method and Host header given. */
function tcpCall(
  url: string,
  path: string,
  opts: { method?: string; host?: string },
): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: u.hostname,
        port: u.port,
        path,
        method: opts.method ?? 'POST',
        headers: { 'Content-Type': 'application/json', ...(opts.host ? { Host: opts.host } : {}) },
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end(opts.method === 'GET' ? undefined : '{}');
  });
}

describe('OS versions', () => {
  it('by default (dstack 0.6.0): GpuInfo says "no GPU", EmitEvent is not served and reported as such', async () => {
    const calls: { method: string; why: string }[] = [];
    await withAgent({ onUnsupportedCall: (c) => calls.push(c) }, async (agent) => {
      const gpu = await rawCall(agent.socketPath!, '/GpuInfo', '{}');
      assert.deepEqual([gpu.status, gpu.json], [200, { attestation: '' }]);
      const emit = await rawCall(agent.socketPath!, '/EmitEvent', '{"event":"x","payload":""}');
      assert.equal(emit.status, 400);
      assert.match(String(emit.json.error), /EmitEvent .* removed in dstack 0\.6\.0/);
      assert.deepEqual(calls, [{ method: 'EmitEvent', why: 'removed in dstack 0.6.0' }]);
      assert.equal((await rawCall(agent.socketPath!, '/prpc/DstackGuest.EmitEvent', '{}')).status, 400);
    });
  });

  it('--os-version 0.5.11: EmitEvent extends RTMR3, GpuInfo does not exist, Version says 0.5.11', async () => {
    await withAgent({ osVersion: '0.5.11' }, async (agent) => {
      const c = new DstackClient(agent.socketPath);
      assert.equal((await c.version()).version, '0.5.11');
      const before = (await c.getQuote('x')).replayRtmrs()[3];
      await c.emitEvent('app-started', 'v1');
      const after = await c.getQuote('x');
      assert.notEqual(after.replayRtmrs()[3], before);
      assert.ok(JSON.parse(after.event_log).some((e: { event: string }) => e.event === 'app-started'));
      assert.equal((await rawCall(agent.socketPath!, '/GpuInfo', '{}')).status, 400);
    });
  });

  it('an OS before 0.5.7 has no Version RPC', async () => {
    await withAgent({ osVersion: '0.5.6' }, async (agent) => {
      assert.equal((await rawCall(agent.socketPath!, '/Version', '{}')).status, 400);
      assert.equal((await rawCall(agent.socketPath!, '/prpc/Tappd.Version', '{}')).status, 400);
      assert.equal((await new DstackClient(agent.socketPath).getKey('/k', 'p')).key.length, 32);
    });
  });

  it('events are capped and quotes do not grow with them', async () => {
    await withAgent({ osVersion: '0.5.11' }, async (agent) => {
      const s = agent.socketPath!;
      const quoteSize = async () =>
        ((await rawCall(s, '/GetQuote', '{"report_data":"00"}')).json.quote as string).length;
      const first = await quoteSize();
      for (let i = 0; i < MAX_RUNTIME_EVENTS; i++)
        assert.equal((await rawCall(s, '/EmitEvent', JSON.stringify({ event: `e${i}`, payload: 'ab' }))).status, 200);
      const over = await rawCall(s, '/EmitEvent', '{"event":"one-more","payload":""}');
      assert.equal(over.status, 400);
      assert.match(String(over.json.error), /at most 256 runtime events/);
      assert.equal(await quoteSize(), first);
      const big = await rawCall(s, '/EmitEvent', JSON.stringify({ event: 'big', payload: 'ab'.repeat(4097) }));
      assert.equal(big.status, 400);
    });
  });

  it('refuses an OS version that is not x.y.z', async () => {
    await assert.rejects(
      withAgent({ osVersion: 'latest' }, async () => undefined),
      InputError,
    );
  });
});

describe('key provider', () => {
  const manifest = (fields: Record<string, unknown>) =>
    JSON.stringify({ manifest_version: 2, runner: 'docker-compose', ...fields });
  const providerOf = (opts: Partial<AgentOptions>) =>
    withAgent(opts, async (a) => ({
      info: JSON.parse((await new DstackClient(a.socketPath).info()).key_provider_info) as { name: string; id: string },
      handle: a.keyProvider,
      root: a.rootPublicKeyHex,
    }));

  it('Info names the provider the deployment declares, as the guest does (local is local-sgx; tpm and none have no id)', async () => {
    const local = await providerOf({ appCompose: manifest({ local_key_provider_enabled: true }) });
    assert.deepEqual(local.info, { name: 'local-sgx', id: local.root });
    assert.equal(local.handle, 'local');
    assert.deepEqual((await providerOf({ appCompose: manifest({ key_provider: 'tpm' }) })).info, {
      name: 'tpm',
      id: '',
    });
    assert.deepEqual((await providerOf({ appCompose: manifest({}) })).info, { name: 'none', id: '' });
    const kms = await providerOf({ appCompose: manifest({ kms_enabled: true }) });
    assert.deepEqual(kms.info, { name: 'kms', id: kms.root });
    assert.deepEqual((await providerOf({})).info.name, 'kms');
  });

  it('a key provider that contradicts the manifest is refused; one that behaves the same is taken', async () => {
    await assert.rejects(
      providerOf({ keyProvider: 'none', appCompose: manifest({ kms_enabled: true }) }),
      /contradicts/,
    );
    const tpm = await providerOf({ keyProvider: 'local', appCompose: manifest({ key_provider: 'tpm' }) });
    assert.equal(tpm.info.name, 'tpm');
  });
});

describe('HTTP surface', () => {
  it('only POST runs a method: GET is 405 with Allow: POST', async () => {
    await withAgent({ tcpPort: 0 }, async (agent) => {
      const r = await tcpCall(agent.tcpUrl!, '/GetKey', { method: 'GET' });
      assert.equal(r.status, 405);
      assert.equal(r.headers.allow, 'POST');
      assert.equal((await tcpCall(agent.tcpUrl!, '/Info', {})).status, 200);
    });
  });

  it('on TCP the Host header must be a loopback name (no DNS rebinding)', async () => {
    await withAgent({ tcpPort: 0 }, async (agent) => {
      const port = agent.tcpPort!;
      const evil = await tcpCall(agent.tcpUrl!, '/GetKey', { host: `attacker.example:${port}` });
      assert.equal(evil.status, 403);
      assert.match(evil.body, /not a loopback name/);
      for (const host of [`localhost:${port}`, `127.0.0.1:${port}`, `[::1]:${port}`, 'localhost'])
        assert.equal((await tcpCall(agent.tcpUrl!, '/Info', { host })).status, 200, host);
      // The SDK's own TCP client passes.
      assert.equal((await new DstackClient(agent.tcpUrl!).getKey('/k')).key.length, 32);
    });
  });
});
