import assert from 'node:assert/strict';
import { after, it } from 'node:test';
import { renderRestartText } from '../../src/drills/report.js';
import { readRun } from '../../src/steps/index.js';
import { assertNoDrillLeftovers, describeDocker } from '../support/docker.js';
import { drillApp, ruleIds } from './helpers.js';

/** The restart drill's boots (src/cvm), on test apps built to fail the way each check claims to catch. */
await describeDocker('drill restart: the CVM boot', () => {
  after(async () => {
    await assertNoDrillLeftovers();
  });

  it('a pre_launch_script command that fails on main: drill-boot-failed quoting the line, no fault runs', async () => {
    const r = await drillApp('prelaunch-error', { faults: ['reboot'] });
    assert.deepEqual(ruleIds(r), ['drill-boot-failed']);
    const f = r.report.findings[0]!;
    assert.equal(f.severity, 'error');
    assert.match(f.file, /prelaunch-error\/\.preflight\.yml$/);
    assert.equal(f.line, 4, 'the pre_launch_script key');
    assert.match(f.message, /stopped at step pre-launch/);
    assert.match(f.message, /script line 2: `ls \/dstack\/persistent\/license\.key`/);
    assert.equal(r.report.faults.length, 0);
    assert.equal(r.report.boots?.[0]?.failed?.step, 'pre-launch');
    assert.match(renderRestartText(r.report), /stopped at pre-launch/);
  });

  it('the same app on v0.5.11 (no set -e around the script): it boots and survives the reboot', async () => {
    const r = await drillApp('prelaunch-error', { faults: ['reboot'], os: 'v0.5.11' });
    assert.deepEqual(ruleIds(r), []);
    assert.equal(r.report.boots?.length, 2);
    assert.ok(r.report.boots!.every((b) => b.ok && b.os === 'v0.5.11'));
  });

  it('--stop forced: after the power cut dockerd restores the unless-stopped service before compose up; a clean stop does not', async () => {
    for (const stop of ['forced', 'graceful'] as const) {
      const r = await drillApp('good', { faults: ['reboot'], stop });
      assert.deepEqual(ruleIds(r), [], `stop ${stop}`);
      const reboot = r.report.boots![1]!;
      assert.equal(reboot.after, stop);
      assert.deepEqual(reboot.restored, stop === 'forced' ? ['web'] : []);
      const stops = readRun(r.runDir).events.filter((e) => e.type === 'cvm-stop') as unknown as { mode: string }[];
      assert.deepEqual(
        stops.map((e) => e.mode),
        [stop],
      );
    }
  });

  it('allowed_envs: a variable the deployment does not allow is dropped by the guest, and the report names it', async () => {
    const r = await drillApp('allowed-envs', { faults: ['restart'], env: { GREETING: 'hello there' } });
    assert.deepEqual(ruleIds(r), []);
    assert.deepEqual(r.report.boots?.[0]?.droppedEnv, ['GREETING']);
    const text = renderRestartText(r.report);
    assert.match(text, /env: GREETING dropped by the guest \(not in allowed_envs\)/);
    assert.doesNotMatch(text + JSON.stringify(r.report), /hello there/);
  });

  it('every boot step is journaled with its wall time, in the order of the guest', async () => {
    const r = await drillApp('good', { faults: ['kill-all'] });
    assert.equal(r.report.boots?.length, 2);
    for (const b of r.report.boots!)
      assert.deepEqual(
        b.steps.map((s) => s.step),
        ['volatile', 'env', 'remove-orphans', 'agent', 'engine-start', 'pre-launch', 'compose-up', 'prune'],
      );
    assert.equal(r.report.boots![1]!.after, 'forced', 'kill-all is a power cut');
  });
});
