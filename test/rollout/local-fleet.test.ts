import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import { runRollout } from '../../src/commands/rollout.js';
import { Engine } from '../../src/docker/engine.js';
import { FLEET_LABEL } from '../../src/rollout/backend/local-instance.js';
import { findHaproxy } from '../../src/rollout/lb/haproxy-binary.js';
import { fleetKey } from '../../src/rollout/open.js';
import { BUILT_CLI, REPO_ROOT } from '../support/cli.js';
import { describeDocker } from '../support/docker.js';
import { nodeImage } from '../support/images.js';

/**
 * The local rehearsal fleet end to end: 3 instances of a small app (built with `docker import`),
 * each its own compose project and port, behind Debian's HAProxy run by Preflight, 200 requests/s
 * through it. One fleet serves every case, in order: v1 → v2 (good), v2 → a version never healthy,
 * v2 → a version that fails 5 s after it passed, then v2 → v1 with the process SIGKILLed at every
 * step boundary and resumed.
 */
const APPS = join(REPO_ROOT, 'test', 'fixtures', 'rollout-apps');

await describeDocker('rollout: local fleet of 3 behind HAProxy', () => {
  let dir: string;
  const fleetFile = () => join(dir, 'fleet.yml');
  const write = (current: string, target: string, strategy: string) =>
    writeFileSync(
      fleetFile(),
      `backend: local
local: { replicas: 3, current: ${join(APPS, current)}, env_file: ./app.env }
target: { compose: ${join(APPS, target)}, env_file: ./app.env }
strategy: { ${strategy} }
gates:
  - http: { path: /health, json_path: $.status, equals: ok, successes: 2, interval: 250ms }
`,
    );
  const run = (load?: number) =>
    runRollout({ fleet: fleetFile(), cwd: dir, runRoot: join(dir, 'runs'), ...(load ? { load: { rate: load } } : {}) });

  before(() => {
    if (!findHaproxy()) throw new Error('the haproxy binary is missing (apt-get install haproxy)');
    dir = mkdtempSync(join(tmpdir(), 'pf-rollout-fleet-'));
    writeFileSync(join(dir, 'app.env'), `IMAGE=${nodeImage()}\n`);
  });
  after(async () => {
    const engine = new Engine();
    const key = fleetKey({ backend: 'local', file: fleetFile() } as Parameters<typeof fleetKey>[0]);
    await engine.removeContainers(await engine.containerIds([`${FLEET_LABEL}=${key}`]));
    const networks = await engine.networks(['com.docker.compose.project']);
    const ours = networks.filter((n) => n.Labels['com.docker.compose.project']?.startsWith(`pf-rollout-${key}-`));
    assert.ok(ours.length <= 3, `at most the 3 instances' networks are left: ${ours.map((n) => n.Name)}`);
    await engine.removeNetworks(ours.map((n) => n.ID));
    rmSync(dir, { recursive: true, force: true });
  });

  it('a good version: all 3 upgraded one at a time, 0 failed requests at 200 req/s', async () => {
    write('v1', 'v2', 'min_healthy_time: 1s, healthy_deadline: 60s');
    const { report } = await run(200);
    assert.equal(report.status, 'passed', JSON.stringify(report.findings));
    assert.deepEqual(
      report.instances.map((i) => [i.name, i.phase, i.version === report.targetVersion, i.upgradeRequests]),
      [
        ['local-1', 'done', true, 1],
        ['local-2', 'done', true, 1],
        ['local-3', 'done', true, 1],
      ],
    );
    assert.equal(report.maxOutOfRotation, 1);
    assert.ok(report.load && report.load.scheduled >= 200 * 5, `${report.load?.scheduled} requests`);
    assert.equal(report.load.failed, 0, JSON.stringify(report.load.failures));
    assert.deepEqual(report.findings, []);
  });

  it('a version never healthy: halts on the first instance and rolls it back, the other two untouched, 0 failed', async () => {
    // healthy_deadline also bounds the rollback's boot and gates: room for a loaded machine.
    write('v2', 'never-healthy', 'min_healthy_time: 1s, healthy_deadline: 10s');
    const { report } = await run(200);
    assert.equal(report.status, 'failed');
    const [first, second, third] = report.instances;
    assert.equal(first!.phase, 'rolled-back');
    assert.equal(first!.version, first!.versionBefore, 'back on v2');
    assert.deepEqual([second!.phase, third!.phase], ['pending', 'pending']);
    assert.deepEqual([second!.upgradeRequests, third!.upgradeRequests], [0, 0]);
    assert.deepEqual(
      report.findings.map((f) => f.ruleId),
      ['rollout-gate-failed', 'rollout-rolled-back'],
    );
    assert.match(
      report.findings[0]!.message,
      /local-1: gate "http \/health" did not pass within healthy_deadline 10 s: HTTP 503/,
    );
    assert.equal(report.load?.failed, 0, JSON.stringify(report.load?.failures));
  });

  it('a version that passes its gate and fails 5 s later is caught by min_healthy_time', async () => {
    write('v2', 'fails-later', 'min_healthy_time: 8s, healthy_deadline: 30s');
    const { report } = await run();
    assert.equal(report.status, 'failed');
    assert.deepEqual(
      report.findings.map((f) => f.ruleId),
      ['rollout-gate-failed', 'rollout-rolled-back'],
    );
    assert.match(
      report.findings[0]!.message,
      /failed \d+(\.\d)? s after every gate passed, within min_healthy_time 8 s: HTTP 500/,
    );
    assert.deepEqual(
      report.instances.map((i) => i.phase),
      ['rolled-back', 'pending', 'pending'],
    );
  });

  const cliIn = (runRoot: string) => (args: string[], killAt?: string) =>
    spawnSync(
      process.execPath,
      ['--', BUILT_CLI, 'rollout', ...args, '--fleet', fleetFile(), '--run-dir', runRoot, '--format', 'json'],
      {
        cwd: dir,
        encoding: 'utf8',
        timeout: 120_000,
        env: { ...process.env, ...(killAt ? { PREFLIGHT_STEPS_KILL_AT: killAt } : {}) },
      },
    );

  it('SIGKILLed at every step boundary, resumed each time: finishes at the target, never below max_unavailable, no instance upgraded twice', () => {
    write('v2', 'v1', 'min_healthy_time: 1s, healthy_deadline: 60s');
    const cli = cliIn(join(dir, 'runs-killed'));
    // One run, killed at the next boundary each time it is resumed: run-start, the resumed
    // boundary, then alternately the first step-start and the first step-end of each process (a
    // step is started and killed, redone and killed at its end, …) until the run ends by itself.
    const first = cli(['run'], 'run-start:1');
    assert.equal(first.signal, 'SIGKILL', first.stderr);
    const kills = ['resumed:1', ...Array.from({ length: 30 }, (_, i) => (i % 2 ? 'step-end:1' : 'step-start:1'))];
    let last: ReturnType<typeof cli> | undefined;
    let killed = 1;
    for (const at of kills) {
      last = cli(['resume'], at);
      if (last.signal !== 'SIGKILL') break;
      killed++;
    }
    assert.ok(last && last.status === 0, `final resume: ${last?.status} ${last?.stderr.slice(-400)}`);
    // run-start, resumed, and a step-start and a step-end for each of the 5 steps.
    assert.equal(killed, 12, `killed ${killed} times`);
    const report = JSON.parse(last.stdout) as import('../../src/findings/rollout.js').RolloutReport;
    assert.equal(report.status, 'passed');
    assert.deepEqual(
      report.instances.map((i) => [i.phase, i.version === report.targetVersion, i.upgradeRequests]),
      [
        ['done', true, 1],
        ['done', true, 1],
        ['done', true, 1],
      ],
    );
    assert.ok(report.maxOutOfRotation <= 1, `out of rotation at once: ${report.maxOutOfRotation}`);
    assert.deepEqual(report.findings, []);
  });

  it('SIGKILLed at every instance phase (drain, drained, upgrade requested and sent, booted, healthy, enabled, done), resumed each time: at the target, one upgrade each', () => {
    write('v1', 'v2', 'min_healthy_time: 1s, healthy_deadline: 60s');
    const cli = cliIn(join(dir, 'runs-killed-phases'));
    const phases = [
      'draining',
      'drained',
      'upgrade-requesting',
      'upgrade-requested',
      'booted',
      'healthy',
      'enabled',
      'done',
    ];
    const first = cli(['run'], 'run-start:1');
    assert.equal(first.signal, 'SIGKILL', first.stderr);
    let last: ReturnType<typeof cli> | undefined;
    let killed = 1;
    for (let k = 0; k < 40; k++) {
      last = cli(['resume'], `instance-${phases[k % phases.length]}:1`);
      if (last.signal !== 'SIGKILL') break;
      killed++;
    }
    assert.ok(last && last.status === 0, `final resume: ${last?.status} ${last?.stderr.slice(-400)}`);
    assert.equal(killed, 1 + 3 * phases.length, `killed ${killed} times`);
    const report = JSON.parse(last.stdout) as import('../../src/findings/rollout.js').RolloutReport;
    assert.equal(report.status, 'passed', JSON.stringify(report.findings));
    assert.deepEqual(
      report.instances.map((i) => [i.phase, i.version === report.targetVersion, i.upgradeRequests]),
      [
        ['done', true, 1],
        ['done', true, 1],
        ['done', true, 1],
      ],
    );
    assert.ok(report.maxOutOfRotation <= 1, `out of rotation at once: ${report.maxOutOfRotation}`);
    assert.deepEqual(report.findings, []);
  });
});
