import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { connectPhala, type PhalaClient, RequestMeter } from '../../src/phala/index.js';
import { FakePhala, ManualClock } from '../support/fake-phala/index.js';

const NEXT = 'services:\n  web:\n    image: nginx:1.28\n';

describe('a fleet of 50 replicas, upgraded in batches (simulation)', () => {
  let fake: FakePhala;
  let phala: PhalaClient;
  const clock = new ManualClock();
  const meter = new RequestMeter();
  const failing = new Set([7, 23, 41]);

  before(async () => {
    fake = await FakePhala.start({
      now: () => clock.now(),
      replicas: 50,
      // Boot times differ per replica: 20-29 s.
      bootMs: (r) => 20_000 + (r.index % 10) * 1_000,
      failBoot: failing,
    });
    phala = await connectPhala({ apiKey: fake.apiKey, baseURL: fake.baseURL, clock, meter, random: () => 0.5 });
  });
  after(() => fake.close());

  it('batches of 10: one status request per poll per batch, failures found, 429 bursts absorbed', async () => {
    const replicas = await phala.listReplicas(fake.fleet.appId);
    assert.equal(replicas.length, 50);
    const target = new Set<string>();
    const failed: string[] = [];
    const interval = 5_000;
    let polls = 0;
    for (let i = 0; i < replicas.length; i += 10) {
      const batch = replicas.slice(i, i + 10).map((r) => r.vmUuid!);
      if (i === 20) fake.failNext({ status: 429, count: 3, path: /^\/status\/batch$/, retryAfter: 2 });
      if (i === 30) fake.failNext({ status: 503, count: 2, path: /^\/status\/batch$/ });
      for (const u of batch) assert.equal((await phala.patchCvm(u, { docker_compose_file: NEXT })).kind, 'accepted');
      const wait = await phala.waitForStatuses(batch, { intervalMs: interval, timeoutMs: 120_000 });
      assert.equal(wait.timedOut, false);
      polls += wait.polls;
      for (const s of Object.values(wait.done)) {
        if (s.boot_error) failed.push(s.vm_uuid);
        else target.add(s.vm_uuid);
      }
    }
    assert.deepEqual(failed.sort(), [...failing].map((i) => fake.fleet.replicas[i]!.vmUuid).sort());
    assert.equal(target.size, 47);

    // Budget: the slowest replica boots in 29 s, so a batch settles within ceil(29 / 5) + 1 = 7 polls.
    const perBatch = Math.ceil(29_000 / interval) + 1;
    assert.ok(polls <= 5 * perBatch, `polls ${polls}`);
    const snap = meter.snapshot();
    assert.equal(snap.byOperation.patchCvm, 50);
    assert.equal(snap.byOperation.getCvmStatusBatch, polls + 5);
    assert.equal(snap.retries, 5);
    assert.deepEqual(snap.byStatus, { ok: 1 + 50 + polls, 429: 3, 503: 2 });
    // Status requests per replica upgraded stay under one per poll interval of its batch.
    assert.ok(snap.byOperation.getCvmStatusBatch! / 50 < 1, `${snap.byOperation.getCvmStatusBatch} status requests`);
  });
});
