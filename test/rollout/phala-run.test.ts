import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { planRollout, rolloutReport, runRollout, undoRollout } from '../../src/commands/rollout.js';
import { InputError } from '../../src/util/errors.js';
import { SimulatedFleet } from './support/phala-fleet.js';

/**
 * `rollout plan` and `rollout run` through the library API on the fake Phala Cloud API: the code
 * path of production (settings file, plan, step engine, journal, Phala backend) but for the base
 * URL and the API key, which the fake gives.
 */
describe('rollout on Phala Cloud (fake API), the whole path', () => {
  let sim: SimulatedFleet;
  let dir: string;
  const fleetFile = () => join(dir, 'fleet.yml');
  const opts = () => ({
    fleet: fleetFile(),
    cwd: dir,
    runRoot: join(dir, 'runs'),
    apiKey: sim.fake.apiKey,
    baseURL: sim.fake.baseURL,
  });

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'pf-rollout-phala-'));
    mkdirSync(join(dir, 'v2'));
    writeFileSync(
      join(dir, 'v2', 'compose.yaml'),
      'services:\n  web:\n    image: nginx:1.28\n    ports: ["8080:80"]\n',
    );
  });
  afterEach(async () => {
    await sim.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const write = (appId: string, extra = '') =>
    writeFileSync(
      fleetFile(),
      `backend: phala
phala: { app_id: ${appId}, poll_interval: 100ms }
target: { compose: ./v2 }
strategy: { min_healthy_time: 300ms${extra} }
gates:
  - http: { path: /health, interval: 100ms, successes: 2 }
`,
    );

  it('plan, then run with the plan id: every replica on the target, in order, one at a time', async () => {
    sim = await new SimulatedFleet('real').start({ bootMs: 300 });
    write(sim.fake.fleet.appId);
    const plan = await planRollout(opts());
    assert.deepEqual(
      plan.instances.map((i) => [i.name, i.action, i.batch]),
      [
        ['replica-1', 'upgrade', 1],
        ['replica-2', 'upgrade', 2],
        ['replica-3', 'upgrade', 3],
      ],
    );
    assert.equal(plan.blocking, false);
    const { report, runId } = await runRollout({ ...opts(), planId: plan.planId });
    assert.equal(report.status, 'passed', JSON.stringify(report.findings));
    assert.ok(sim.fake.fleet.replicas.every((r) => r.composeHash === plan.targetVersion));
    assert.equal(report.maxOutOfRotation, 1);
    // The gates' verdicts, rebuilt from the journal: one pass per replica, after its boot.
    for (const i of report.instances) {
      assert.deepEqual(
        i.gates.map((v) => v.outcome),
        ['pass'],
        i.name,
      );
      assert.ok(i.gates[0]!.t >= i.phases.find((p) => p.phase === 'booted')!.t, i.name);
    }
    // Upgrades went one after the other: each replica's PATCH after the previous one was done.
    const patches = sim.fake.log.filter((l) => l.method === 'PATCH').map((l) => l.path);
    assert.deepEqual(
      patches,
      sim.fake.fleet.replicas.map((r) => `/cvms/${r.vmUuid.replace(/-/g, '')}`),
    );
    // `status` rebuilds the same report from the journal.
    assert.deepEqual(rolloutReport({ ...opts(), run: runId }), report);
  });

  it('an app-compose.json target: its embedded compose and pre-launch script go to every replica', async () => {
    sim = await new SimulatedFleet('real').start({ bootMs: 300 });
    const compose = 'services:\n  web:\n    image: nginx:1.29\n    ports: ["8080:80"]\n';
    const script = '#!/bin/sh\necho prepared\n';
    writeFileSync(
      join(dir, 'v2', 'app-compose.json'),
      JSON.stringify({
        manifest_version: 2,
        name: 'shop',
        runner: 'docker-compose',
        docker_compose_file: compose,
        pre_launch_script: script,
        kms_enabled: true,
        gateway_enabled: true,
        public_logs: false,
        public_sysinfo: false,
        allowed_envs: [],
      }),
    );
    writeFileSync(
      fleetFile(),
      `backend: phala
phala: { app_id: ${sim.fake.fleet.appId}, poll_interval: 100ms }
target: { compose: ./v2/app-compose.json }
strategy: { min_healthy_time: 300ms }
gates:
  - http: { path: /health, interval: 100ms }
`,
    );
    const plan = await planRollout(opts());
    const { report } = await runRollout({ ...opts(), planId: plan.planId });
    assert.equal(report.status, 'passed', JSON.stringify(report.findings));
    for (const r of sim.fake.fleet.replicas) {
      assert.equal(r.compose.docker_compose_file, compose);
      assert.equal(r.compose.pre_launch_script, script);
      assert.equal(r.composeHash, plan.targetVersion, 'the predicted hash covers the pre-launch script');
    }
  });

  it('a plan with blocking diff findings is refused by run (nothing sent); --despite-findings runs it', async () => {
    sim = await new SimulatedFleet('real').start({
      bootMs: 300,
      composeFile:
        'services:\n  web:\n    image: nginx:1.27\n    ports: ["8080:80"]\n    volumes: [uploads:/srv/uploads]\nvolumes:\n  uploads: {}\n',
    });
    write(sim.fake.fleet.appId);
    const plan = await planRollout(opts());
    assert.equal(plan.blocking, true);
    assert.deepEqual(
      plan.findings.filter((f) => f.severity === 'error').map((f) => f.ruleId),
      ['volume-removed'],
    );
    await assert.rejects(runRollout(opts()), /the plan has blocking findings \(volume-removed\)/);
    assert.equal(sim.fake.log.filter((l) => l.method === 'PATCH').length, 0);
    const forced = await runRollout({ ...opts(), despiteFindings: true });
    assert.equal(forced.report.status, 'passed', JSON.stringify(forced.report.findings));
  });

  it('a change of secret values alone (same keys, same compose) is seen by plan and rolled out; unchanged, nothing to do', async () => {
    sim = await new SimulatedFleet('real').start({ bootMs: 300 });
    const envFile = join(dir, 'v2.env');
    writeFileSync(envFile, 'API_TOKEN=s3cr3t-value-one\nDB_PASSWORD=pw-value-one\n');
    writeFileSync(
      fleetFile(),
      `backend: phala
phala: { app_id: ${sim.fake.fleet.appId}, poll_interval: 100ms }
target: { compose: ./v2, env_file: ./v2.env }
strategy: { min_healthy_time: 300ms }
gates:
  - http: { path: /health, interval: 100ms, successes: 2 }
`,
    );
    const first = await runRollout(opts());
    assert.equal(first.report.status, 'passed', JSON.stringify(first.report.findings));
    const deployed = sim.fake.fleet.replicas.map((r) => [r.composeHash, r.encryptedEnv]);
    assert.equal(new Set(deployed.map(([, env]) => env)).size, 1, 'one encrypted set on every replica');

    const same = await planRollout(opts());
    assert.deepEqual(
      same.instances.map((i) => i.action),
      ['skip', 'skip', 'skip'],
      'the env file unchanged: the same ciphertext is the target, already deployed',
    );
    assert.equal((await planRollout(opts())).planId, same.planId, 'plans agree while nothing changes');

    writeFileSync(envFile, 'API_TOKEN=s3cr3t-value-two\nDB_PASSWORD=pw-value-one\n');
    const plan = await planRollout(opts());
    assert.deepEqual(
      plan.instances.map((i) => i.action),
      ['upgrade', 'upgrade', 'upgrade'],
      "a new value of one key: every instance is behind, although its compose hash is the target's",
    );
    assert.equal(plan.targetVersion.split('+env:')[0], first.report.targetVersion.split('+env:')[0]);
    assert.notEqual(plan.targetVersion, first.report.targetVersion);

    const patches = sim.fake.log.filter((l) => l.method === 'PATCH').length;
    const second = await runRollout({ ...opts(), planId: plan.planId });
    assert.equal(second.report.status, 'passed', JSON.stringify(second.report.findings));
    const sent = sim.fake.log.filter((l) => l.method === 'PATCH').slice(patches);
    assert.equal(sent.length, 3);
    for (const p of sent) assert.deepEqual(p.bodyKeys, ['allowed_envs', 'docker_compose_file', 'encrypted_env']);
    const now = sim.fake.fleet.replicas.map((r) => [r.composeHash, r.encryptedEnv]);
    assert.deepEqual(
      now.map(([hash]) => hash),
      deployed.map(([hash]) => hash),
      'the compose hash did not move',
    );
    assert.equal(new Set(now.map(([, env]) => env)).size, 1);
    assert.notEqual(now[0]![1], deployed[0]![1], 'the new set is deployed');
    assert.deepEqual(
      (await planRollout(opts())).instances.map((i) => i.action),
      ['skip', 'skip', 'skip'],
    );

    const seen = [
      JSON.stringify(plan),
      JSON.stringify(second.report),
      ...readdirSync(join(dir, 'runs'), { recursive: true, withFileTypes: true })
        .filter((e) => e.isFile())
        .map((e) => readFileSync(join(e.parentPath, e.name), 'utf8')),
    ].join('\n');
    for (const secret of ['s3cr3t-value-one', 's3cr3t-value-two', 'pw-value-one'])
      assert.ok(!seen.includes(secret), `${secret} in a plan, report, journal or run file`);
  });

  it('a list of CVMs by name: only those are rolled out, the other replica of the app untouched', async () => {
    sim = await new SimulatedFleet('real').start({ bootMs: 300 });
    writeFileSync(
      fleetFile(),
      `backend: phala
phala: { cvms: [replica-1, replica-3], poll_interval: 100ms }
target: { compose: ./v2 }
strategy: { min_healthy_time: 300ms }
gates:
  - http: { path: /health, interval: 100ms }
`,
    );
    const before = sim.fake.fleet.replicas[1]!.composeHash;
    const { report } = await runRollout(opts());
    assert.equal(report.status, 'passed', JSON.stringify(report.findings));
    assert.deepEqual(
      report.instances.map((i) => [i.name, i.phase]),
      [
        ['replica-1', 'done'],
        ['replica-3', 'done'],
      ],
    );
    assert.equal(sim.fake.fleet.replicas[1]!.composeHash, before);
    assert.equal(sim.fake.fleet.replicas[2]!.composeHash, report.targetVersion);
  });

  it('undo puts every upgraded replica back on the compose it ran before, health-gated like a rollout', async () => {
    sim = await new SimulatedFleet('real').start({ bootMs: 300 });
    write(sim.fake.fleet.appId);
    const before = sim.fake.fleet.replicas.map((r) => r.composeHash);
    const forward = await runRollout(opts());
    assert.equal(forward.report.status, 'passed');
    const back = await undoRollout({ ...opts(), run: forward.runId });
    assert.equal(back.report.status, 'passed', JSON.stringify(back.report.findings));
    assert.deepEqual(
      sim.fake.fleet.replicas.map((r) => r.composeHash),
      before,
    );
    assert.deepEqual(
      back.report.instances.map((i) => [i.phase, i.upgradeRequests]),
      [
        ['done', 1],
        ['done', 1],
        ['done', 1],
      ],
    );
    // The old compose came from the app's revisions: the old image runs again.
    assert.ok(sim.fake.fleet.replicas.every((r) => r.compose.docker_compose_file.includes('nginx:1.27')));
    await assert.rejects(undoRollout({ ...opts(), run: forward.runId }), /nothing to undo/);
  });

  it('refuses a plan id the fleet no longer gives (a replica moved since the plan)', async () => {
    sim = await new SimulatedFleet('real').start({ bootMs: 300 });
    write(sim.fake.fleet.appId);
    const plan = await planRollout(opts());
    sim.fake.fleet.replicas[1]!.composeHash = 'f'.repeat(64);
    await assert.rejects(
      runRollout({ ...opts(), planId: plan.planId }),
      (e: unknown) =>
        e instanceof InputError && /rollout-fleet-changed: the fleet no longer matches plan/.test(e.message),
    );
    assert.equal(sim.fake.log.filter((l) => l.method === 'PATCH').length, 0);
  });

  it('an on-chain KMS: the plan names the hash to register; the run stops at the 465 with nothing changed', async () => {
    sim = await new SimulatedFleet('real').start({ bootMs: 300, onChainKms: true });
    write(sim.fake.fleet.appId);
    const plan = await planRollout(opts());
    assert.equal(plan.onChain?.kmsType, 'base');
    assert.equal(plan.onChain?.composeHash, plan.targetVersion);
    const { report } = await runRollout(opts());
    assert.equal(report.status, 'failed');
    assert.deepEqual(
      report.findings.map((f) => f.ruleId),
      ['rollout-onchain-registration-required'],
    );
    assert.deepEqual(
      report.instances.map((i) => i.phase),
      ['failed', 'pending', 'pending'],
    );
  });
});
