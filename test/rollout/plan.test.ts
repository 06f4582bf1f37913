import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Strategy } from '../../src/rollout/config.js';
import { fleetChanges, planId, planOrder, unavailableCount } from '../../src/rollout/plan.js';

const strategy = (over: Partial<Strategy> = {}): Strategy => ({
  maxUnavailable: { count: 1 },
  minHealthyTimeMs: 10_000,
  healthyDeadlineMs: 300_000,
  progressDeadlineMs: 900_000,
  onFailure: 'rollback',
  ...over,
});
const fleet = (n: number, version = 'old') =>
  Array.from({ length: n }, (_, i) => ({ id: `i${i + 1}`, name: `replica-${i + 1}`, version }));

describe('rollout order', () => {
  it('max_unavailable as a count, capped at the fleet', () => {
    assert.equal(unavailableCount({ count: 2 }, 5), 2);
    assert.equal(unavailableCount({ count: 9 }, 5), 5);
  });

  it('max_unavailable as a percentage rounds down but never to 0', () => {
    assert.equal(unavailableCount({ percent: 25 }, 50), 12);
    assert.equal(unavailableCount({ percent: 10 }, 50), 5);
    assert.equal(unavailableCount({ percent: 25 }, 3), 1);
    assert.equal(unavailableCount({ percent: 100 }, 3), 3);
  });

  it('batches of max_unavailable, in fleet order; instances already on the target are skipped', () => {
    const f = fleet(5);
    f[2]!.version = 'new';
    const o = planOrder(f, 'new', strategy({ maxUnavailable: { count: 2 } }));
    assert.deepEqual(
      o.batches.map((b) => b.instances),
      [
        ['i1', 'i2'],
        ['i4', 'i5'],
      ],
    );
    assert.deepEqual(o.skipped, ['i3']);
  });

  it('the canary goes first, in its own batches, then the rest', () => {
    const o = planOrder(
      fleet(6),
      'new',
      strategy({ maxUnavailable: { count: 2 }, canary: { count: 1, pause: 'manual' } }),
    );
    assert.deepEqual(
      o.batches.map((b) => [b.canary, b.instances.join(',')]),
      [
        [true, 'i1'],
        [false, 'i2,i3'],
        [false, 'i4,i5'],
        [false, 'i6'],
      ],
    );
  });

  it('the plan id is stable for the same fleet and changes when an instance moved', () => {
    const s = strategy();
    assert.equal(planId(fleet(3), 'new', s), planId(fleet(3), 'new', s));
    const moved = fleet(3);
    moved[1]!.version = 'other';
    assert.notEqual(planId(moved, 'new', s), planId(fleet(3), 'new', s));
    assert.notEqual(planId(fleet(3), 'new', strategy({ onFailure: 'halt' })), planId(fleet(3), 'new', s));
    assert.deepEqual(fleetChanges(fleet(3), moved), ['replica-2 now runs other (planned from old)']);
    assert.deepEqual(fleetChanges(fleet(3), fleet(2)), ['replica-3 is no longer in the fleet']);
    assert.deepEqual(fleetChanges(fleet(2), fleet(3)), ['replica-3 joined the fleet']);
  });
});
