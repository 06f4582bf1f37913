import assert from 'node:assert/strict';
import { after, it } from 'node:test';
import { assertNoDrillLeftovers, describeDocker } from '../support/docker.js';
import { runTrial, sweepDrills } from '../support/interrupt-sweep.js';

/**
 * A small seeded slice of the interrupt sweep (`npm run sweep:drills` runs the full one, 20 trials per signal):
 * SIGINT once and SIGKILL twice (one followed by `drill clean`, one by `drill resume`), at seeded points of the run.
 */
await describeDocker('drill interrupt sweep (seeded slice)', () => {
  after(async () => {
    await assertNoDrillLeftovers();
  });

  it('SIGINT and SIGKILL at seeded moments leave nothing after the run, `drill clean` or `drill resume`', async () => {
    const { trials, summary, calibration } = await sweepDrills({
      trials: 2,
      counts: { SIGINT: 1, SIGKILL: 2 },
      seed: 'npm-test',
    });
    assert.equal(calibration.leftovers, 0);
    const shown = trials.map((t) => JSON.stringify(t)).join('\n');
    assert.equal(trials.length, 3);
    for (const s of summary) {
      assert.equal(s.leftovers, 0, shown);
      assert.equal(s.unended, 0, shown);
      assert.equal(s.problems, 0, shown);
    }
  });

  // A random line rarely lands in the short teardown. SIGINT there kills its half-done `docker` command
  // (here the inspect of the containers to remove); the cleanup that runs on is no proof they are gone.
  it('SIGINT in the middle of the teardown still leaves nothing', async () => {
    const t = await runTrial('SIGINT', { inStep: 'teardown', afterLines: 2 }, 1);
    assert.deepEqual(
      { at: t.at, code: t.exit.code, leftovers: t.leftovers, ended: t.ended, problem: t.problem },
      { at: 'teardown', code: 130, leftovers: 0, ended: true, problem: undefined },
      JSON.stringify(t),
    );
  });
});
