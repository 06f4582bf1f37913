import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { type GateSpec, loadJsonPath } from '../../src/rollout/config.js';
import { makeGates, watchGates } from '../../src/rollout/gates/index.js';
import { ManualClock } from '../support/fake-phala/index.js';

/** A health endpoint whose answer the test sets; counts the requests it got. */
class Endpoint {
  answer: { status: number; body: string } = { status: 200, body: '{"status":"ok"}' };
  /** Answer by request number instead (1-based). */
  script?: (n: number) => { status: number; body: string };
  hits = 0;
  url = '';
  readonly server = http.createServer((_req, res) => {
    this.hits++;
    const a = this.script ? this.script(this.hits) : this.answer;
    res.writeHead(a.status, { 'content-type': 'application/json' });
    res.end(a.body);
  });
  async start() {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }
  close() {
    this.server.closeAllConnections();
    return new Promise((r) => this.server.close(r));
  }
}

const httpGate = (over: Partial<Extract<GateSpec, { kind: 'http' }>> = {}): GateSpec => ({
  kind: 'http',
  name: 'health',
  path: '/health',
  method: 'GET',
  status: 200,
  successes: 1,
  intervalMs: 1000,
  timeoutMs: 2000,
  ...over,
});
const signal = new AbortController().signal;

