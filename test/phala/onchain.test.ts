import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { connectPhala, type OnChainRegistration, type PhalaClient } from '../../src/phala/index.js';
import { UsageError } from '../../src/util/errors.js';
import { FakePhala, ManualClock } from '../support/fake-phala/index.js';

const NEXT = 'services:\n  web:\n    image: nginx:1.28\n';
const TX = `0x${'12'.repeat(32)}`;

describe('an app whose KMS is on chain', () => {
  let fake: FakePhala;
  let phala: PhalaClient;
  const clock = new ManualClock();
  const vm = () => fake.fleet.replicas[0]!.vmUuid;
  const cvm = () => vm().replace(/-/g, '');

  before(async () => {
    fake = await FakePhala.start({ now: () => clock.now(), bootMs: 5_000, onChainKms: true, pendingTtlMs: 30_000 });
    phala = await connectPhala({ apiKey: fake.apiKey, baseURL: fake.baseURL, clock });
  });
  after(() => fake.close());
  beforeEach(() => fake.clearLog());

  const patch = async (compose = NEXT): Promise<OnChainRegistration> => {
    const out = await phala.patchCvm(vm(), { docker_compose_file: compose });
    assert.equal(out.kind, 'onchain-registration-required');
    return (out as { registration: OnChainRegistration }).registration;
  };

  it('HTTP 465 becomes a typed result: the hash to register, the device, the KMS and chain', async () => {
    const reg = await patch();
    const r = fake.fleet.replicas[0]!;
    assert.equal(reg.composeHash, r.pending?.composeHash);
    assert.match(reg.composeHash, /^[0-9a-f]{64}$/);
    assert.equal(reg.appId, fake.fleet.appId);
    assert.equal(reg.deviceId, r.deviceId);
    assert.deepEqual(reg.kms, {
      id: 'kms-base-1',
      slug: 'base-prod',
      url: 'https://kms.phala.test',
      version: '0.5.4',
      chainId: 8453,
      chainName: 'Base',
      kmsContractAddress: `0x${'cd'.repeat(20)}`,
    });
    assert.deepEqual(reg.onchainStatus, { composeHashAllowed: false, deviceIdAllowed: true, isAllowed: false });
    // Nothing started: the replica still runs the old hash, and one PATCH was sent.
    assert.equal(r.upgrade, undefined);
    assert.deepEqual(fake.calls(), [`PATCH /cvms/${cvm()}`]);
    assert.deepEqual(
      fake.log.map((x) => x.status),
      [465],
    );
  });

  it('confirm before the hash is on chain: refused 468; after registering: accepted and upgraded', async () => {
    const reg = await patch();
    const early = await phala.confirmCvmPatch(vm(), { composeHash: reg.composeHash, transactionHash: TX });
    assert.deepEqual(early, { kind: 'refused', reason: 'compose-hash-not-on-chain', status: 468 });

    fake.fleet.allowedHashes.add(reg.composeHash); // what addComposeHash does on chain
    const ok = await phala.confirmCvmPatch(vm(), { composeHash: reg.composeHash, transactionHash: TX });
    assert.equal(ok.kind, 'accepted');
    const wait = await phala.waitForStatuses([vm()], { intervalMs: 2_000, timeoutMs: 30_000 });
    assert.equal(wait.timedOut, false);
    assert.equal((await phala.getCvm(vm())).composeHash, reg.composeHash);
    assert.deepEqual(
      fake.log.slice(0, 3).map((x) => [x.method, x.path, x.status, x.headers.join(',')]),
      [
        ['PATCH', `/cvms/${cvm()}`, 465, 'x-api-key'],
        ['PATCH', `/cvms/${cvm()}`, 468, 'x-api-key,x-compose-hash,x-transaction-hash'],
        ['PATCH', `/cvms/${cvm()}`, 202, 'x-api-key,x-compose-hash,x-transaction-hash'],
      ],
    );
  });

  it('a transaction the platform cannot verify: 467; an expired or unknown hash: 466', async () => {
    const reg = await patch(`${NEXT}# two\n`);
    fake.fleet.allowedHashes.add(reg.composeHash);
    assert.deepEqual(await phala.confirmCvmPatch(vm(), { composeHash: reg.composeHash, transactionHash: '0xdead' }), {
      kind: 'refused',
      reason: 'transaction-not-verified',
      status: 467,
    });
    assert.deepEqual(await phala.confirmCvmPatch(vm(), { composeHash: 'ab'.repeat(32), transactionHash: TX }), {
      kind: 'refused',
      reason: 'compose-hash-expired',
      status: 466,
    });
    clock.advance(31_000);
    assert.equal(
      (await phala.confirmCvmPatch(vm(), { composeHash: reg.composeHash, transactionHash: TX })).kind,
      'refused',
    );
  });

  it('changes that do not touch the compose hash go through at once', async () => {
    const out = await phala.patchCvm(vm(), { encrypted_env: 'ab'.repeat(40) });
    assert.equal(out.kind, 'accepted');
    clock.advance(5_000);
  });

  it('confirm takes hashes only: anything else is refused before a header is sent', async () => {
    await assert.rejects(
      phala.confirmCvmPatch(vm(), { composeHash: 'ab\r\nx-evil: 1', transactionHash: TX }),
      UsageError,
    );
    await assert.rejects(phala.confirmCvmPatch(vm(), { composeHash: 'ab', transactionHash: 'tx hash' }), UsageError);
    assert.deepEqual(fake.log, []);
  });
});
