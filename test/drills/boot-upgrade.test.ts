import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { after, before, it } from 'node:test';
import { loadProject, resolveTargets } from '../../src/compose/index.js';
import type { MixedVersionWindow } from '../../src/cvm/index.js';
import { drillLeftovers } from '../../src/docker/cleanup.js';
import { execFileCapture } from '../../src/docker/exec.js';
import { renderUpgradeText } from '../../src/drills/upgrade/report.js';
import { runUpgradeDrill, type UpgradeDrillResult } from '../../src/drills/upgrade/run.js';
import { readRun } from '../../src/steps/index.js';
import { assertNoDrillLeftovers, describeDocker } from '../support/docker.js';
import { nodeImage } from '../support/images.js';
import { appDir, envFileFor, scratch } from './helpers.js';
import { join } from 'node:path';

/**
 * The upgrade drill's boots on the local CVM (src/cvm): OLD and NEW are test apps of
 * test/fixtures/drill-apps, each pair built to fail the way a boot check claims to catch.
 */
async function upgrade(
  from: string,
  to: string,
  opts: { rollback?: boolean; nextEnv?: Record<string, string> } = {},
): Promise<UpgradeDrillResult & { window?: MixedVersionWindow }> {
  const { file, port } = await envFileFor(`${from}-to-${to}`);
  let next = file;
  if (opts.nextEnv) {
    next = `${file}.next`;
    const vars = { IMAGE: nodeImage(), PORT: String(port), ...opts.nextEnv };
    writeFileSync(
      next,
      `${Object.entries(vars)
        .map(([k, v]) => `${k}=${v}`)
        .join('\n')}\n`,
    );
  }
  const load = (app: string, env: string, strict: boolean) =>
    loadProject(resolveTargets([appDir(app)], {})[0]!, { envFiles: [env], strictRequired: strict });
  const r = await runUpgradeDrill({
    from: load(from, file, true),
    to: load(to, next, false),
    envFile: file,
    nextEnvFile: next,
    rollback: opts.rollback,
    runRoot: join(scratch, 'runs'),
  });
  assert.deepEqual(await drillLeftovers(undefined, r.report.drillId), { containers: [], volumes: [], networks: [] });
  const w = readRun(r.runDir).events.find((e) => e.type === 'mixed-version') as
    | { window: MixedVersionWindow }
    | undefined;
  return { ...r, window: w?.window };
}

const ids = (r: UpgradeDrillResult) => r.report.findings.map((f) => f.ruleId).sort();

await describeDocker('drill upgrade: the CVM boot', () => {
  let variant = '';
  before(async () => {
    // An image of its own (FROM the test image: no registry needed), for NEW.
    // Per process: the suite runs at once under the other Compose CLI, whose `after` removes its own tag.
    variant = `${nodeImage()}-variant-${process.pid}`;
    await execFileCapture('docker', ['build', '-q', '-t', variant, '-'], {
      input: `FROM ${nodeImage()}\nLABEL io.preflight.test=variant\n`,
    });
  });
  after(async () => {
    await execFileCapture('docker', ['image', 'rm', variant]);
    await assertNoDrillLeftovers();
  });

  it('restart: always: OLD, restored by dockerd, answers writes through the pre-launch script: drill-old-version-served', async () => {
    const r = await upgrade('always-v1', 'always-v2');
    const f = r.report.findings.find((x) => x.ruleId === 'drill-old-version-served');
    assert.ok(f, renderUpgradeText(r.report));
    assert.equal(f.severity, 'warning');
    assert.equal(f.service, 'web');
    assert.match(f.message, /old version of web \(restart: always\) ran again for/);
    assert.match(f.message, /it answered \d+ of the drill's requests \(\d+ acknowledged write/);
    assert.ok(r.window!.oldAnswers > 0 && r.window!.oldRanMs >= 3000, JSON.stringify(r.window));
    assert.deepEqual(r.window!.bothWrote, []);
    // What OLD acknowledged in the window is NEW's data too: nothing is lost.
    assert.ok(r.report.check?.valid, renderUpgradeText(r.report));
  });

  it('restart: unless-stopped: the clean stop of the upgrade keeps OLD down until compose up: no finding', async () => {
    const r = await upgrade('good', 'good-v2');
    assert.ok(!ids(r).includes('drill-old-version-served'), renderUpgradeText(r.report));
    assert.deepEqual(r.window?.oldRan, []);
    assert.equal(r.window?.oldAnswers, 0);
  });

  it('OLD web and NEW worker on one volume during the upgrade: an error where they ran at once (Compose v1), a warning where Compose stops OLD first (v2)', async () => {
    const r = await upgrade('shared-v1', 'shared-v2');
    const f = r.report.findings.find((x) => x.ruleId === 'drill-old-version-served');
    assert.ok(f, renderUpgradeText(r.report));
    const window = JSON.stringify(r.window);
    if (r.report.compose.kind === 'v1') {
      // v1 recreates service by service: NEW worker starts, and while it gets healthy (3 s) OLD web,
      // restored by dockerd, still takes the drill's writes on the same volume.
      assert.equal(f.severity, 'error', window);
      assert.match(f.message, /OLD web and NEW worker ran at once for .*, both with .*_data mounted read-write/);
      assert.ok(r.window!.bothWrote.length > 0, window);
    } else {
      // v2 stops every container it recreates (create phase) before it starts any (start phase):
      // OLD served from dockerd's restore until then, but never beside NEW.
      assert.equal(f.severity, 'warning', window);
      assert.deepEqual(r.window!.overlaps, [], window);
      assert.ok(r.window!.oldWrites > 0, window);
    }
  });

  it("--rollback after an upgrade to another image: the CVM's prune deleted OLD's image, the rollback pulls it again: drill-image-pruned", async () => {
    const r = await upgrade('good', 'good-v2', { rollback: true, nextEnv: { IMAGE: variant } });
    const f = r.report.findings.filter((x) => x.ruleId === 'drill-image-pruned');
    assert.equal(f.length, 1, renderUpgradeText(r.report));
    assert.equal(f[0]!.severity, 'warning');
    assert.match(f[0]!.message, new RegExp(`the rollback to OLD needs ${nodeImage()} for web, which boot 2's`));
    const upgradeOnly = await upgrade('good', 'good-v2', { nextEnv: { IMAGE: variant } });
    assert.ok(!ids(upgradeOnly).includes('drill-image-pruned'), 'an upgrade pulls only what it has never had');
  });

  it('a renamed service: its container is an orphan, the prune deletes its anonymous volume: the writes are lost', async () => {
    const r = await upgrade('anon-renamed-v1', 'anon-renamed-v2');
    assert.ok(ids(r).includes('drill-lost-writes'), renderUpgradeText(r.report));
    const boot = r.report.boots?.find((b) => b.version === 'new');
    assert.deepEqual(boot?.orphans, ['web']);
  });
});