describe('rollout gates', () => {
  const ep = new Endpoint();
  const prom = new Endpoint();
  before(async () => {
    await loadJsonPath();
    await ep.start();
    await prom.start();
  });
  after(async () => {
    await ep.close();
    await prom.close();
  });
  const target = () => ({ instance: 'i1', name: 'replica-1', url: ep.url });

  it('http: status and a JSON-path condition, each way', async () => {
    const [g] = makeGates([httpGate({ jsonPath: '$.status', equals: { value: 'ok' } })]);
    ep.answer = { status: 200, body: '{"status":"ok"}' };
    assert.deepEqual(await g!.evaluate(target(), signal), { outcome: 'pass', detail: '$.status is "ok"' });
    ep.answer = { status: 200, body: '{"status":"starting"}' };
    assert.deepEqual(await g!.evaluate(target(), signal), {
      outcome: 'fail',
      detail: '$.status is "starting", expected "ok"',
    });
    ep.answer = { status: 503, body: '{"status":"ok"}' };
    assert.equal((await g!.evaluate(target(), signal)).detail, 'HTTP 503 (expected 200)');
    ep.answer = { status: 200, body: 'fine' };
    assert.equal((await g!.evaluate(target(), signal)).detail, 'HTTP 200, answer is not JSON');
    const [filter] = makeGates([httpGate({ jsonPath: '$.checks[?@.ok == false]' })]);
    ep.answer = { status: 200, body: '{"checks":[{"ok":true}]}' };
    assert.equal((await filter!.evaluate(target(), signal)).outcome, 'fail');
    ep.answer = { status: 200, body: '{"checks":[{"ok":true},{"ok":false}]}' };
    assert.equal((await filter!.evaluate(target(), signal)).outcome, 'pass');
  });

  it('http: an instance that is not listening fails, it is not inconclusive', async () => {
    const [g] = makeGates([httpGate()]);
    const closed = new Endpoint();
    await closed.start();
    await closed.close();
    const r = await g!.evaluate({ ...target(), url: closed.url }, signal);
    assert.deepEqual(r, { outcome: 'fail', detail: 'connection refused' });
  });

  it('command: exit 0 passes, another exit fails, a missing program is inconclusive; placeholders filled', async () => {
    const spec = (command: string[]): GateSpec => ({
      kind: 'command',
      name: 'cmd',
      command,
      intervalMs: 1000,
      timeoutMs: 5000,
    });
    const [ok, bad, missing] = makeGates([
      spec(['sh', '-c', 'test "$1" = i1 && test "$PREFLIGHT_INSTANCE_URL" = "$2"', 'sh', '{{instance}}', '{{url}}']),
      spec(['sh', '-c', 'echo not ready >&2; exit 3']),
      spec(['/nonexistent/gate-program']),
    ]);
    assert.deepEqual(await ok!.evaluate(target(), signal), { outcome: 'pass', detail: 'exit 0' });
    assert.deepEqual(await bad!.evaluate(target(), signal), { outcome: 'fail', detail: 'exit 3: not ready' });
    assert.equal((await missing!.evaluate(target(), signal)).outcome, 'inconclusive');
  });

  it('prometheus: a threshold on every series of an instant query; no series or an error is inconclusive', async () => {
    const [g] = makeGates([
      {
        kind: 'prometheus',
        name: 'errors',
        url: prom.url,
        query: 'rate(errors{instance="{{instance}}"}[1m])',
        below: 0.05,
        intervalMs: 1000,
        timeoutMs: 2000,
      },
    ]);
    const vector = (...values: string[]) => ({
      status: 200,
      body: JSON.stringify({
        status: 'success',
        data: {
          resultType: 'vector',
          result: values.map((v, i) => ({ metric: { pod: `p${i}` }, value: [1735689600, v] })),
        },
      }),
    });
    let lastQuery = '';
    prom.script = undefined;
    prom.server.removeAllListeners('request');
    let next = vector('0.01');
    prom.server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
      lastQuery = new URL(req.url!, 'http://x').searchParams.get('query') ?? '';
      res.writeHead(next.status, { 'content-type': 'application/json' });
      res.end(next.body);
    });
    assert.deepEqual(await g!.evaluate(target(), signal), { outcome: 'pass', detail: 'value 0.01' });
    assert.equal(lastQuery, 'rate(errors{instance="i1"}[1m])');
    next = vector('0.01', '0.2');
    assert.deepEqual(await g!.evaluate(target(), signal), { outcome: 'fail', detail: 'value 0.2 is not below 0.05' });
    next = vector();
    assert.equal((await g!.evaluate(target(), signal)).outcome, 'inconclusive');
    next = vector('NaN');
    assert.equal((await g!.evaluate(target(), signal)).outcome, 'inconclusive');
    next = { status: 400, body: JSON.stringify({ status: 'error', errorType: 'bad_data', error: 'parse error' }) };
    assert.deepEqual(await g!.evaluate(target(), signal), { outcome: 'inconclusive', detail: 'Prometheus: bad_data' });
    next = {
      status: 200,
      body: JSON.stringify({ status: 'success', data: { resultType: 'scalar', result: [1, '7'] } }),
    };
    assert.equal((await g!.evaluate(target(), signal)).outcome, 'fail');
  });

  it('needs N consecutive successes: a failure in between starts the count again', async () => {
    const clock = new ManualClock();
    // pass, fail, pass, pass, pass
    ep.script = (n) => (n === 2 ? { status: 503, body: '{}' } : { status: 200, body: '{}' });
    ep.hits = 0;
    const v = await watchGates(makeGates([httpGate({ successes: 3 })]), target(), {
      minHealthyTimeMs: 0,
      deadlineAt: clock.now() + 60_000,
      signal,
      clock,
    });
    assert.equal(v.outcome, 'pass');
    assert.equal(ep.hits, 5);
    ep.script = undefined;
  });

  it('min_healthy_time catches a version that passes, then fails 5 s later', async () => {
    const clock = new ManualClock();
    const start = clock.now();
    ep.script = () => (clock.now() - start < 5000 ? { status: 200, body: '{}' } : { status: 500, body: '{}' });
    const v = await watchGates(makeGates([httpGate()]), target(), {
      minHealthyTimeMs: 10_000,
      deadlineAt: start + 60_000,
      signal,
      clock,
    });
    assert.equal(v.outcome, 'fail');
    assert.ok(v.outcome === 'fail' && v.phase === 'min-healthy-time' && v.afterHealthyMs === 5000);
    assert.equal(v.outcome === 'fail' && v.detail, 'HTTP 500 (expected 200)');
    // The same version with a min_healthy_time shorter than its failure passes: the setting is what catches it.
    const again = clock.now();
    ep.script = () => (clock.now() - again < 5000 ? { status: 200, body: '{}' } : { status: 500, body: '{}' });
    const short = await watchGates(makeGates([httpGate()]), target(), {
      minHealthyTimeMs: 3000,
      deadlineAt: again + 60_000,
      signal,
      clock,
    });
    assert.equal(short.outcome, 'pass');
    ep.script = undefined;
  });

  it('a gate that never passes fails at the healthy deadline with its last answer', async () => {
    const clock = new ManualClock();
    ep.answer = { status: 503, body: '{}' };
    const v = await watchGates(makeGates([httpGate()]), target(), {
      minHealthyTimeMs: 10_000,
      deadlineAt: clock.now() + 30_000,
      signal,
      clock,
    });
    assert.equal(v.outcome, 'fail');
    assert.ok(v.outcome === 'fail' && v.deadline && v.phase === 'healthy');
    assert.equal(v.outcome === 'fail' && v.evaluations, 31);
    ep.answer = { status: 200, body: '{"status":"ok"}' };
  });
});
