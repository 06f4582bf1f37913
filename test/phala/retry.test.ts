import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { after, before, beforeEach, describe, it } from 'node:test';
import { connectPhala, PhalaApiError, type PhalaClientOptions, RequestMeter } from '../../src/phala/index.js';
import { backoffDelay, classifyStatus, parseRetryAfter } from '../../src/phala/retry.js';
import { FakePhala, ManualClock } from '../support/fake-phala/index.js';

describe('retry policy (units)', () => {
  it('backoff doubles up to the cap; jitter takes up to its share off', () => {
    const b = { attempts: 9, initialDelayMs: 1000, maxDelayMs: 5000, budgetMs: 60_000 };
    assert.deepEqual(
      [1, 2, 3, 4, 5].map((i) => backoffDelay(b, i, 0, () => 0.9)),
      [1000, 2000, 4000, 5000, 5000],
    );
    assert.equal(
      backoffDelay(b, 2, 0.5, () => 1),
      1000,
    );
    assert.equal(
      backoffDelay(b, 2, 0.5, () => 0),
      2000,
    );
  });

  it('Retry-After: seconds or an HTTP date', () => {
    const now = Date.UTC(2026, 0, 1, 12, 0, 0);
    assert.equal(parseRetryAfter('7', now), 7000);
    assert.equal(parseRetryAfter(new Date(now + 30_000).toUTCString(), now), 30_000);
    assert.equal(parseRetryAfter('soon', now), undefined);
    assert.equal(parseRetryAfter(null, now), undefined);
  });

  it('which statuses are retried, for reads and for writes', () => {
    const read = { idempotent: true };
    const write = { idempotent: false };
    assert.equal(classifyStatus(409, write), 'conflict');
    assert.equal(classifyStatus(400, { ...write, detail: 'Operation in progress, try later' }), 'conflict');
    assert.equal(classifyStatus(423, { ...write, detail: 'update in_progress' }), 'conflict');
    assert.equal(classifyStatus(400, { ...write, detail: 'bad compose file' }), 'fatal');
    assert.equal(classifyStatus(404, { ...read, detail: 'task in progress' }), 'fatal');
    assert.equal(classifyStatus(429, write), 'transient');
    assert.equal(classifyStatus(500, read), 'transient');
    assert.equal(classifyStatus(504, read), 'transient');
    assert.equal(classifyStatus(503, write), 'transient');
    assert.equal(classifyStatus(500, write), 'fatal');
    assert.equal(classifyStatus(502, write), 'fatal');
    for (const s of [400, 401, 403, 404, 422, 465, 466]) assert.equal(classifyStatus(s, read), 'fatal', String(s));
  });
});

