import assert from 'node:assert/strict';
import http from 'node:http';
import { type AddressInfo, createServer } from 'node:net';
import { after, describe, it } from 'node:test';
import { LatencyHistogram, percentileSorted, runLoad, startLoad } from '../../src/rollout/load/index.js';
import { RequestLog, RunStats } from '../../src/rollout/load/recorder.js';

/** A loopback server with a handler; records when each request arrived (ms since it started). */
async function server(handler: http.RequestListener) {
  const arrivals: number[] = [];
  const t0 = performance.now();
  const s = http.createServer((req, res) => {
    arrivals.push(performance.now() - t0);
    handler(req, res);
  });
  s.keepAliveTimeout = 30_000;
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  servers.push(s);
  return { url: `http://127.0.0.1:${(s.address() as AddressInfo).port}/`, arrivals, t0 };
}
const servers: http.Server[] = [];
after(() => {
  for (const s of servers) {
    s.closeAllConnections();
    s.close();
  }
});
const ok: http.RequestListener = (_req, res) => res.end('ok');

describe('load generator', () => {
  it('offers the rate it was given: request count over the run and inside a window', async () => {
    const srv = await server(ok);
    const start = performance.now() - srv.t0;
    const s = await runLoad({ url: srv.url, rate: 100, durationMs: 2000 });
    assert.equal(s.scheduled, 200);
    assert.equal(s.sent, 200);
    assert.equal(s.ok, 200);
    assert.equal(s.availability, 1);
    assert.deepEqual(s.statuses, { '200': 200 });
    // What the server saw in the middle second: the rate, within 35 % (a generator that sends in one burst puts
    // 0 or 200 there; a stalled event loop on a loaded test machine sends the requests it missed late, not never).
    const window = srv.arrivals.filter((t) => t >= start + 500 && t < start + 1500).length;
    assert.ok(window >= 65 && window <= 135, `${window} requests in a 1 s window at 100 req/s`);
    assert.deepEqual(
      s.timeline.map((t) => [t.second, t.scheduled, t.ok, t.failed, t.availability]),
      [
        [0, 100, 100, 0, 1],
        [1, 100, 100, 0, 1],
      ],
    );
    assert.ok(s.timeline.every((t) => t.p50Ms !== null && t.p99Ms !== null && t.p50Ms <= t.p99Ms));
  });

  it('is open-loop: a slow server does not lower the offered rate', async () => {
    const srv = await server((_req, res) => setTimeout(() => res.end('slow'), 600));
    const start = performance.now() - srv.t0;
    const s = await runLoad({ url: srv.url, rate: 50, durationMs: 500, timeoutMs: 5000 });
    assert.equal(s.scheduled, 25);
    assert.equal(s.ok, 25);
    // The requests arrived before the first answer could have come back (a closed loop would send 1; a loaded
    // machine may deliver the last one or two a little later).
    const beforeFirstAnswer = srv.arrivals.filter((t) => t < start + 600).length;
    assert.ok(beforeFirstAnswer >= 20, `${beforeFirstAnswer} of 25 requests arrived before the first answer`);
  });

  it('bounds requests in flight; a request due at the bound fails as in-flight-limit, unsent', async () => {
    const srv = await server((_req, res) => setTimeout(() => res.end('slow'), 1500));
    const s = await runLoad({ url: srv.url, rate: 100, durationMs: 500, maxInFlight: 10, timeoutMs: 5000 });
    assert.equal(s.scheduled, 50);
    assert.equal(s.sent, 10);
    assert.equal(s.ok, 10);
    assert.equal(s.failed, 40);
    assert.deepEqual(s.failures, { 'in-flight-limit': 40 });
    assert.equal(srv.arrivals.length, 10);
    assert.equal(s.availability, 10 / 50);
  });

  it('counts timeouts, refused connections, resets and rejected statuses as failures, by reason', async () => {
    const hang = await server(() => {});
    const t = await runLoad({ url: hang.url, rate: 50, durationMs: 200, timeoutMs: 150 });
    assert.deepEqual(t.failures, { timeout: 10 });
    assert.equal(t.ok, 0);
    assert.deepEqual(t.latencyMs, { p50: null, p90: null, p99: null, max: null, mean: null, samples: 0 });

    const reset = await server((req) => req.socket.destroy());
    assert.deepEqual((await runLoad({ url: reset.url, rate: 50, durationMs: 200 })).failures, { reset: 10 });

    // A port nothing listens on: taken and released.
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as AddressInfo).port;
    await new Promise((r) => probe.close(r));
    assert.deepEqual((await runLoad({ url: `http://127.0.0.1:${port}/`, rate: 50, durationMs: 200 })).failures, {
      refused: 10,
    });

    const unavailable = await server((_req, res) => {
      res.statusCode = 503;
      res.end();
    });
    const u = await runLoad({ url: unavailable.url, rate: 50, durationMs: 200 });
    assert.deepEqual(u.failures, { status: 10 });
    assert.deepEqual(u.statuses, { '503': 10 });
    // Must not fire: the caller's predicate decides what success is.
    const accepted = await runLoad({ url: unavailable.url, rate: 50, durationMs: 200, accept: (c) => c === 503 });
    assert.equal(accepted.failed, 0);
    // Redirects count as success by default.
    const moved = await server((_req, res) => {
      res.writeHead(302, { location: '/elsewhere' });
      res.end();
    });
    assert.equal((await runLoad({ url: moved.url, rate: 50, durationMs: 200 })).ok, 10);
  });

  it('keeps at most maxRecords records; every figure still counts every request', async () => {
    const srv = await server(ok);
    const run = startLoad({ url: srv.url, rate: 500, durationMs: 400, maxRecords: 50 });
    const s = await run.done;
    assert.equal(s.scheduled, 200);
    assert.equal(s.ok, 200);
    assert.deepEqual(s.records, { kept: 50, dropped: 150 });
    assert.equal(s.latencyMs.samples, 200);
    assert.equal(
      s.timeline.reduce((n, t) => n + t.scheduled, 0),
      200,
    );
    const records = [...run.records()];
    assert.equal(records.length, 50);
    assert.ok(records.every((r) => r.outcome === 'ok' && r.status === 200 && r.latencyMs > 0 && r.lagMs >= 0));
  });

  it('runs until stop() or the signal when no duration is given', async () => {
    const srv = await server(ok);
    const run = startLoad({ url: srv.url, rate: 200 });
    await new Promise((r) => setTimeout(r, 300));
    const live = run.progress();
    assert.ok(live.scheduled > 0);
    const s = await run.stop();
    assert.equal(s.scheduled, s.ok);
    assert.equal(await run.stop(), s, 'stop() twice resolves with the same summary');
    const arrived = srv.arrivals.length;
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(srv.arrivals.length, arrived, 'requests after stop()');

    const ac = new AbortController();
    const aborted = startLoad({ url: srv.url, rate: 200, signal: ac.signal });
    setTimeout(() => ac.abort(), 100);
    const a = await aborted.done;
    assert.ok(a.scheduled > 0 && a.failed === 0);
  });

  it('refuses options that describe no run', () => {
    assert.throws(() => startLoad({ url: 'http://127.0.0.1:1/', rate: 0 }), /rate must be a positive number/);
    assert.throws(() => startLoad({ url: 'http://127.0.0.1:1/', rate: 10, maxInFlight: 0 }), /maxInFlight/);
    assert.throws(() => startLoad({ url: 'ftp://127.0.0.1/', rate: 10 }), /only http/);
    assert.throws(() => startLoad({ url: 'http://127.0.0.1:1/', rate: 10, durationMs: -1 }), /durationMs/);
  });
});

