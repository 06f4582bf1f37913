import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { getComposeHash } from '@phala/cloud';
import { connectPhala, instanceUrls, type PhalaClient } from '../../src/phala/index.js';
import { FakePhala, ManualClock } from '../support/fake-phala/index.js';

const NEXT = 'services:\n  web:\n    image: nginx:1.28\n    ports: ["8080:80"]\n';
const SECRET_BLOB = 'c0ffee'.repeat(40);

describe('one replica upgrade, call by call (polling)', () => {
  let fake: FakePhala;
  let phala: PhalaClient;
  const clock = new ManualClock();

  before(async () => {
    fake = await FakePhala.start({ now: () => clock.now(), bootMs: 12_000 });
    phala = await connectPhala({ apiKey: fake.apiKey, baseURL: fake.baseURL, clock, random: () => 0 });
  });
  after(() => fake.close());

  it('list → patch → poll status until booted → containers → network', async () => {
    const app = fake.fleet.appId;
    const [first, second] = await phala.listReplicas(app);
    assert.ok(first && second);
    const before = first.composeHash;
    assert.equal(first.status, 'running');
    assert.equal(first.deviceId, fake.fleet.replicas[0]!.deviceId);

    const out = await phala.patchCvm(first.vmUuid!, {
      docker_compose_file: NEXT,
      allowed_envs: ['DB_PASSWORD'],
      encrypted_env: SECRET_BLOB,
    });
    assert.equal(out.kind, 'accepted');
    assert.ok(out.kind === 'accepted' && /^op-\d+$/.test(out.correlationId));

    const seen: string[] = [];
    const wait = await phala.waitForStatuses([first.vmUuid!], {
      intervalMs: 5_000,
      timeoutMs: 60_000,
      onPoll: (s) => seen.push(`${s[first.vmUuid!]!.status}/${s[first.vmUuid!]!.boot_progress ?? '-'}`),
    });
    assert.equal(wait.timedOut, false);
    assert.equal(wait.polls, 4);
    assert.deepEqual(seen, [
      'stopping/-',
      'starting/decrypting secrets',
      'starting/starting containers',
      'running/done',
    ]);
    const done = wait.done[first.vmUuid!]!;
    assert.equal(done.in_progress, false);
    assert.equal(done.boot_error, null);

    const stats = await phala.getContainers(first.vmUuid!);
    assert.deepEqual(
      stats.containers?.map((c) => [c.image, c.state]),
      [['nginx:1.28', 'running']],
    );
    const net = await phala.getNetwork(first.vmUuid!);
    assert.deepEqual(instanceUrls(net), [`https://${fake.fleet.replicas[0]!.instanceId}-8080.phala.test`]);

    const cvm = first.vmUuid!.replace(/-/g, '');
    assert.deepEqual(fake.calls(), [
      `GET /apps/${app}/cvms`,
      `PATCH /cvms/${cvm}`,
      'POST /status/batch',
      'POST /status/batch',
      'POST /status/batch',
      'POST /status/batch',
      `GET /cvms/${cvm}/composition`,
      `GET /cvms/${cvm}/network`,
    ]);
    assert.deepEqual(fake.log[1]!.bodyKeys, ['allowed_envs', 'docker_compose_file', 'encrypted_env']);
    assert.deepEqual(fake.log[2]!.vmUuids, [first.vmUuid]);
    // The log names keys, never values: the encrypted env does not appear in it.
    assert.ok(!JSON.stringify(fake.log).includes(SECRET_BLOB));
    assert.deepEqual(clock.sleeps, [5_000, 5_000, 5_000]);

    // Only the patched replica moved; the new hash is the one of the new app-compose.
    const after = await phala.getCvm(first.vmUuid!);
    assert.notEqual(after.composeHash, before);
    assert.equal(after.composeHash, fake.fleet.replicas[0]!.composeHash);
    assert.equal(after.inProgress, false);
    assert.equal((await phala.getCvm(second.vmUuid!)).composeHash, before);
  });

  it('getCvm reports an operation in progress (the 2026-01-21 record has `progress`, no in_progress)', async () => {
    const r = fake.fleet.replicas[1]!;
    await phala.patchCvm(r.vmUuid, { docker_compose_file: NEXT });
    const during = await phala.getCvm(r.vmUuid);
    assert.equal(during.inProgress, true);
    assert.match(during.correlationId ?? '', /^op-/);
    assert.equal(during.status, 'stopping');
    clock.advance(12_000);
    assert.equal((await phala.getCvm(r.vmUuid)).inProgress, false);
  });

  it('polling a batch costs one request per interval for all replicas in flight', async () => {
    fake.clearLog();
    const uuids = fake.fleet.replicas.map((r) => r.vmUuid);
    for (const u of uuids) await phala.patchCvm(u, { docker_compose_file: `${NEXT}# v3\n` });
    const wait = await phala.waitForStatuses(uuids, { intervalMs: 4_000, timeoutMs: 60_000 });
    assert.equal(wait.timedOut, false);
    assert.deepEqual(Object.keys(wait.done).sort(), [...uuids].sort());
    const polls = fake.log.filter((r) => r.path === '/status/batch');
    assert.equal(polls.length, wait.polls);
    assert.ok(polls.every((p) => p.vmUuids?.length === uuids.length));
  });

  it('a deadline is a result: what is still pending, with its last status', async () => {
    const r = fake.fleet.replicas[0]!;
    await phala.patchCvm(r.vmUuid, { docker_compose_file: `${NEXT}# v4\n` });
    const wait = await phala.waitForStatuses([r.vmUuid], { intervalMs: 5_000, timeoutMs: 6_000 });
    assert.equal(wait.timedOut, true);
    assert.deepEqual(wait.pending, [r.vmUuid]);
    assert.equal(wait.last[r.vmUuid]?.in_progress, true);
    clock.advance(12_000);
  });
});

