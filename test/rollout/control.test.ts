import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { createServer, type Server } from 'node:http';
import {
  controlRollout,
  followRollout,
  type RolloutOptions,
  resumeRollout,
  rolloutReport,
  runRollout,
} from '../../src/commands/rollout.js';
import type { RolloutReport } from '../../src/findings/rollout.js';
import { SimulatedFleet } from './support/phala-fleet.js';

/**
 * Steering a running rollout from outside (`rollout pause|resume|abort`, as another process does:
 * through the run's control file), the canary pause, the progress deadline and the fleet lock —
 * on the fake Phala Cloud API, through the library path the CLI uses.
 */
describe('rollout control: pause, resume, abort, canary, deadlines, the fleet lock', () => {
  let sim: SimulatedFleet;
  let dir: string;
  const opts = (): RolloutOptions => ({
    fleet: join(dir, 'fleet.yml'),
    cwd: dir,
    runRoot: join(dir, 'runs'),
    apiKey: sim.fake.apiKey,
    baseURL: sim.fake.baseURL,
  });
  const write = (strategy: string, compose = 'nginx:1.28') => {
    writeFileSync(
      join(dir, 'v2', 'compose.yaml'),
      `services:\n  web:\n    image: ${compose}\n    ports: ["8080:80"]\n`,
    );
    writeFileSync(
      join(dir, 'fleet.yml'),
      `backend: phala
phala: { app_id: ${sim.fake.fleet.appId}, poll_interval: 100ms }
target: { compose: ./v2 }
strategy: { ${strategy} }
gates:
  - http: { path: /health, interval: 100ms, successes: 2 }
`,
    );
  };
  /** The run's report (from its journal) once `ready` holds; the run goes on meanwhile. */
  const when = async (ready: (r: RolloutReport) => boolean): Promise<RolloutReport> => {
    for (;;) {
      try {
        const r = rolloutReport(opts());
        if (ready(r)) return r;
      } catch {} // no run yet
      await sleep(50);
    }
  };
  const phaseOf = (r: RolloutReport, k: number) => r.instances[k]?.phase;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'pf-rollout-control-'));
    mkdirSync(join(dir, 'v2'));
    sim = await new SimulatedFleet('real').start({ bootMs: 300 });
  });
  afterEach(async () => {
    await sim.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('abort while an instance upgrades: the run ends aborted, that instance back on its version, the rest untouched', {
    timeout: 60_000,
  }, async () => {
    write('min_healthy_time: 60s');
    const before = sim.fake.fleet.replicas.map((r) => r.composeHash);
    const running = runRollout(opts());
    await when((r) => phaseOf(r, 0) === 'booted');
    controlRollout({ ...opts(), action: 'abort' });
    const { report } = await running;
    assert.equal(report.status, 'aborted');
    assert.deepEqual(
      report.instances.map((i) => i.phase),
      ['rolled-back', 'pending', 'pending'],
    );
    assert.deepEqual(
      sim.fake.fleet.replicas.map((r) => r.composeHash),
      before,
    );
    await assert.rejects(
      Promise.resolve().then(() => controlRollout({ ...opts(), action: 'abort' })),
      /already ended \(aborted\)/,
    );
  });

  it('pause stops before the next batch; resume goes on; paused time does not count against progress_deadline', {
    timeout: 60_000,
  }, async () => {
    write('min_healthy_time: 300ms, progress_deadline: 8s');
    const running = runRollout(opts());
    await when((r) => ['upgrade-requested', 'booted', 'healthy'].includes(phaseOf(r, 0)!));
    controlRollout({ ...opts(), action: 'pause' });
    const paused = await when((r) => r.paused !== undefined);
    assert.equal(paused.paused, 'paused by rollout pause');
    assert.deepEqual(
      paused.instances.map((i) => i.phase),
      ['done', 'pending', 'pending'],
      'the batch in progress finished; the next did not start',
    );
    // Longer than the whole progress deadline: only time spent rolling counts.
    await sleep(9000);
    assert.equal(rolloutReport(opts()).instances[1]!.phase, 'pending');
    const resumed = await resumeRollout(opts());
    assert.equal(resumed.signalled, true, 'the live process was told, not a second one started');
    const { report } = await running;
    assert.equal(report.status, 'passed', JSON.stringify(report.findings));
    assert.ok(report.instances.every((i) => i.phase === 'done' && i.upgradeRequests === 1));
  });

  it('status -w follows the journal until the run ends: every change (the canary pause included), then the final report', {
    timeout: 60_000,
  }, async () => {
    write('min_healthy_time: 300ms, canary: { count: 1, pause: manual }');
    const running = runRollout(opts());
    await when(() => true); // the run exists
    const seen: RolloutReport[] = [];
    let resumed = false;
    const followed = followRollout({ ...opts(), intervalMs: 50 }, (r) => {
      seen.push(r);
      if (r.paused && !resumed) {
        resumed = true;
        void resumeRollout(opts());
      }
    });
    const [final, { report }] = await Promise.all([followed, running]);
    assert.equal(final.status, 'passed');
    assert.deepEqual(final, rolloutReport(opts()), 'returns the report the run ended with');
    assert.deepEqual({ ...report, durationMs: 0 }, { ...final, durationMs: 0 });
    assert.ok(seen.length >= 2, `changes seen: ${seen.length}`);
    assert.ok(seen.every((r) => r.status === 'running'));
    const pausedAt = seen.find((r) => r.paused);
    assert.match(pausedAt?.paused ?? '', /canary/);
    assert.deepEqual(
      pausedAt?.instances.map((i) => i.phase),
      ['done', 'pending', 'pending'],
    );
    const donePerChange = seen.map((r) => r.instances.filter((i) => i.phase === 'done').length);
    assert.deepEqual(
      donePerChange,
      [...donePerChange].sort((a, b) => a - b),
      'changes come in journal order',
    );
  });

  it('an inconclusive gate (Prometheus has no series yet) pauses the rollout, status says why, resume continues', {
    timeout: 60_000,
  }, async () => {
    let series: string[] = [];
    const prometheus: Server = createServer((_req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(
        JSON.stringify({
          status: 'success',
          data: { resultType: 'vector', result: series.map((v) => ({ metric: {}, value: [Date.now() / 1000, v] })) },
        }),
      );
    });
    await new Promise<void>((r) => prometheus.listen(0, '127.0.0.1', r));
    try {
      const url = `http://127.0.0.1:${(prometheus.address() as { port: number }).port}`;
      writeFileSync(
        join(dir, 'v2', 'compose.yaml'),
        'services:\n  web:\n    image: nginx:1.28\n    ports: ["8080:80"]\n',
      );
      writeFileSync(
        join(dir, 'fleet.yml'),
        `backend: phala
phala: { app_id: ${sim.fake.fleet.appId}, poll_interval: 100ms }
target: { compose: ./v2 }
strategy: { min_healthy_time: 300ms, healthy_deadline: 2s, on_failure: rollback }
gates:
  - prometheus: { url: "${url}", query: 'errors{instance="{{instance}}"}', below: 0.01, interval: 100ms }
`,
      );
      const running = runRollout(opts());
      const paused = await when((r) => r.paused !== undefined);
      assert.equal(paused.status, 'running');
      assert.match(
        paused.paused!,
        /: gate "prometheus errors\{instance="\{\{instance\}\}"\}" is inconclusive: the query returned no series$/,
      );
      assert.deepEqual(
        paused.findings.map((f) => f.ruleId),
        ['rollout-gate-inconclusive'],
      );
      assert.deepEqual(
        paused.instances.map((i) => i.phase),
        ['booted', 'pending', 'pending'],
        'not rolled back although on_failure is rollback: inconclusive says nothing against the version',
      );
      series = ['0.001'];
      const resumed = await resumeRollout(opts());
      assert.equal(resumed.signalled, true);
      const { report } = await running;
      assert.equal(report.status, 'passed', JSON.stringify(report.findings));
      assert.deepEqual(
        report.instances.map((i) => [i.phase, i.upgradeRequests]),
        [
          ['done', 1],
          ['done', 1],
          ['done', 1],
        ],
      );
      assert.ok(
        report.instances[0]!.phases.some((p) => p.detail === 'gates retried after resume'),
        'the first instance was not upgraded again: its gates were retried',
      );
    } finally {
      await new Promise((r) => prometheus.close(r));
    }
  });

  it('progress_deadline: a rollout that takes longer stops with rollout-deadline-exceeded; no batch starts after it', {
    timeout: 60_000,
  }, async () => {
    // The deadline runs out during the first instance (its gates, or its min_healthy_time hold,
    // depending on the machine's speed): either way the rollout stops there.
    write('min_healthy_time: 2s, progress_deadline: 1s, on_failure: halt');
    const { report } = await runRollout(opts());
    assert.equal(report.status, 'failed');
    assert.deepEqual(
      report.findings.map((f) => f.ruleId),
      ['rollout-deadline-exceeded'],
    );
    assert.match(report.findings[0]!.message, /progress_deadline/);
    assert.deepEqual(
      report.instances.slice(1).map((i) => [i.phase, i.upgradeRequests]),
      [
        ['pending', 0],
        ['pending', 0],
      ],
    );
  });

  it('canary with a manual pause: one instance first, then a wait for `rollout resume`', {
    timeout: 60_000,
  }, async () => {
    write('min_healthy_time: 300ms, canary: { count: 1, pause: manual }');
    const running = runRollout(opts());
    const paused = await when((r) => r.paused !== undefined);
    assert.match(paused.paused!, /^canary upgraded/);
    assert.deepEqual(
      paused.instances.map((i) => i.phase),
      ['done', 'pending', 'pending'],
    );
    assert.equal((await resumeRollout(opts())).signalled, true);
    const { report } = await running;
    assert.equal(report.status, 'passed', JSON.stringify(report.findings));
    assert.ok(report.instances.every((i) => i.phase === 'done'));
  });

  it('canary with a timed pause goes on by itself; abort at the canary pause leaves the rest as they were', {
    timeout: 60_000,
  }, async () => {
    write('min_healthy_time: 300ms, canary: { count: 1, pause: 500ms }');
    const timed = await runRollout(opts());
    assert.equal(timed.report.status, 'passed', JSON.stringify(timed.report.findings));
    const journal = timed.report.instances[1]!.phases.map((p) => p.phase);
    assert.equal(journal.at(-1), 'done');

    write('min_healthy_time: 300ms, canary: { count: 1, pause: manual }', 'nginx:1.29');
    const before = sim.fake.fleet.replicas.map((r) => r.composeHash);
    const running = runRollout(opts());
    await when((r) => r.paused !== undefined && r.runId !== timed.report.runId);
    controlRollout({ ...opts(), action: 'abort' });
    const { report } = await running;
    assert.equal(report.status, 'aborted');
    assert.deepEqual(
      report.instances.map((i) => i.phase),
      ['done', 'pending', 'pending'],
      'the canary stays on the new version (it passed); nothing else started',
    );
    assert.deepEqual(
      sim.fake.fleet.replicas.slice(1).map((r) => r.composeHash),
      before.slice(1),
    );
  });

  it('on_failure pause: a failing instance waits out of rotation; abort then rolls it back', {
    timeout: 60_000,
  }, async () => {
    write('min_healthy_time: 300ms, healthy_deadline: 2s, on_failure: pause', 'nginx:1.28-BAD');
    const before = sim.fake.fleet.replicas[0]!.composeHash;
    const running = runRollout(opts());
    const paused = await when((r) => r.paused !== undefined);
    assert.match(paused.paused!, /did not pass within healthy_deadline 2 s/);
    controlRollout({ ...opts(), action: 'abort' });
    const { report } = await running;
    assert.equal(report.status, 'aborted');
    assert.equal(report.instances[0]!.phase, 'rolled-back');
    assert.equal(sim.fake.fleet.replicas[0]!.composeHash, before);
    assert.deepEqual(
      report.instances.slice(1).map((i) => i.phase),
      ['pending', 'pending'],
    );
  });

  it('a second rollout of the same fleet is refused while one runs', { timeout: 60_000 }, async () => {
    write('min_healthy_time: 60s');
    const running = runRollout(opts());
    await when((r) => phaseOf(r, 0) === 'booted');
    const first = (await when(() => true)).runId;
    await assert.rejects(
      runRollout(opts()),
      new RegExp(`another rollout of this fleet is running: run ${first} \\(pid ${process.pid} on `),
    );
    assert.equal(rolloutReport(opts()).runId, first, 'the refused rollout left no run behind');
    controlRollout({ ...opts(), action: 'abort' });
    assert.equal((await running).report.status, 'aborted');
  });
});
