import assert from 'node:assert/strict';
import { afterEach, before, describe, it } from 'node:test';
import { composeHashOf, envFingerprint } from '../../src/rollout/backend/phala.js';
import { loadJsonPath } from '../../src/rollout/config.js';
import { composeOf, SimulatedFleet, strategy } from './support/phala-fleet.js';

const GOOD = { composeText: composeOf('nginx:1.28'), images: { web: 'nginx:1.28' } };
const SECRETS = { encryptedEnv: 'c0ffee'.repeat(30), envKeys: ['API_TOKEN', 'DB_PASSWORD'] };
const findings = (sim: SimulatedFleet) => sim.state.findings.map((f) => f.ruleId);

describe('Phala backend against the fake API', () => {
  let sim: SimulatedFleet;
  before(() => loadJsonPath());
  afterEach(() => sim?.close());

  it('the exact call sequence per instance: patch, status polled until booted, record, images, network', async () => {
    sim = await new SimulatedFleet().start({ bootMs: 12_000 });
    const backend = await sim.backend({ ...GOOD, secrets: SECRETS });
    await sim.begin(backend);
    const [first, second] = sim.state.order;
    sim.fake.clearLog();
    const out = await sim.runBatch(sim.context(backend, strategy()), [first!]);
    assert.equal(out.ok, true, out.detail);
    const cvm = first!.replace(/-/g, '');
    assert.deepEqual(
      sim.fake.calls().map((c) => c.replace(/\/rev-\d+$/, '/rev-N')),
      [
        `GET /cvms/${cvm}`, // was the request already sent (a resume)? no: still the old version, idle
        `PATCH /cvms/${cvm}`,
        ...Array(7).fill('POST /status/batch'), // every 2 s through a 12 s boot
        `GET /cvms/${cvm}`, // the record shows the new compose hash
        // the target carries secrets: the newest revision's encrypted env is the one sent
        `GET /apps/${sim.fake.fleet.appId}/revisions`,
        `GET /apps/${sim.fake.fleet.appId}/revisions/rev-N`,
        `GET /cvms/${cvm}/composition`, // the new image runs
        `GET /cvms/${cvm}/network`, // the instance's own URL for the gates
      ],
    );
    assert.deepEqual(sim.fake.log[1]!.bodyKeys, ['allowed_envs', 'docker_compose_file', 'encrypted_env']);
    assert.ok(sim.fake.log.filter((l) => l.path === '/status/batch').every((l) => l.vmUuids?.join() === first));
    const [r1, r2] = sim.fake.fleet.replicas;
    assert.equal(
      r1!.composeHash,
      composeHashOf(backend.targetVersion),
      'the predicted target hash is the one the platform computed',
    );
    assert.notEqual(r2!.composeHash, composeHashOf(backend.targetVersion), 'the next replica is untouched');
    assert.equal(sim.state.instances[first!]!.phase, 'done');
    assert.equal(sim.state.instances[second!]!.phase, 'pending');
    // The gates held for min_healthy_time before the instance counted as done.
    const healthy = sim.state.instances[first!]!.history.find((h) => h.phase === 'healthy')!;
    const booted = sim.state.instances[first!]!.history.find((h) => h.phase === 'booted')!;
    assert.ok(healthy.at - booted.at >= 10_000);
  });

  it('the fake holds requests to the SDK request schemas: a body the SDK could not build is a 422', async () => {
    sim = await new SimulatedFleet().start();
    const cvm = sim.fake.fleet.replicas[0]!.vmUuid.replace(/-/g, '');
    const send = (method: string, path: string, body: unknown) =>
      fetch(`${sim.fake.baseURL}${path}`, {
        method,
        headers: { 'x-api-key': sim.fake.apiKey, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      }).then(async (r) => [r.status, JSON.stringify(await r.json())] as const);
    const [s1, t1] = await send('PATCH', `/cvms/${cvm}`, { docker_compose_file: 5 });
    assert.equal(s1, 422);
    assert.match(t1, /docker_compose_file: Expected string/);
    const [s2, t2] = await send('PATCH', `/cvms/${cvm}`, { compose: 'services: {}' });
    assert.equal(s2, 422);
    assert.match(t2, /unexpected field\(s\) compose/);
    const [s3, t3] = await send('POST', '/status/batch', { vmUuids: ['x'] });
    assert.equal(s3, 422);
    assert.match(t3, /unexpected field\(s\) vmUuids/);
    assert.equal(sim.fake.fleet.replicas[0]!.upgrade, undefined, 'nothing was started');
  });

  it('secrets go as one full set: the same encrypted env and allowed_envs to every replica', async () => {
    sim = await new SimulatedFleet().start();
    const backend = await sim.backend({ ...GOOD, secrets: SECRETS });
    await sim.begin(backend);
    const ctx = sim.context(backend, strategy({ minHealthyTimeMs: 2000 }));
    for (const id of sim.state.order) assert.equal((await sim.runBatch(ctx, [id])).ok, true);
    const replicas = sim.fake.fleet.replicas;
    assert.deepEqual(new Set(replicas.map((r) => r.encryptedEnv)), new Set([SECRETS.encryptedEnv]));
    assert.ok(replicas.every((r) => r.compose.allowed_envs.join() === 'API_TOKEN,DB_PASSWORD'));
    assert.ok(replicas.every((r) => r.composeHash === composeHashOf(backend.targetVersion)));
    assert.equal(
      backend.targetVersion,
      `${composeHashOf(backend.targetVersion)}+env:${envFingerprint(SECRETS.encryptedEnv)}`,
    );
    // The journal names no secret: the encrypted blob is not in any event.
    assert.ok(!JSON.stringify(sim.events).includes(SECRETS.encryptedEnv));
  });

  it('409 (another operation in progress) is retried with backoff; the upgrade is still sent once', async () => {
    sim = await new SimulatedFleet().start();
    const backend = await sim.backend(GOOD);
    await sim.begin(backend);
    const [first] = sim.state.order;
    sim.fake.failNext({ status: 409, method: 'PATCH', count: 2, detail: 'Another operation is in progress' });
    const out = await sim.runBatch(sim.context(backend, strategy({ minHealthyTimeMs: 1000 })), [first!]);
    assert.equal(out.ok, true, out.detail);
    const patches = sim.fake.log.filter((l) => l.method === 'PATCH');
    assert.deepEqual(
      patches.map((p) => p.status),
      [409, 409, 202],
    );
    assert.equal(sim.state.instances[first!]!.upgradeRequests, 1);
    assert.equal(sim.meter.snapshot().byStatus['409'], 2);
  });

  it('465: the app KMS is on chain; the rollout reports what to register and changes nothing', async () => {
    sim = await new SimulatedFleet().start({ onChainKms: true });
    const backend = await sim.backend(GOOD);
    assert.equal(backend.onChainKmsType, 'base');
    await sim.begin(backend);
    const [first] = sim.state.order;
    const before = sim.fake.fleet.replicas[0]!.composeHash;
    const out = await sim.runBatch(sim.context(backend, strategy()), [first!]);
    assert.equal(out.ok, false);
    assert.deepEqual(findings(sim), ['rollout-onchain-registration-required']);
    const message = sim.state.findings[0]!.message;
    const pending = sim.fake.fleet.replicas[0]!.pending!;
    assert.ok(message.includes(pending.composeHash), message);
    assert.ok(message.includes(sim.fake.fleet.appId) && /addComposeHash/.test(message));
    assert.equal(pending.composeHash, backend.targetVersion, 'the plan predicted the hash the platform asks for');
    assert.equal(sim.fake.fleet.replicas[0]!.composeHash, before);
    assert.equal(sim.fake.log.filter((l) => l.path === '/status/batch').length, 0, 'nothing to wait for');
  });

  it('a version never healthy: the gate fails at healthy_deadline, the instance is rolled back, compose only', async () => {
    sim = await new SimulatedFleet().start();
    const backend = await sim.backend({ composeText: composeOf('nginx:1.28', 'BAD'), images: { web: 'nginx:1.28' } });
    await sim.begin(backend);
    const [first] = sim.state.order;
    const before = sim.fake.fleet.replicas[0]!.composeHash;
    const out = await sim.runBatch(sim.context(backend, strategy({ healthyDeadlineMs: 30_000 })), [first!]);
    assert.equal(out.ok, false);
    assert.deepEqual(findings(sim), ['rollout-gate-failed', 'rollout-rolled-back']);
    assert.match(sim.state.findings[0]!.message, /did not pass within healthy_deadline 30 s: HTTP 503/);
    assert.equal(sim.fake.fleet.replicas[0]!.composeHash, before, 'back on the version it ran');
    const patches = sim.fake.log.filter((l) => l.method === 'PATCH');
    assert.equal(patches.length, 2);
    assert.deepEqual(patches[1]!.bodyKeys, ['docker_compose_file'], 'the secrets did not change: none re-sent');
    assert.equal(sim.state.instances[first!]!.phase, 'rolled-back');
    assert.ok(
      sim.fake.fleet.replicas.slice(1).every((r) => r.composeHash === before),
      'the others untouched',
    );
  });

  it('a rollback re-sends the previous encrypted env only when the rollout replaced it', async () => {
    sim = await new SimulatedFleet().start();
    const before = sim.fake.fleet.replicas[0]!;
    before.encryptedEnv = 'feed'.repeat(20);
    const backend = await sim.backend({
      composeText: composeOf('nginx:1.28', 'BAD'),
      images: { web: 'nginx:1.28' },
      secrets: SECRETS,
    });
    await sim.begin(backend);
    // The first revision recorded '' as the env; a rollback must send what ran, so record it as deployed.
    sim.fake.fleet.revisions.find((r) => r.vm_uuid === before.vmUuid)!.encrypted_env = 'feed'.repeat(20);
    const out = await sim.runBatch(sim.context(backend, strategy({ healthyDeadlineMs: 20_000 })), [
      sim.state.order[0]!,
    ]);
    assert.equal(out.ok, false);
    const patches = sim.fake.log.filter((l) => l.method === 'PATCH');
    assert.deepEqual(patches[1]!.bodyKeys, ['allowed_envs', 'docker_compose_file', 'encrypted_env']);
    assert.equal(before.encryptedEnv, 'feed'.repeat(20));
  });

  it('a version that passes its gates and fails 5 s later is caught by min_healthy_time', async () => {
    sim = await new SimulatedFleet().start();
    const backend = await sim.backend({ composeText: composeOf('nginx:1.28', 'FLAKY'), images: { web: 'nginx:1.28' } });
    await sim.begin(backend);
    const out = await sim.runBatch(sim.context(backend, strategy()), [sim.state.order[0]!]);
    assert.equal(out.ok, false);
    assert.deepEqual(findings(sim), ['rollout-gate-failed', 'rollout-rolled-back']);
    assert.match(
      sim.state.findings[0]!.message,
      /failed \d s after every gate passed, within min_healthy_time 10 s: HTTP 500/,
    );
    const verdict = sim.events.find((e) => e.type === 'gate-verdict' && e.outcome === 'fail');
    assert.ok(verdict && verdict.type === 'gate-verdict' && verdict.phase === 'min-healthy-time');
    // The fold keeps it for the report's gates column.
    const [first] = sim.state.order;
    assert.deepEqual(
      sim.state.instances[first!]!.verdicts.map((v) => [v.outcome, v.phase]),
      [['fail', 'min-healthy-time']],
    );
  });

  it('a boot error stops the instance as boot-failed and rolls it back; halt leaves it out instead', async () => {
    sim = await new SimulatedFleet().start({ failBoot: new Set([0]), bootError: 'pull access denied for nginx' });
    const backend = await sim.backend(GOOD);
    await sim.begin(backend);
    const out = await sim.runBatch(sim.context(backend, strategy({ onFailure: 'halt' })), [sim.state.order[0]!]);
    assert.equal(out.ok, false);
    assert.deepEqual(findings(sim), ['rollout-boot-failed']);
    assert.match(sim.state.findings[0]!.message, /pull access denied/);
    assert.equal(sim.state.instances[sim.state.order[0]!]!.phase, 'failed');
    assert.equal(sim.fake.log.filter((l) => l.method === 'PATCH').length, 1, 'halt: no rollback');
  });
});
