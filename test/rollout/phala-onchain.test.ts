import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { encodeFunctionData, type Hex } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { OnChainRegistrar, type SignedTransaction } from '../../src/phala/index.js';
import { FakeChain } from '../support/fake-chain.js';
import { composeOf, SimulatedFleet, strategy } from './support/phala-fleet.js';

/**
 * The 465 answer with the app owner's key: the Phala backend registers on the app contract what
 * the platform asks for (through @phala/cloud's addComposeHash / addDevice over viem, against a
 * local JSON-RPC node that decodes and checks every transaction), then confirms the upgrade.
 */
const KEY = `0x${'5a'.repeat(32)}` as Hex;
const OWNER = privateKeyToAccount(KEY).address;
const OTHER_KEY = `0x${'6b'.repeat(32)}` as Hex;
const GOOD = { composeText: composeOf('nginx:1.28'), images: { web: 'nginx:1.28' } };
const findings = (sim: SimulatedFleet) => sim.state.findings.map((f) => f.ruleId);

describe('rollout on an on-chain KMS with the owner key (fake API + fake chain)', () => {
  let sim: SimulatedFleet;
  let chain: FakeChain;
  afterEach(async () => {
    await sim?.close();
    await chain?.close();
  });

  /** A fleet whose KMS is on Base, its app contract on a fake chain sharing the allow lists. */
  async function onChainFleet(
    o: { devicesAllowed?: boolean; balance?: bigint; owner?: string; clock?: 'real'; pendingTtlMs?: number } = {},
  ) {
    const allowedDevices = o.devicesAllowed === false ? new Set<string>() : undefined;
    sim = await new SimulatedFleet(o.clock ?? 'manual').start({
      onChainKms: true,
      ...(o.clock ? { bootMs: 200 } : {}),
      ...(o.pendingTtlMs !== undefined ? { pendingTtlMs: o.pendingTtlMs } : {}),
      ...(allowedDevices ? { allowedDevices } : {}),
      verifyTransaction: (tx, hash) => chain.registered(tx, hash),
    });
    chain = await FakeChain.start({
      contract: sim.fake.fleet.appId,
      owner: o.owner ?? OWNER,
      allowedHashes: sim.fake.fleet.allowedHashes,
      ...(allowedDevices ? { allowedDevices } : {}),
      balances: { [OWNER]: o.balance ?? 10n ** 18n },
    });
  }

  const run = async (rpcUrl = chain.url) => {
    const backend = await sim.backend(GOOD, 2000, { privateKey: KEY, rpcUrl });
    await sim.begin(backend);
    const outs = [];
    for (const id of sim.state.order)
      outs.push(await sim.runBatch(sim.context(backend, strategy({ minHealthyTimeMs: 1000 })), [id]));
    return { backend, outs };
  };

  it('registers the compose hash once for the fleet, confirms each replica with its transaction hash', async () => {
    await onChainFleet();
    let journaledFirst = false;
    chain.onAccepted = (tx) => {
      journaledFirst = sim.events.some((e) => e.type === 'onchain-tx' && e.phase === 'sending' && e.txHash === tx.hash);
    };
    const { backend, outs } = await run();
    assert.deepEqual(
      outs.map((o) => o.ok),
      [true, true, true],
      outs.map((o) => o.detail).join('; '),
    );
    assert.deepEqual(findings(sim), []);
    // One transaction, the one viem was told to build: addComposeHash(new hash) to the contract, by the owner.
    assert.equal(chain.mined.length, 1);
    const tx = chain.mined[0]!;
    assert.deepEqual(
      [tx.functionName, tx.arg, tx.to, tx.from, tx.chainId, tx.nonce],
      ['addComposeHash', backend.targetVersion, `0x${sim.fake.fleet.appId}`, OWNER.toLowerCase(), 8453, 0],
    );
    assert.ok(journaledFirst, 'the transaction was journaled before the node got it');
    // What viem asked, in order, for that one registration.
    const asked = chain.log.filter((m) => m !== 'eth_fillTransaction');
    assert.deepEqual(asked, [
      'eth_chainId',
      'eth_getBalance',
      'eth_call',
      'eth_getTransactionCount',
      'eth_getBlockByNumber',
      'eth_maxPriorityFeePerGas',
      'eth_estimateGas',
      'eth_sendRawTransaction',
      'eth_getTransactionReceipt',
    ]);
    // Per replica: the PATCH (465), then confirmCvmPatch with the compose hash and that transaction hash.
    const patches = sim.fake.log.filter((l) => l.method === 'PATCH');
    assert.deepEqual(
      patches.map((p) => [p.path, p.status, p.confirm?.transactionHash]),
      sim.fake.fleet.replicas.flatMap((r) => [
        [`/cvms/${r.vmUuid.replace(/-/g, '')}`, 465, undefined],
        [`/cvms/${r.vmUuid.replace(/-/g, '')}`, 202, tx.hash],
      ]),
    );
    assert.ok(patches.every((p) => !p.confirm || p.confirm.composeHash === backend.targetVersion));
    // After each confirmation the state was polled as for any upgrade, and every replica runs the target.
    const afterConfirm = sim.fake.log.slice(sim.fake.log.indexOf(patches[1]!) + 1);
    assert.equal(afterConfirm[0]?.path, '/status/batch');
    assert.ok(sim.fake.fleet.replicas.every((r) => r.composeHash === backend.targetVersion));
    assert.deepEqual(
      sim.events.filter((e) => e.type === 'onchain-tx').map((e) => e.type === 'onchain-tx' && [e.phase, e.txHash]),
      [
        ['sending', tx.hash],
        ['mined', tx.hash],
      ],
    );
    assert.deepEqual(
      sim.state.order.map((id) => sim.state.instances[id]!.upgradeRequests),
      [1, 1, 1],
    );
  });

  it('two replicas upgraded side by side: their 465s come together, one transaction serves both', async () => {
    await onChainFleet({ clock: 'real' });
    const backend = await sim.backend(GOOD, 100, { privateKey: KEY, rpcUrl: chain.url });
    await sim.begin(backend);
    const ids = sim.state.order.slice(0, 2);
    const ctx = sim.context(backend, strategy({ minHealthyTimeMs: 200, maxUnavailable: { count: 2 } }), {
      gateIntervalMs: 50,
    });
    const out = await sim.runBatch(ctx, ids);
    assert.equal(out.ok, true, out.detail);
    assert.equal(chain.mined.length, 1);
    const patches = sim.fake.log.filter((l) => l.method === 'PATCH');
    assert.deepEqual(patches.map((p) => p.status).sort(), [202, 202, 465, 465]);
    assert.deepEqual(
      patches.filter((p) => p.confirm).map((p) => p.confirm!.transactionHash),
      [chain.mined[0]!.hash, chain.mined[0]!.hash],
    );
  });

  it('a 466 on confirm (the held hash expired): asked again once, confirmed again, never a second transaction', async () => {
    await onChainFleet({ pendingTtlMs: -1 });
    const { outs } = await run();
    assert.equal(outs[0]!.ok, false);
    assert.equal(findings(sim)[0], 'rollout-onchain-registration-failed');
    assert.match(sim.state.findings[0]!.message, /refused the confirmation \(HTTP 466: compose-hash-expired\)/);
    const first = `/cvms/${sim.fake.fleet.replicas[0]!.vmUuid.replace(/-/g, '')}`;
    assert.deepEqual(
      sim.fake.log.filter((l) => l.method === 'PATCH' && l.path === first).map((l) => [l.status, !!l.confirm]),
      [
        [465, false],
        [466, true],
        [465, false],
        [466, true],
      ],
    );
    assert.equal(chain.mined.length, 1);
  });

  it('a device the contract does not allow: addDevice for it first, then the compose hash', async () => {
    await onChainFleet({ devicesAllowed: false });
    const { outs } = await run();
    assert.ok(
      outs.every((o) => o.ok),
      outs.map((o) => o.detail).join('; '),
    );
    const devices = sim.fake.fleet.replicas.map((r) => r.deviceId);
    assert.deepEqual(
      chain.mined.map((t) => [t.functionName, t.arg, t.nonce]),
      [
        ['addDevice', devices[0], 0],
        ['addComposeHash', sim.fake.fleet.replicas[0]!.composeHash, 1],
        ['addDevice', devices[1], 2],
        ['addDevice', devices[2], 3],
      ],
    );
  });

  it('not enough funds: nothing is sent or confirmed, the finding says so, the replica keeps its version', async () => {
    await onChainFleet({ balance: 10n ** 14n });
    const before = sim.fake.fleet.replicas[0]!.composeHash;
    const { outs } = await run();
    assert.equal(outs[0]!.ok, false);
    assert.deepEqual(findings(sim).slice(0, 1), ['rollout-onchain-registration-failed']);
    assert.match(
      sim.state.findings[0]!.message,
      /Insufficient balance: Required 0\.001 ETH, but account has 0\.000100/,
    );
    assert.ok(sim.state.findings[0]!.message.includes(OWNER));
    assert.equal(chain.broadcasts.length, 0);
    assert.ok(!chain.log.includes('eth_sendRawTransaction'));
    assert.equal(sim.fake.log.filter((l) => l.confirm).length, 0);
    assert.equal(sim.fake.fleet.replicas[0]!.composeHash, before);
  });

  it('a key that does not own the app contract: refused before signing, naming both addresses', async () => {
    const owner = privateKeyToAccount(OTHER_KEY).address;
    await onChainFleet({ owner });
    const { outs } = await run();
    assert.equal(outs[0]!.ok, false);
    assert.equal(findings(sim)[0], 'rollout-onchain-registration-failed');
    const m = sim.state.findings[0]!.message;
    assert.match(m, /is not the owner of contract/);
    assert.ok(m.includes(OWNER) && m.includes(owner), m);
    assert.equal(chain.broadcasts.length, 0);
    assert.equal(sim.fake.log.filter((l) => l.confirm).length, 0);
  });

  it('the RPC does not answer: one line naming its host, no confirmation', async () => {
    await onChainFleet();
    const closed = http.createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(closed.address() as AddressInfo).port}/v2/provider-api-key`;
    await new Promise((r) => closed.close(r));
    const { outs } = await run(url);
    assert.equal(outs[0]!.ok, false);
    const m = sim.state.findings[0]!.message;
    assert.equal(sim.state.findings[0]!.ruleId, 'rollout-onchain-registration-failed');
    assert.match(m, new RegExp(`the RPC at ${new URL(url).host} did not answer`));
    assert.ok(!m.includes('\n') && !m.includes('provider-api-key') && !/\bat .+:\d+:\d+/.test(m), m);
    assert.equal(sim.fake.log.filter((l) => l.confirm).length, 0);
  });

  it('a version never healthy: rolled back by a confirmation alone (its hash is allowed), one transaction', async () => {
    await onChainFleet();
    const backend = await sim.backend(
      { composeText: composeOf('nginx:1.28', 'BAD'), images: { web: 'nginx:1.28' } },
      2000,
      { privateKey: KEY, rpcUrl: chain.url },
    );
    await sim.begin(backend);
    const [first] = sim.state.order;
    const before = sim.fake.fleet.replicas[0]!.composeHash;
    const out = await sim.runBatch(sim.context(backend, strategy({ healthyDeadlineMs: 30_000 })), [first!]);
    assert.equal(out.ok, false);
    assert.deepEqual(findings(sim), ['rollout-gate-failed', 'rollout-rolled-back']);
    assert.equal(sim.fake.fleet.replicas[0]!.composeHash, before);
    assert.deepEqual(
      chain.mined.map((t) => t.functionName),
      ['addComposeHash'],
    );
    assert.deepEqual(
      sim.fake.log.filter((l) => l.confirm).map((l) => [l.confirm!.composeHash, l.confirm!.transactionHash]),
      [
        [backend.targetVersion, chain.mined[0]!.hash],
        [before, 'already-registered'],
      ],
    );
  });

  it('a transaction journaled but never broadcast (the process died): settled by sending the same bytes', async () => {
    await onChainFleet();
    const registrar = await OnChainRegistrar.open({
      privateKey: KEY,
      rpcUrl: chain.url,
      chainId: 8453,
      appId: sim.fake.fleet.appId,
    });
    let journaled: SignedTransaction | undefined;
    const composeHash = 'ab'.repeat(32);
    await assert.rejects(
      registrar.send({ kind: 'compose-hash', composeHash }, (tx) => {
        journaled = tx;
        throw new Error('killed before the broadcast');
      }),
    );
    assert.ok(journaled && chain.broadcasts.length === 0);
    chain.pendingReceipts = 1;
    await registrar.settle(journaled!);
    assert.deepEqual(
      chain.mined.map((t) => [t.hash, t.functionName, t.arg]),
      [[journaled!.hash, 'addComposeHash', composeHash]],
    );
    // Settled again (a second resume): the receipt is there, nothing is sent.
    await registrar.settle(journaled!);
    assert.equal(chain.broadcasts.length, 1);
  });

  it('the key never shows: findings, events, the request logs', async () => {
    await onChainFleet({ owner: privateKeyToAccount(OTHER_KEY).address });
    await run();
    const text = JSON.stringify([sim.events, sim.state, sim.fake.log, chain.log]);
    for (const k of [KEY, KEY.slice(2)]) assert.ok(!text.includes(k));
  });
});

describe('the fake chain refuses what a registration is not', () => {
  let chain: FakeChain;
  const contract = `0x${'ab'.repeat(20)}`;
  const hash = `0x${'99'.repeat(32)}` as Hex;
  before(async () => {
    chain = await FakeChain.start({ contract, owner: OWNER, allowedHashes: new Set() });
  });
  after(() => chain.close());

  const send = async (o: { key?: Hex; to?: string; data?: Hex; chainId?: number; nonce?: number } = {}) => {
    const data =
      o.data ??
      encodeFunctionData({
        abi: [{ type: 'function', name: 'addComposeHash', inputs: [{ type: 'bytes32' }], outputs: [] }],
        args: [hash],
      });
    const raw = await privateKeyToAccount(o.key ?? KEY).signTransaction({
      type: 'eip1559',
      chainId: o.chainId ?? 8453,
      to: (o.to ?? contract) as Hex,
      data,
      gas: 50_000n,
      maxFeePerGas: 2_000_000_000n,
      maxPriorityFeePerGas: 1_000_000n,
      nonce: o.nonce ?? 0,
    });
    const res = await fetch(chain.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_sendRawTransaction', params: [raw] }),
    });
    const body = (await res.json()) as { result?: string; error?: { message: string } };
    return body.error ? `error: ${body.error.message}` : `ok ${body.result}`;
  };

  it('each wrong transaction is refused; the right one is mined', async () => {
    assert.match(await send({ to: `0x${'cd'.repeat(20)}` }), /error: fake-chain: not the app contract/);
    assert.match(await send({ data: '0xa9059cbb' }), /error/);
    assert.match(await send({ chainId: 1 }), /error: fake-chain: signed for chain 1/);
    assert.match(await send({ key: OTHER_KEY }), /error: execution reverted: OwnableUnauthorizedAccount/);
    assert.match(await send({ nonce: 5 }), /error: nonce too high/);
    assert.equal(chain.mined.length, 0);
    assert.match(await send(), /^ok 0x[0-9a-f]{64}$/);
    assert.deepEqual([...chain.allowedHashes], ['99'.repeat(32)]);
    assert.match(await send(), /error: already known/);
  });
});
