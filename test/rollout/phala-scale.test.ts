import assert from 'node:assert/strict';
import { afterEach, before, describe, it } from 'node:test';
import { loadJsonPath, type MaxUnavailable } from '../../src/rollout/config.js';
import { planOrder } from '../../src/rollout/plan.js';
import { composeOf, SimulatedFleet, strategy } from './support/phala-fleet.js';

const GOOD = { composeText: composeOf('nginx:1.28'), images: { web: 'nginx:1.28' } };

/** Roll the whole simulated fleet batch by batch, as the rollout's steps do; stop at a failed batch. */
async function rollAll(sim: SimulatedFleet, maxUnavailable: MaxUnavailable) {
  const backend = await sim.backend(GOOD, 100);
  await sim.begin(backend);
  const s = strategy({ maxUnavailable, minHealthyTimeMs: 300, healthyDeadlineMs: 30_000 });
  const order = planOrder(
    sim.state.order.map((id) => ({ id, name: id, version: sim.state.instances[id]!.versionBefore })),
    backend.targetVersion,
    s,
  );
  const ctx = sim.context(backend, s, { gateIntervalMs: 100 });
  const t0 = sim.clock.now();
  const sizes: number[] = [];
  for (const b of order.batches) {
    sizes.push(b.instances.length);
    const out = await sim.runBatch(ctx, b.instances);
    if (!out.ok) break;
  }
  return { order, sizes, simulatedMs: sim.clock.now() - t0, backend };
}

describe('scale, simulated: 50 replicas on the fake API', () => {
  let sim: SimulatedFleet;
  before(() => loadJsonPath());
  afterEach(() => sim?.close());

  it('max_unavailable 5: batches of 5, never more out of rotation, polling one request per interval per batch', async () => {
    sim = await new SimulatedFleet('real').start({ replicas: 50, bootMs: 300 });
    const r = await rollAll(sim, { count: 5 });
    assert.deepEqual(r.sizes, Array(10).fill(5));
    assert.ok(sim.fake.fleet.replicas.every((x) => x.composeHash === r.backend.targetVersion));
    assert.equal(sim.maxOutOfRotation, 5);
    const polls = sim.fake.log.filter((l) => l.path === '/status/batch');
    // Each poll asks for every instance of the batch still booting: one request, not five.
    assert.ok(polls.every((p) => (p.vmUuids?.length ?? 0) <= 5));
    assert.ok(polls.some((p) => p.vmUuids?.length === 5));
    // Budget: a batch costs the polls of one instance (a 300 ms boot at 100 ms: ~4), not five times that.
    assert.ok(polls.length <= 10 * 8, `${polls.length} status polls for 10 batches`);
    const perInstance = sim.meter.requests / 50;
    assert.ok(perInstance <= 6, `${perInstance} API requests per instance`);
  });

  it('max_unavailable 10% of 50 is 5 at a time; a replica that fails to boot stops the rollout at its batch', async () => {
    sim = await new SimulatedFleet('real').start({
      replicas: 50,
      bootMs: 300,
      // Only the new version fails to boot there: the rollback boots.
      failBoot: (x, next) => x.index === 12 && next.docker_compose_file.includes('nginx:1.28'),
    });
    const r = await rollAll(sim, { percent: 10 });
    assert.equal(r.order.maxUnavailable, 5);
    assert.deepEqual(r.sizes, [5, 5, 5], 'batch 3 holds the failing replica; nothing after it starts');
    assert.ok(sim.maxOutOfRotation <= 5);
    const failed = sim.fake.fleet.replicas[12]!;
    assert.equal(failed.composeHash, sim.state.instances[failed.vmUuid]!.versionBefore, 'rolled back');
    const upgraded = sim.fake.fleet.replicas.filter((x) => x.composeHash === r.backend.targetVersion).length;
    assert.equal(upgraded, 14, 'the rest of its batch finished; later batches untouched');
    assert.deepEqual(
      sim.state.findings.map((f) => f.ruleId),
      ['rollout-boot-failed', 'rollout-rolled-back'],
    );
  });

  it('429 and 503 on the status polls are waited out (Retry-After honoured) within the budget', async () => {
    sim = await new SimulatedFleet('real').start({ replicas: 10, bootMs: 300 });
    sim.fake.failNext({ status: 429, path: /^\/status\/batch$/, count: 2, retryAfter: 1 });
    sim.fake.failNext({ status: 503, path: /^\/status\/batch$/, count: 1 });
    const r = await rollAll(sim, { count: 5 });
    assert.deepEqual(r.sizes, [5, 5]);
    assert.ok(sim.fake.fleet.replicas.every((x) => x.composeHash === r.backend.targetVersion));
    const snap = sim.meter.snapshot();
    assert.equal(snap.byStatus['429'], 2);
    assert.equal(snap.byStatus['503'], 1);
    assert.ok(snap.waitedMs >= 2000, `Retry-After: 1 was honoured twice (waited ${snap.waitedMs} ms)`);
  });
});
