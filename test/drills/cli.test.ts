import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { drillLeftovers } from '../../src/docker/cleanup.js';
import { JOURNAL_FILE } from '../../src/drills/journal.js';
import { readRun } from '../../src/steps/index.js';
import type { DrillReport } from '../../src/drills/report.js';
import { assertNoDrillLeftovers, composeChoice, describeDocker } from '../support/docker.js';
import { appDir, envFileFor, goodRestartArgs, type RunningCli, scratch, spawnDrillCli } from './helpers.js';

const cli = spawnDrillCli;

async function waitFor(r: RunningCli, pattern: RegExp, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!pattern.test(r.stderr())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${pattern}; stderr:\n${r.stderr()}`);
    await new Promise((res) => setTimeout(res, 100));
  }
}

function onlyRun(runRoot: string): string {
  const runs = readdirSync(runRoot);
  assert.equal(runs.length, 1);
  return join(runRoot, runs[0]!);
}

describe('drill restart CLI: bad input exits 2 with one line', () => {
  const bad: [string, string[], RegExp][] = [
    ['unknown fault', ['--faults', 'restart,explode'], /unknown fault "explode"/],
    ['rounds not a number', ['--rounds', 'zero'], /--rounds must be an integer/],
    ['unknown format', ['--format', 'xml'], /--format must be text, json, html, got "xml"/],
  ];
  for (const [name, args, message] of bad) {
    it(name, async () => {
      const r = cli(['drill', 'restart', appDir('good'), ...args]);
      const { code } = await r.exit;
      assert.equal(code, 2);
      assert.match(r.stderr(), message);
      assert.equal(r.stderr().trim().split('\n').length, 1, r.stderr());
    });
  }

  it('a bad drill key in .preflight.yml names the file and line', async () => {
    const dir = mkdtempSync(join(scratch, 'cfg-'));
    writeFileSync(join(dir, 'compose.yaml'), 'services:\n  web:\n    image: x\n');
    writeFileSync(join(dir, '.preflight.yml'), 'drill:\n  faults: [restart, meteor]\n');
    const r = cli(['drill', 'restart', dir]);
    assert.equal((await r.exit).code, 2);
    assert.match(r.stderr(), /\.preflight\.yml:2:\d+: drill\.faults\[1\]: must be one of "restart"/);
  });
});

await describeDocker('drill restart CLI on the engine', () => {
  after(async () => {
    await assertNoDrillLeftovers();
  });

  it('exits 0 on a passing drill and writes a JSON report with --output', async () => {
    const { file } = await envFileFor('good');
    const runRoot = mkdtempSync(join(scratch, 'runs-'));
    const out = join(runRoot, 'report.json');
    const r = cli([
      'drill',
      'restart',
      appDir('good'),
      '--env-file',
      file,
      '--faults',
      'kill',
      '--seed',
      'cli',
      '--format',
      'json',
      '--output',
      out,
      '--run-dir',
      runRoot,
    ]);
    const { code } = await r.exit;
    assert.equal(code, 0, r.stderr());
    assert.equal(r.stdout(), '');
    const report = JSON.parse(readFileSync(out, 'utf8')) as DrillReport;
    assert.equal(report.status, 'passed');
    assert.equal(report.seed, 'cli');
    assert.deepEqual(
      report.faults.map((f) => f.kind),
      ['kill'],
    );
    // The report names the Compose CLI and version that ran the drill: the one PREFLIGHT_COMPOSE pins.
    assert.equal(report.compose.kind, composeChoice() ?? report.compose.kind);
    assert.match(report.compose.kind, /^v[12]$/);
    assert.match(report.compose.version, report.compose.kind === 'v2' ? /^v?2\.\d+\.\d+/ : /^1\.\d+\.\d+/);
    assert.match(r.stderr(), /\[drill .*\] ✓ 1\/1 kill web/, 'plain progress lines when not on a TTY');
  });

  it('exits 1 when a check fails (text report on stdout)', async () => {
    const { file } = await envFileFor('memory');
    const runRoot = mkdtempSync(join(scratch, 'runs-'));
    const r = cli([
      'drill',
      'restart',
      '-f',
      join(appDir('memory'), 'compose.yaml'),
      '--env-file',
      file,
      '--faults',
      'restart',
      '--run-dir',
      runRoot,
      '--quiet',
    ]);
    const { code } = await r.exit;
    assert.equal(code, 1, r.stderr());
    assert.match(r.stdout(), /drill-lost-writes/);
    assert.match(r.stdout(), /Result: FAILED/);
    assert.match(r.stdout(), new RegExp(`compose ${composeChoice() ?? 'v[12]'} \\(v?\\d+\\.\\d+\\.\\d+[^)]*\\)`));
  });

  it('an app that cannot start (image missing, no registry) is bad input: exit 2, one line, nothing left', async () => {
    const { file } = await envFileFor('good');
    writeFileSync(file, readFileSync(file, 'utf8').replace(/^IMAGE=.*$/m, 'IMAGE=preflight-drill-node:no-such-tag'));
    const runRoot = mkdtempSync(join(scratch, 'runs-'));
    const r = cli(['drill', 'restart', appDir('good'), '--env-file', file, '--run-dir', runRoot, '--quiet']);
    assert.equal((await r.exit).code, 2);
    assert.match(r.stderr(), /^preflight: .*compose\.yaml: the app could not be run: /);
    assert.equal(r.stderr().trim().split('\n').length, 1);
    const drillId = onlyRun(runRoot).split('/').pop()!;
    assert.deepEqual(await drillLeftovers(undefined, drillId), { containers: [], volumes: [], networks: [] });
  });

  it('SIGINT in the middle of a drill leaves nothing behind', async () => {
    const runRoot = mkdtempSync(join(scratch, 'runs-'));
    const r = cli(await goodRestartArgs(runRoot, '--faults', 'restart,kill,reboot', '--rounds', '6'));
    await waitFor(r, /✓ 1\/6 /, 60_000);
    const runDir = onlyRun(runRoot);
    const drillId = runDir.split('/').pop()!;
    assert.ok((await drillLeftovers(undefined, drillId)).containers.length > 0, 'the drill had containers running');
    r.child.kill('SIGINT');
    const { code } = await r.exit;
    assert.equal(code, 130, r.stderr());
    assert.deepEqual(await drillLeftovers(undefined, drillId), { containers: [], volumes: [], networks: [] });
    assert.equal(readRun(runDir).end?.status, 'interrupted');
  });

  it('`drill clean` removes what a killed drill (SIGKILL, no cleanup) left, and closes its journal', async () => {
    const runRoot = mkdtempSync(join(scratch, 'runs-'));
    const r = cli(await goodRestartArgs(runRoot, '--faults', 'restart', '--rounds', '5'));
    await waitFor(r, /✓ started/, 60_000);
    r.child.kill('SIGKILL');
    await r.exit;
    const runDir = onlyRun(runRoot);
    const drillId = runDir.split('/').pop()!;
    const left = await drillLeftovers(undefined, drillId);
    assert.ok(left.containers.length > 0 && left.volumes.length > 0 && left.networks.length > 0, JSON.stringify(left));

    const clean = cli(['drill', 'clean', '--run-dir', runRoot]);
    assert.equal((await clean.exit).code, 0, clean.stderr());
    // Other crashed drills' leftovers (if any) go too: count at least this one's.
    const m = /removed (\d+) container\(s\), (\d+) volume\(s\), (\d+) network\(s\) of (.*)/.exec(clean.stdout());
    assert.ok(
      m && Number(m[1]) >= 1 && Number(m[2]) >= 1 && Number(m[3]) >= 1 && m[4]!.split(', ').includes(drillId),
      clean.stdout(),
    );
    assert.match(clean.stdout(), /closed 1 unfinished run journal/);
    assert.deepEqual(await drillLeftovers(undefined, drillId), { containers: [], volumes: [], networks: [] });
    assert.ok(existsSync(join(runDir, JOURNAL_FILE)));
  });
});
