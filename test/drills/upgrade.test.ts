import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { loadProject, resolveTargets } from '../../src/compose/index.js';
import { drillLeftovers } from '../../src/docker/cleanup.js';
import { renderUpgradeText, type UpgradeReport } from '../../src/drills/upgrade/report.js';
import { runUpgradeDrill } from '../../src/drills/upgrade/run.js';
import { KILL_HOOK_ENV } from '../../src/steps/index.js';
import { composeChoice, describeDocker } from '../support/docker.js';
import { upgradeImage } from '../fixtures/upgrade-apps/image.js';

/**
 * `preflight drill upgrade` on the real engine, with the upgrade test apps
 * (test/fixtures/upgrade-apps): OLD is `old/`, each other folder is a NEW with one flaw, or none.
 */
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const APPS = join(ROOT, 'test', 'fixtures', 'upgrade-apps');

let work: string;

async function drill(
  next: string,
  opts: { rollback?: boolean; nextEnv?: string; from?: string } = {},
): Promise<UpgradeReport> {
  const at = (p: string) => join(work, p);
  const nextEnv = at(opts.nextEnv ?? 'new.env');
  const from = loadProject(resolveTargets([at(opts.from ?? 'old')], {})[0]!, {
    envFiles: [at('old.env')],
    strictRequired: true,
  });
  const to = loadProject(resolveTargets([at(next)], {})[0]!, { envFiles: [nextEnv] });
  const r = await runUpgradeDrill({
    from,
    to,
    envFile: at('old.env'),
    nextEnvFile: nextEnv,
    rollback: opts.rollback,
    runRoot: at('runs'),
  });
  const left = await drillLeftovers(undefined, r.report.drillId);
  assert.deepEqual(left, { containers: [], volumes: [], networks: [] }, 'the drill removed everything it created');
  assert.equal(r.failed, r.report.status !== 'passed' || r.report.findings.some((f) => f.severity !== 'info'));
  return r.report;
}

const ids = (r: UpgradeReport) => r.findings.map((f) => f.ruleId);
const _step = (r: UpgradeReport, name: string) => r.steps.find((s) => s.step === name)!;

