import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { XMLValidator } from 'fast-xml-parser';
import { spawnBuiltCli } from '../support/cli.js';
import { sarifErrors } from '../support/sarif.js';
import { fleetProjectSuite } from './support/phala-fleet.js';

/**
 * `preflight rollout plan|run|status` as a user runs them, against the fake Phala Cloud API (the
 * base URL from PHALA_CLOUD_API_PREFIX): exit codes, the JSON lines on stderr when it is not a
 * terminal, the report formats. Spawned asynchronously: the fake answers in this process.
 */
describe('preflight rollout, the CLI on the fake Phala Cloud API', () => {
  const suite = fleetProjectSuite('pf-rollout-cli-run-');

  const cli = (args: string[]) =>
    spawnBuiltCli(['rollout', ...args, '--fleet', 'fleet.yml', '--run-dir', 'runs'], {
      cwd: suite.dir,
      env: {
        PHALA_CLOUD_API_KEY: suite.sim.fake.apiKey,
        PHALA_CLOUD_API_PREFIX: suite.sim.fake.baseURL,
        NO_COLOR: '1',
      },
    });

  it('plan prints the plan id; run --plan-id rolls out with JSON lines on stderr; status renders json and html', async () => {
    const plan = await cli(['plan', '--format', 'json']);
    assert.equal(plan.code, 0, plan.stderr);
    const planId = (JSON.parse(plan.stdout) as { planId: string }).planId;
    assert.match(planId, /^[0-9a-f]{12}$/);

    const run = await cli(['run', '--plan-id', planId, '--format', 'json']);
    assert.equal(run.code, 0, run.stderr);
    const report = JSON.parse(run.stdout) as { runId: string; status: string; instances: { phase: string }[] };
    assert.equal(report.status, 'passed');
    assert.deepEqual(
      report.instances.map((i) => i.phase),
      ['done', 'done', 'done'],
    );
    const lines = run.stderr
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string; phase?: string; instance?: string });
    const first = suite.sim.fake.fleet.replicas[0]!.vmUuid;
    assert.deepEqual(
      lines.filter((l) => l.type === 'instance' && l.instance === first).map((l) => l.phase),
      ['upgrade-requesting', 'upgrade-requested', 'booted', 'healthy', 'done'],
      'no balancer: no drain or enable; every other state change of the instance, in order',
    );

    const html = await cli(['status', report.runId, '--format', 'html', '-o', 'rollout.html']);
    assert.equal(html.code, 0, html.stderr);
    const page = readFileSync(join(suite.dir, 'rollout.html'), 'utf8');
    assert.match(page, /^<!doctype html>/i);
    assert.ok(page.includes(report.runId));
    const again = await cli(['status', report.runId, '--format', 'json']);
    assert.deepEqual(JSON.parse(again.stdout), report, 'status rebuilds the same report from the journal');
  });

  it('status in the CI formats of a clean run (SARIF, JUnit, GitHub); -o replaces a file that is not a report only with --force', async () => {
    const sarif = await cli(['status', '--format', 'sarif']);
    assert.equal(sarif.code, 0, sarif.stderr);
    const log = JSON.parse(sarif.stdout);
    assert.deepEqual(sarifErrors(log), []);
    assert.deepEqual(log.runs[0].results, []);
    const junit = await cli(['status', '--format', 'junit']);
    assert.equal(junit.code, 0, junit.stderr);
    assert.equal(XMLValidator.validate(junit.stdout), true);
    assert.match(junit.stdout, /<testcase classname="preflight\.rollout" name="rollout: no findings"\/>/);
    const github = await cli(['status', '--format', 'github']);
    assert.equal(github.code, 0, github.stderr);
    assert.equal(github.stdout, '', 'no finding, no annotation');

    const mine = join(suite.dir, 'notes.txt');
    writeFileSync(mine, 'my notes\n');
    const refused = await cli(['status', '-o', 'notes.txt']);
    assert.equal(refused.code, 2, refused.stderr);
    assert.match(refused.stderr, /notes\.txt.*pass --force to replace it/);
    assert.equal(readFileSync(mine, 'utf8'), 'my notes\n');
    const forced = await cli(['status', '-o', 'notes.txt', '--force']);
    assert.equal(forced.code, 0, forced.stderr);
    assert.match(readFileSync(mine, 'utf8'), /^rollout rollout-\S+ \(phala, plan [0-9a-f]{12}\): passed$/m);
    const plan = await cli(['plan', '--format', 'sarif']);
    assert.equal(plan.code, 0, plan.stderr);
    assert.deepEqual(sarifErrors(JSON.parse(plan.stdout)), []);
  });

  it('a plan id the fleet no longer gives: one line, exit 2, nothing sent', async () => {
    const patches = suite.sim.fake.log.filter((l) => l.method === 'PATCH').length;
    const r = await cli(['run', '--plan-id', '0123456789ab']);
    assert.equal(r.code, 2, r.stderr);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, /^preflight: rollout-fleet-changed: the fleet no longer matches plan 0123456789ab/);
    assert.equal(suite.sim.fake.log.filter((l) => l.method === 'PATCH').length, patches);
  });

  it('--format pdf is refused in one line with exit 2', async () => {
    const r = await cli(['status', '--format', 'pdf']);
    assert.equal(r.code, 2, r.stderr);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.doesNotMatch(r.stderr, /\bat .*\.js:\d+/);
  });
});

describe('preflight rollout undo, the CLI on the fake Phala Cloud API', () => {
  const suite = fleetProjectSuite('pf-rollout-cli-undo-');
  const cli = (args: string[]) =>
    spawnBuiltCli(['rollout', ...args, '--fleet', 'fleet.yml', '--run-dir', 'runs', '--format', 'json'], {
      cwd: suite.dir,
      env: { PHALA_CLOUD_API_KEY: suite.sim.fake.apiKey, PHALA_CLOUD_API_PREFIX: suite.sim.fake.baseURL },
    });

  it('undo RUN puts every replica back on the compose it ran before; a second undo has nothing to undo', async () => {
    const before = suite.sim.fake.fleet.replicas.map((r) => r.composeHash);
    const forward = await cli(['run']);
    assert.equal(forward.code, 0, forward.stderr);
    const { runId, targetVersion } = JSON.parse(forward.stdout) as { runId: string; targetVersion: string };
    assert.ok(suite.sim.fake.fleet.replicas.every((r) => r.composeHash === targetVersion));

    const back = await cli(['undo', runId]);
    assert.equal(back.code, 0, back.stderr);
    const report = JSON.parse(back.stdout) as {
      status: string;
      instances: { phase: string; upgradeRequests: number }[];
    };
    assert.equal(report.status, 'passed');
    assert.deepEqual(
      report.instances.map((i) => [i.phase, i.upgradeRequests]),
      [
        ['done', 1],
        ['done', 1],
        ['done', 1],
      ],
    );
    assert.deepEqual(
      suite.sim.fake.fleet.replicas.map((r) => r.composeHash),
      before,
    );

    const again = await cli(['undo', runId]);
    assert.equal(again.code, 2);
    assert.match(again.stderr, /^preflight: nothing to undo: no instance runs what run \S+ put there\n$/);
  });
});