describe('a replica that fails to boot', () => {
  let fake: FakePhala;
  let phala: PhalaClient;
  const clock = new ManualClock();
  before(async () => {
    fake = await FakePhala.start({ now: () => clock.now(), bootMs: 8_000, failBoot: new Set([2]) });
    phala = await connectPhala({ apiKey: fake.apiKey, baseURL: fake.baseURL, clock });
  });
  after(() => fake.close());

  it('settles with boot_error set and its containers exited; the others are fine', async () => {
    const uuids = fake.fleet.replicas.map((r) => r.vmUuid);
    for (const u of uuids) await phala.patchCvm(u, { docker_compose_file: NEXT });
    const wait = await phala.waitForStatuses(uuids, { intervalMs: 3_000, timeoutMs: 60_000 });
    assert.equal(wait.timedOut, false);
    const failed = Object.values(wait.done).filter((s) => s.boot_error);
    assert.deepEqual(
      failed.map((s) => s.vm_uuid),
      [uuids[2]],
    );
    assert.match(failed[0]!.boot_error!, /exited with code 1/);
    const stats = await phala.getContainers(uuids[2]!);
    assert.deepEqual(
      stats.containers?.map((c) => c.state),
      ['exited'],
    );
  });
});

describe('watching a CVM over server-sent events', () => {
  let fake: FakePhala;
  let phala: PhalaClient;
  // The fleet's clock moves when the test says (here: with each state the client receives).
  const clock = new ManualClock();
  before(async () => {
    fake = await FakePhala.start({ now: () => clock.now(), bootMs: 10_000, sseTickMs: 5 });
    phala = await connectPhala({ apiKey: fake.apiKey, baseURL: fake.baseURL });
  });
  after(() => fake.close());
  beforeEach(() => fake.clearLog());

  it('streams states until running, in one request, each state checked by CvmStateSchema', async () => {
    const r = fake.fleet.replicas[0]!;
    await phala.patchCvm(r.vmUuid, { docker_compose_file: NEXT });
    const states: string[] = [];
    const final = await phala.watchState(r.vmUuid, {
      target: 'running',
      timeoutMs: 10_000,
      onState: (s) => {
        if (states.at(-1) !== s.status) states.push(s.status);
        clock.advance(2_500);
      },
    });
    assert.equal(final.status, 'running');
    assert.deepEqual(states, ['stopping', 'starting', 'running']);
    const cvm = r.vmUuid.replace(/-/g, '');
    assert.deepEqual(fake.calls(), [`PATCH /cvms/${cvm}`, `GET /cvms/${cvm}/state`]);
    assert.match(fake.log[1]!.query, /^target=running&interval=5&timeout=10$/);
    assert.equal(phala.meter.snapshot().byOperation.watchCvmState, 1);
  });

  it('a watch that outlasts its deadline fails as a timeout', async () => {
    const r = fake.fleet.replicas[1]!;
    await phala.patchCvm(r.vmUuid, { docker_compose_file: NEXT });
    await assert.rejects(
      phala.watchState(r.vmUuid, { target: 'stopped', timeoutMs: 100 }),
      (e: unknown) =>
        (e as { kind?: string }).kind === 'timeout' &&
        /watchCvmState cvm .*: no answer in time$/.test(String((e as Error).message)),
    );
  });

  it('a stream the server ends at its limit is opened again until the target', async () => {
    // The fleet's clock moves only once a second stream was opened: the boot cannot end in the first.
    const clock = new ManualClock();
    const limited = await FakePhala.start({ now: () => clock.now(), bootMs: 1_000, sseLimitMs: 20 });
    const streams = () => limited.log.filter((x) => x.path.endsWith('/state')).length;
    const mover = setInterval(() => streams() >= 2 && clock.advance(1_000), 5);
    try {
      const p = await connectPhala({ apiKey: limited.apiKey, baseURL: limited.baseURL });
      const r = limited.fleet.replicas[0]!;
      await p.patchCvm(r.vmUuid, { docker_compose_file: NEXT });
      const final = await p.watchState(r.vmUuid, { target: 'running', timeoutMs: 10_000 });
      assert.equal(final.status, 'running');
      assert.ok(streams() >= 2, `${streams()} streams`);
      assert.equal(p.meter.snapshot().byOperation.watchCvmState, streams());
    } finally {
      clearInterval(mover);
      await limited.close();
    }
  });

  it('429 on the stream is retried like any read', async () => {
    const r = fake.fleet.replicas[2]!;
    fake.failNext({ status: 429, path: /\/state$/, retryAfter: 0 });
    const final = await phala.watchState(r.vmUuid, { target: 'running', timeoutMs: 10_000 });
    assert.equal(final.status, 'running');
    assert.deepEqual(
      fake.log.map((x) => x.status),
      [429, 200],
    );
  });
});