await describeDocker('drill upgrade (real engine)', () => {
  before(() => {
    upgradeImage();
    work = mkdtempSync(join(tmpdir(), 'pf-upgrade-'));
    cpSync(APPS, work, { recursive: true });
  });
  after(() => rmSync(work, { recursive: true, force: true }));

  it('a good upgrade passes: every step ok, migration rewrite expected, no write lost', async () => {
    const r = await drill('good');
    assert.equal(r.status, 'passed', renderUpgradeText(r));
    assert.deepEqual(ids(r), []);
    assert.deepEqual(
      r.steps.map((s) => s.status),
      ['ok', 'ok', 'ok', 'ok', 'ok', 'ok'],
    );
    assert.ok(r.check?.valid && r.check.acknowledged >= 5, 'seeded writes read back after the upgrade');
    const [vol] = r.volumes;
    assert.equal(vol?.key, 'data');
    assert.deepEqual(
      vol?.expected.map((e) => `${e.path}:${e.change}`),
      ['items.log:rewritten'],
    );
    const text = renderUpgradeText(r);
    assert.match(text, /6\. verify/);
    assert.match(text, /expected {2}items\.log/);
    // The Compose CLI that ran the upgrade, with its version (PREFLIGHT_COMPOSE pins the kind).
    assert.equal(r.compose.kind, composeChoice() ?? r.compose.kind);
    assert.ok(text.includes(`compose ${r.compose.kind} (${r.compose.version})`), 'the text report names it');
    assert.match(r.compose.version, /^v?\d+\.\d+\.\d+/);
    assert.ok(r.timing.wallMs > 0 && r.timing.dockerOps > 0);
    assert.doesNotMatch(JSON.stringify(r), /s3cr3t-old-Passw0rd/, 'no secret value in the report');
  });

  it('--rollback onto data NEW migrated one way: upgrade-rollback-failed, quoting the log', async () => {
    const r = await drill('good', { rollback: true });
    assert.deepEqual(ids(r), ['upgrade-rollback-failed']);
    assert.equal(r.stoppedAt?.step, 'rollback');
    assert.match(r.findings[0]!.message, /cannot read data format 2/);
  });

  it('killed after the fingerprint and again as verify starts, then resumed: the same outcome as run in one go', () => {
    const cli = (args: string[], kill?: string) =>
      spawnSync(
        process.execPath,
        ['--import', import.meta.resolve('tsx'), '--', join(ROOT, 'test', 'agent', 'run-cli.ts'), ...args],
        { cwd: work, encoding: 'utf8', env: { ...process.env, ...(kill ? { [KILL_HOOK_ENV]: kill } : {}) } },
      );
    const runRoot = mkdtempSync(join(work, 'resumed-'));
    const common = ['--run-dir', runRoot, '--format', 'json', '--quiet'];
    const upgrade = ['drill', 'upgrade', '--from', 'old', '--to', 'good', '--env-file', 'old.env'];
    const first = cli([...upgrade, '--next-env-file', 'new.env', '--rollback', ...common], 'step-end:4');
    assert.equal(first.signal, 'SIGKILL', first.stderr);
    const [runId] = readdirSync(runRoot);
    // The resume's 1st step-start is the upgrade, its 2nd the verify: killed there, verify runs again.
    const second = cli(['drill', 'resume', runId!, ...common], 'step-start:2');
    assert.equal(second.signal, 'SIGKILL', second.stderr);
    const last = cli(['drill', 'resume', runId!, ...common]);
    assert.equal(last.status, 1, last.stderr);
    const r = JSON.parse(last.stdout) as UpgradeReport;
    assert.deepEqual(
      r.steps.map((s) => s.status),
      ['ok', 'ok', 'ok', 'ok', 'ok', 'ok', 'failed'],
      renderUpgradeText(r),
    );
    assert.deepEqual(ids(r), ['upgrade-rollback-failed']);
    assert.ok(r.check?.valid && r.check.acknowledged >= 5, 'the seeded writes read back after the upgrade');
    assert.equal(r.stoppedAt?.step, 'rollback');
    assert.equal(r.timing.segments, 3);
    assert.deepEqual(
      r.volumes[0]?.expected.map((e) => e.path),
      ['items.log'],
    );
  });

  it('NEW renames the volume: the plan (diff) flags it, the drill loses the writes and sees the old volume orphaned', async () => {
    const r = await drill('rename-volume');
    assert.ok(
      r.diff.some((f) => f.ruleId === 'volume-renamed'),
      'diff catches it beforehand',
    );
    assert.ok(ids(r).includes('drill-lost-writes'), renderUpgradeText(r));
    const orphan = r.findings.find((f) => f.ruleId === 'upgrade-files-changed');
    assert.match(orphan?.message ?? '', /does not mount volume data/);
    assert.equal(r.volumes[0]?.orphaned, true);
  });

  it("NEW's migration deletes rows: lost writes, and the data file's change is classified", async () => {
    const r = await drill('drop-rows');
    const lost = r.findings.find((f) => f.ruleId === 'drill-lost-writes');
    assert.ok(lost, renderUpgradeText(r));
    assert.ok(r.check && r.check.lost.length >= 2);
    // How items.log ends depends on how many rows NEW appends after its migration dropped half of OLD's
    // (the drill's writes run through the boot and verify, so that count follows the engine's speed):
    // smaller (shrunk, which no expect_changes allows), or larger and not a prefix (rewritten, which the
    // app's `expect_changes: [data:items.log]` allows, so no finding). The classification itself is
    // tested in upgrade-compare.test.ts; the lost writes above are what this drill must catch.
    const v = r.volumes[0];
    const unexpected = [...(v?.shrunk ?? []), ...(v?.rewritten ?? [])];
    if (unexpected.length) {
      assert.deepEqual(unexpected, ['items.log'], renderUpgradeText(r));
      const files = r.findings.find((f) => f.ruleId === 'upgrade-files-changed');
      assert.match(files?.message ?? '', /(shrunk|rewritten): items\.log/);
    } else {
      assert.deepEqual(
        v?.expected.map((e) => [e.path, e.change]),
        [['items.log', 'rewritten']],
        renderUpgradeText(r),
      );
    }
  });

  it('NEW requires a secret the new env file lacks: the plan flags it, NEW never gets ready (CLI, --format json)', () => {
    const cli = join(ROOT, 'test', 'agent', 'run-cli.ts');
    const p = spawnSync(
      process.execPath,
      [
        '--import',
        import.meta.resolve('tsx'),
        '--',
        cli,
        'drill',
        'upgrade',
        '--from',
        'old',
        '--to',
        'needs-secret',
        '--env-file',
        'old.env',
        '--next-env-file',
        'new.env',
        '--run-dir',
        'runs',
        '--format',
        'json',
        '--quiet',
      ],
      {
        cwd: work,
        encoding: 'utf8',
      },
    );
    assert.equal(p.status, 1, p.stderr);
    const r = JSON.parse(p.stdout) as UpgradeReport;
    assert.ok(r.diff.some((f) => f.ruleId === 'secret-missing' && f.message.includes('API_TOKEN')));
    const nr = r.findings.find((f) => f.ruleId === 'drill-not-ready');
    assert.match(nr?.message ?? '', /API_TOKEN is not set/);
    assert.equal(r.stoppedAt?.step, 'verify');
    assert.doesNotMatch(p.stdout, /s3cr3t-old-Passw0rd/);
  });

  it('NEW moves the data directory: the diff flags it, the drill sees lost writes and files outside the volume', async () => {
    const r = await drill('moved-datadir');
    assert.ok(r.diff.some((f) => f.ruleId === 'data-dir-moved'));
    assert.ok(ids(r).includes('drill-lost-writes'), renderUpgradeText(r));
    assert.match(r.findings.find((f) => f.ruleId === 'drill-write-outside-volume')?.message ?? '', /\/srv/);
  });

  it("NEW cannot read OLD's data format: never ready, the report says where it stopped and why", async () => {
    const r = await drill('unreadable-format');
    assert.equal(r.stoppedAt?.step, 'verify');
    assert.match(r.stoppedAt?.detail ?? '', /not ready.*cannot read data format 1/);
    const nr = r.findings.find((f) => f.ruleId === 'drill-not-ready');
    assert.match(nr?.message ?? '', /after the upgrade/);
    assert.equal(r.volumes[0]?.deleted.length, 0, 'the refusing version left the data alone');
    assert.match(renderUpgradeText(r), /stopped at step "verify"/);
  });
});