describe('retries against the fake API', () => {
  let fake: FakePhala;
  let clock: ManualClock;
  const connect = (o: PhalaClientOptions = {}) =>
    connectPhala({ apiKey: fake.apiKey, baseURL: fake.baseURL, clock, random: () => 0, ...o });
  const vm = () => fake.fleet.replicas[0]!.vmUuid;
  const compose = 'services:\n  web:\n    image: nginx:1.28\n';

  before(async () => {
    clock = new ManualClock();
    fake = await FakePhala.start({ now: () => clock.now(), bootMs: 10_000 });
  });
  after(() => fake.close());
  beforeEach(() => {
    fake.clearLog();
    fake.clearFaults();
    clock.sleeps.length = 0;
  });

  it('409 twice, then accepted: exponential backoff between the three PATCHes', async () => {
    const phala = await connect();
    fake.failNext({ status: 409, count: 2, method: 'PATCH' });
    const out = await phala.patchCvm(vm(), { docker_compose_file: compose });
    assert.equal(out.kind, 'accepted');
    assert.deepEqual(clock.sleeps, [2000, 4000]);
    assert.deepEqual(fake.calls(), Array(3).fill(`PATCH /cvms/${vm().replace(/-/g, '')}`));
    assert.deepEqual(phala.meter.snapshot(), {
      requests: 3,
      retries: 2,
      waitedMs: 6000,
      byOperation: { patchCvm: 3 },
      byStatus: { 409: 2, ok: 1 },
    });
    clock.advance(10_000);
  });

  it('a second upgrade while one runs: 409 from the platform until the first is done', async () => {
    const phala = await connect();
    assert.equal((await phala.patchCvm(vm(), { docker_compose_file: compose })).kind, 'accepted');
    const out = await phala.patchCvm(vm(), { docker_compose_file: `${compose}# again\n` });
    assert.equal(out.kind, 'accepted');
    assert.deepEqual(clock.sleeps, [2000, 4000, 8000]);
    assert.deepEqual(
      fake.log.map((r) => r.status),
      [202, 409, 409, 409, 202],
    );
    clock.advance(10_000);
  });

  it('409 that never clears: gives up after the configured attempts, one line', async () => {
    const phala = await connect({ retry: { conflict: { attempts: 3 } } });
    fake.failNext({ status: 409, count: 10 });
    await assert.rejects(phala.patchCvm(vm(), { docker_compose_file: compose }), (e: unknown) => {
      assert.ok(e instanceof PhalaApiError);
      assert.equal(
        e.message,
        `Phala Cloud: patchCvm cvm ${vm()}: HTTP 409 (another operation is in progress; gave up after 3 attempts)`,
      );
      assert.equal(e.kind, 'http');
      assert.equal(e.status, 409);
      assert.equal(e.attempts, 3);
      return true;
    });
    assert.equal(fake.log.length, 3);
  });

  it('429 honours Retry-After', async () => {
    const phala = await connect();
    fake.failNext({ status: 429, retryAfter: 7 });
    await phala.getNetwork(vm());
    assert.deepEqual(clock.sleeps, [7000]);
    assert.deepEqual(
      fake.log.map((r) => r.status),
      [429, 200],
    );
  });

  it('a burst of 5xx on a read is ridden out within the budget', async () => {
    const phala = await connect();
    fake.failNext({ status: 500, count: 2 });
    fake.failNext({ status: 502 });
    await phala.getCvm(vm());
    assert.deepEqual(clock.sleeps, [1000, 2000, 4000]);
    assert.deepEqual(
      fake.log.map((r) => r.status),
      [500, 500, 502, 200],
    );
  });

  it('a Retry-After beyond the budget fails at once, without waiting', async () => {
    const phala = await connect({ retry: { transient: { budgetMs: 10_000 } } });
    fake.failNext({ status: 429, retryAfter: 60 });
    await assert.rejects(
      phala.getContainers(vm()),
      (e: unknown) =>
        e instanceof PhalaApiError &&
        /HTTP 429 \(rate limited; asked to retry after 60 s, beyond the retry budget of 10 s\)$/.test(e.message) &&
        e.attempts === 1,
    );
    assert.deepEqual(clock.sleeps, []);
  });

  it('backoff that would overrun the budget stops before it', async () => {
    const phala = await connect({ retry: { transient: { budgetMs: 5_000 } } });
    fake.failNext({ status: 503, count: 10 });
    await assert.rejects(
      phala.getCvm(vm()),
      /HTTP 503 \(server error; next wait 4\.0 s, beyond the retry budget of 5\.0 s\)$/,
    );
    assert.deepEqual(clock.sleeps, [1000, 2000]);
    assert.equal(fake.log.length, 3);
  });

  it('on a PATCH, a 502 is not repeated (the upgrade may have started); a 503 is', async () => {
    const phala = await connect();
    fake.failNext({ status: 502, method: 'PATCH' });
    await assert.rejects(
      phala.patchCvm(vm(), { docker_compose_file: compose }),
      (e: unknown) =>
        e instanceof PhalaApiError &&
        /HTTP 502 \(server error; the outcome is unknown, read the CVM state\)$/.test(e.message),
    );
    assert.equal(fake.log.length, 1);
    fake.failNext({ status: 503, method: 'PATCH' });
    assert.equal((await phala.patchCvm(vm(), { docker_compose_file: compose })).kind, 'accepted');
    assert.deepEqual(
      fake.log.map((r) => r.status),
      [502, 503, 202],
    );
    clock.advance(10_000);
  });

  it('other errors fail at once; ofetch adds no retry of its own', async () => {
    const phala = await connect({ retry: { transient: { attempts: 1 } } });
    await assert.rejects(
      phala.getCvm('no-such-cvm'),
      /^PhalaApiError: Phala Cloud: getCvmInfo cvm no-such-cvm: HTTP 404 \(not found\)$/,
    );
    fake.failNext({ status: 500 });
    await assert.rejects(phala.getCvm(vm()), /HTTP 500 \(server error; gave up after 1 attempts\)/);
    assert.equal(fake.log.length, 2);
    const wrongKey = await connect({ apiKey: 'phak_wrong_key_123' });
    await assert.rejects(
      wrongKey.getCvm(vm()),
      (e: unknown) =>
        e instanceof PhalaApiError &&
        /HTTP 401 \(the API key was refused\)$/.test(e.message) &&
        !e.message.includes('phak_wrong'),
    );
    assert.deepEqual(clock.sleeps, []);
  });

  it('messages never quote the response body', async () => {
    const phala = await connect({ retry: { transient: { attempts: 2 } } });
    const body = 'BODY-CANARY db password is hunter2';
    fake.failNext({ status: 500, count: 2, detail: body });
    fake.failNext({ status: 422, detail: [{ msg: body, loc: ['body', 'x'], type: 'value_error' }], method: 'PATCH' });
    const clean = (e: unknown) =>
      e instanceof PhalaApiError && !e.message.includes('CANARY') && !e.message.includes(fake.apiKey);
    await assert.rejects(phala.getCvm(vm()), clean);
    await assert.rejects(phala.patchCvm(vm(), { docker_compose_file: compose }), clean);
    assert.deepEqual(
      fake.log.map((r) => r.status),
      [500, 500, 422],
    );
  });

  it('an answer that fails the SDK schema is an error naming the field, not the value', async () => {
    const phala = await connect();
    fake.failNext({ status: 200, detail: 'not a network record', path: /\/network$/ });
    await assert.rejects(phala.getNetwork(vm()), (e: unknown) => {
      assert.ok(e instanceof PhalaApiError);
      assert.equal(e.kind, 'schema');
      assert.match(e.message, /: unexpected answer \(at is_online: invalid_type\)$/);
      return true;
    });
  });

  it('a shared meter with a limit stops requests once spent', async () => {
    const meter = new RequestMeter({ limit: 2 });
    const a = await connect({ meter });
    const b = await connect({ meter });
    await a.getCvm(vm());
    await b.getNetwork(vm());
    await assert.rejects(
      a.getCvm(vm()),
      (e: unknown) => e instanceof PhalaApiError && e.kind === 'budget' && /request limit of 2 reached/.test(e.message),
    );
    assert.equal(fake.log.length, 2);
    assert.equal(meter.snapshot().requests, 2);
  });

  it('an abort during backoff ends the call', async () => {
    const ac = new AbortController();
    const abortingClock = Object.assign(new ManualClock(), {
      sleep: async (_ms: number, signal?: AbortSignal) => {
        ac.abort();
        if (signal?.aborted) throw signal.reason;
      },
    });
    const phala = await connect({ clock: abortingClock });
    fake.failNext({ status: 503 });
    await assert.rejects(
      phala.getCvm(vm(), { signal: ac.signal }),
      (e: unknown) => e instanceof PhalaApiError && e.kind === 'aborted',
    );
  });

  it('no answer at all: one line naming the host, not retried', async () => {
    const port = await new Promise<number>((resolve) => {
      const s = createServer();
      s.listen(0, '127.0.0.1', () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => resolve(p));
      });
    });
    const phala = await connect({ baseURL: `http://127.0.0.1:${port}/api/v1` });
    await assert.rejects(phala.getCvm(vm()), (e: unknown) => {
      assert.ok(e instanceof PhalaApiError);
      assert.equal(e.message, `Phala Cloud: getCvmInfo cvm ${vm()}: could not reach 127.0.0.1:${port}`);
      assert.equal(e.kind, 'network');
      return true;
    });
    assert.equal(phala.meter.requests, 1);
  });
});