describe('app revisions: the rollback source', () => {
  let fake: FakePhala;
  let phala: PhalaClient;
  const clock = new ManualClock();
  before(async () => {
    fake = await FakePhala.start({ now: () => clock.now(), bootMs: 1_000 });
    phala = await connectPhala({ apiKey: fake.apiKey, baseURL: fake.baseURL, clock });
  });
  after(() => fake.close());

  it('each patch is a revision; the previous one holds the old compose and encrypted env', async () => {
    const r = fake.fleet.replicas[0]!;
    const original = r.composeHash;
    await phala.patchCvm(r.vmUuid, { docker_compose_file: NEXT, encrypted_env: SECRET_BLOB });
    clock.advance(1_000);
    await phala.patchCvm(r.vmUuid, { docker_compose_file: `${NEXT}# v3\n`, encrypted_env: 'aa'.repeat(50) });
    clock.advance(1_000);
    const now = await phala.getCvm(r.vmUuid);
    const list = await phala.listRevisions(fake.fleet.appId);
    assert.equal(list.total, 3 + 2);
    assert.equal(list.revisions[0]!.compose_hash, now.composeHash);

    const prev = await phala.previousRevision(fake.fleet.appId, r.vmUuid, now.composeHash!);
    assert.ok(prev);
    assert.equal(prev.encrypted_env, SECRET_BLOB);
    const compose = prev.compose_file as { docker_compose_file: string };
    assert.equal(compose.docker_compose_file, NEXT);
    assert.equal(getComposeHash(compose as never), prev.compose_hash);
    assert.notEqual(prev.compose_hash, original);
    assert.equal(fake.calls().at(-1), `GET /apps/${fake.fleet.appId}/revisions/${prev.revision_id}`);

    const none = await phala.previousRevision(fake.fleet.appId, fake.fleet.replicas[1]!.vmUuid, original);
    assert.equal(none, undefined);
  });
});