describe('latency figures', () => {
  it('histogram percentiles of 1…1000 ms are the nearest-rank ones, within 0.05 %', () => {
    const h = new LatencyHistogram();
    // Shuffled, so order does not matter.
    const values = Array.from({ length: 1000 }, (_, i) => i + 1).sort(
      (a, b) => ((a * 7919) % 1000) - ((b * 7919) % 1000),
    );
    for (const v of values) h.record(v);
    const close = (got: number | null, want: number) =>
      assert.ok(got !== null && Math.abs(got - want) <= want * 0.0005, `got ${got}, want ${want}`);
    close(h.percentile(50), 500);
    close(h.percentile(90), 900);
    close(h.percentile(99), 990);
    close(h.percentile(100), 1000);
    assert.equal(h.max, 1000);
    assert.equal(h.mean, 500.5);
    assert.equal(h.count, 1000);
    // Sub-millisecond values are exact to the microsecond.
    const fine = new LatencyHistogram();
    for (const v of [0.25, 0.5, 1.5, 2.001]) fine.record(v);
    assert.equal(fine.percentile(50), 0.5);
    assert.equal(fine.percentile(75), 1.5);
    assert.equal(new LatencyHistogram().percentile(50), null);
  });

  it('exact percentiles of a sorted array', () => {
    const sorted = Float64Array.from({ length: 100 }, (_, i) => i + 1);
    assert.equal(percentileSorted(sorted, 50), 50);
    assert.equal(percentileSorted(sorted, 99), 99);
    assert.equal(percentileSorted(sorted, 100), 100);
    assert.equal(percentileSorted([7], 99), 7);
    assert.equal(percentileSorted([], 50), null);
  });

  it('per-second timeline: requests by the second they were due, exact percentiles, out-of-order completion', () => {
    const stats = new RunStats();
    const log = new RequestLog(10);
    // Second 0: 4 requests, one fails; second 1: 2 requests, one finishes after second 2 began.
    const s0 = [0, 250, 500, 750].map((t) => stats.due(t));
    stats.complete(s0[0]!, 'ok', 10, 0, 200);
    stats.complete(s0[1]!, 'ok', 20, 0, 200);
    stats.complete(s0[2]!, 'status', 5, 0, 500);
    const late = stats.due(1000);
    stats.due(1500);
    stats.complete(s0[3]!, 'ok', 40, 0, 200);
    stats.complete(1, 'ok', 30, 0, 200);
    stats.due(2000);
    stats.complete(2, 'timeout', 5000, 0, 0);
    stats.complete(late, 'ok', 900, 0, 200);
    const s = stats.summary(4, Date.UTC(2026, 0, 1), 3000, log);
    assert.deepEqual(
      s.timeline.map((t) => [t.second, t.scheduled, t.ok, t.failed, t.availability, t.p50Ms, t.p99Ms]),
      [
        [0, 4, 3, 1, 0.75, 20, 40],
        [1, 2, 2, 0, 1, 30, 900],
        [2, 1, 0, 1, 0, null, null],
      ],
    );
    assert.deepEqual(s.failures, { status: 1, timeout: 1 });
    assert.deepEqual(s.statuses, { '200': 5, '500': 1 });
    assert.equal(s.scheduled, 7);
    assert.equal(s.failed, 2);
    assert.equal(s.startedAt, '2026-01-01T00:00:00.000Z');
  });
});
