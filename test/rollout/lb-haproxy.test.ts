import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname } from 'node:path';
import { after, it } from 'node:test';
import { HaproxyBalancer, type ManagedHaproxy, startManagedHaproxy } from '../../src/rollout/lb/index.js';
import { startLoad } from '../../src/rollout/load/index.js';
import { describeHaproxy } from '../support/haproxy.js';
import { type TestInstance, sleep, startChildInstance, startInstance, until } from '../support/instances.js';

// The real HAProxy, real sockets, real load: 3 loopback servers behind a managed HAProxy.
const RATE = 200;

const cleanups: (() => Promise<void>)[] = [];
after(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => {});
});
async function fleet(n: number, delayMs = 5): Promise<TestInstance[]> {
  const out: TestInstance[] = [];
  for (let i = 0; i < n; i++) {
    const inst = await startInstance('abcdefgh'[i]!, { delayMs });
    cleanups.push(() => inst.close());
    out.push(inst);
  }
  return out;
}
async function managed(opts: Parameters<typeof startManagedHaproxy>[0]): Promise<ManagedHaproxy> {
  const lb = await startManagedHaproxy(opts);
  cleanups.push(() => lb.close());
  return lb;
}

await describeHaproxy('managed HAProxy in front of a local fleet', () => {
  it(`drain, take down, move and enable one instance under ${RATE} req/s: no request fails`, async () => {
    const [a, b, c] = await fleet(3, 20);
    const lb = await managed({ instances: [a!, b!, c!] });
    const load = startLoad({ url: lb.url, rate: RATE, timeoutMs: 5000 });
    try {
      await until(() => a!.hits > 20 && b!.hits > 20 && c!.hits > 20, 10_000, 'traffic on every instance');

      // Drain while A is serving: the call returns only once A's requests are answered.
      await until(() => a!.inFlight > 0, 5000, 'a request in flight on A');
      const drained = await lb.drain('a');
      assert.equal(drained.drained, true);
      assert.equal(drained.evidence, 'sessions');
      assert.equal(a!.inFlight, 0, 'A still has requests in flight after drain returned');
      const hitsAtDrain = a!.hits;
      const othersAtDrain = b!.hits + c!.hits;
      assert.equal((await lb.state()).instances.find((i) => i.instance === 'a')!.admin, 'drain');

      // Load goes on: A gets nothing new, B and C get it all.
      await until(() => b!.hits + c!.hits > othersAtDrain + RATE, 10_000, 'a second of traffic on B and C');
      assert.equal(a!.hits, hitsAtDrain, 'A received requests after it was drained');

      // A goes down and comes back on another port (as an upgraded instance does).
      await a!.close();
      await sleep(300);
      const a2 = await startInstance('a', { delayMs: 20 });
      cleanups.push(() => a2.close());
      await lb.setInstanceUrl('a', a2.url);
      const enabled = await lb.enable('a');
      assert.equal(enabled.instance, 'a');
      await until(() => a2.hits > 50, 10_000, 'traffic on the moved A');
      const st = (await lb.state()).instances.find((i) => i.instance === 'a')!;
      assert.equal(st.admin, 'ready');
      assert.equal(st.operational, 'up');
      assert.equal(st.address, `127.0.0.1:${a2.port}`);
    } finally {
      const summary = await load.stop();
      assert.equal(summary.rate, RATE);
      assert.ok(summary.scheduled >= 2 * RATE, `only ${summary.scheduled} requests offered`);
      assert.deepEqual(summary.failures, {});
      assert.equal(summary.failed, 0);
      assert.equal(summary.availability, 1);
    }
  });

  // An instance that dies while in rotation, with requests in flight. HAProxy's default `retry-on
  // conn-failure` re-sends only requests whose connection failed; the ones the server had taken
  // are lost (502, or the client connection closed without an answer). The managed config adds
  // `empty-response`, so they are re-sent, `redispatch 1` sends them to another server.
  for (const variant of [
    { name: 'managed retry-on (default)', retryOn: undefined, expectFailures: false },
    { name: "HAProxy's own default, retry-on conn-failure", retryOn: ['conn-failure'], expectFailures: true },
  ]) {
    it(`an instance killed with requests in flight, ${variant.name}: ${variant.expectFailures ? 'its in-flight requests fail' : 'no request fails'}`, async () => {
      const a = await startChildInstance('k', 300);
      cleanups.push(() => a.kill());
      const [b, c] = await fleet(2, 5); // ids a, b
      const lb = await managed({ instances: [a, b!, c!], retryOn: variant.retryOn });
      const load = startLoad({ url: lb.url, rate: RATE, timeoutMs: 5000 });
      let inFlightAtKill = 0;
      let summary: Awaited<ReturnType<typeof load.stop>>;
      try {
        await until(
          async () => {
            inFlightAtKill = (await lb.state()).instances.find((i) => i.instance === 'k')!.inFlight ?? 0;
            return inFlightAtKill >= 3;
          },
          10_000,
          'requests in flight on A',
        );
        await a.kill();
        // Until health checks mark A DOWN, new requests still pick it: refused, retried elsewhere.
        await until(async () => (await lb.state()).instances.find((i) => i.instance === 'k')!.operational === 'down');
        const more = b!.hits + c!.hits + RATE / 2;
        await until(() => b!.hits + c!.hits > more, 10_000, 'traffic after A is down');
      } finally {
        summary = await load.stop();
      }
      if (variant.expectFailures) {
        assert.ok(
          summary.failed >= 1,
          'HAProxy default lost no in-flight request: the test did not kill A mid-request',
        );
        // At most what A had when it died, plus what arrived before the kill landed.
        assert.ok(summary.failed <= inFlightAtKill + 10, `${summary.failed} failed, ${inFlightAtKill} were in flight`);
        // HAProxy answers 502 on a client connection's first request, and closes the connection
        // without an answer on a kept-alive one (so that browsers retry): both are failures.
        for (const kind of Object.keys(summary.failures)) assert.ok(['reset', 'status'].includes(kind), kind);
        for (const code of Object.keys(summary.statuses)) assert.ok(['200', '502'].includes(code), code);
      } else {
        assert.deepEqual(summary.failures, {});
        assert.equal(summary.failed, 0);
      }
    });
  }

  it('adds an instance at runtime; it takes traffic once enabled', async () => {
    const [a, b, d] = await fleet(3);
    const lb = await managed({ instances: [a!, b!] });
    await lb.addInstance({ id: 'd', url: d!.url });
    const before = (await lb.state()).instances.find((i) => i.instance === 'd')!;
    assert.equal(before.admin, 'maint');
    const load = startLoad({ url: lb.url, rate: RATE });
    try {
      await sleep(300);
      assert.equal(d!.hits, 0, 'a server added in maintenance got traffic');
      await lb.enable('d');
      await until(() => d!.hits > 20, 10_000, 'traffic on the added instance');
    } finally {
      assert.equal((await load.stop()).failed, 0);
    }
    await assert.rejects(lb.addInstance({ id: 'd', url: d!.url }), /already a server/);
  });

  it('a drain that outlasts its bound is reported with the requests still in flight', async () => {
    const slow = await startInstance('slow', { delayMs: 3000 });
    cleanups.push(() => slow.close());
    const lb = await managed({ instances: [slow], drainTimeoutMs: 200 });
    const load = startLoad({ url: lb.url, rate: 20, timeoutMs: 10_000 });
    try {
      await until(() => slow.inFlight >= 2, 5000, 'slow requests in flight');
      const r = await lb.drain('slow');
      assert.equal(r.drained, false);
      assert.ok((r.inFlight ?? 0) >= 2, `inFlight ${r.inFlight}`);
      assert.ok(r.waitedMs >= 200);
    } finally {
      await load.stop();
    }
  });

  it('enable fails, naming the server and its check, when the instance does not answer', async () => {
    const [a, b] = await fleet(2);
    const lb = await managed({ instances: [a!, b!], enableTimeoutMs: 1500 });
    await lb.drain('a');
    await lb.api.setServerState(lb.backend, 'a', 'maint');
    await lb.setInstanceUrl('a', 'http://127.0.0.1:1');
    await assert.rejects(lb.enable('a'), /fleet\/a \(instance a\) is not UP 1500 ms after enable: status DOWN.*Layer4/);
  });

  it('an existing HAProxy through its runtime API: mapping checked, unknown ids and servers refused', async () => {
    const [a, b] = await fleet(2);
    const lb = await managed({ instances: [a!, b!] });
    const ext = new HaproxyBalancer({
      socket: lb.socketPath,
      backend: 'fleet',
      servers: { 'cvm-1': 'a', 'cvm-2': 'b' },
    });
    await ext.verify();
    const drained = await ext.drain('cvm-1');
    assert.equal(drained.drained, true);
    assert.deepEqual(
      (await ext.state()).instances.map((i) => [i.instance, i.server, i.admin]),
      [
        ['cvm-1', 'a', 'drain'],
        ['cvm-2', 'b', 'ready'],
      ],
    );
    await ext.enable('cvm-1');
    await assert.rejects(ext.drain('cvm-9'), /unknown instance 'cvm-9' \(configured: cvm-1, cvm-2\)/);
    const wrong = new HaproxyBalancer({ socket: lb.socketPath, backend: 'fleet', servers: { x: 'nope' } });
    await assert.rejects(wrong.verify(), /backend 'fleet' has no server 'nope' \(instance x\)/);
    await assert.rejects(wrong.drain('x'), /set server fleet\/nope state drain: No such server/);
    const noBackend = new HaproxyBalancer({ socket: lb.socketPath, backend: 'other', servers: { x: 'a' } });
    await assert.rejects(noBackend.verify(), /no backend 'other'/);
    const noSocket = new HaproxyBalancer({ socket: `${lb.socketPath}.missing`, backend: 'fleet', servers: { x: 'a' } });
    await assert.rejects(noSocket.state(), /runtime API at .*missing: ENOENT/);
    assert.throws(
      () => new HaproxyBalancer({ socket: lb.socketPath, backend: 'fleet;x', servers: {} }),
      /invalid backend name/,
    );
  });

  it('start errors name the cause; close stops HAProxy and removes its files, once', async () => {
    const [a] = await fleet(1);
    // A port someone else holds: HAProxy's own ALERT line says so.
    const holder = createServer();
    await new Promise<void>((r) => holder.listen(0, '127.0.0.1', r));
    const port = (holder.address() as { port: number }).port;
    cleanups.push(() => new Promise((r) => holder.close(() => r())));
    await assert.rejects(startManagedHaproxy({ instances: [a!], port }), /haproxy stopped at start.*cannot bind/i);
    await assert.rejects(
      startManagedHaproxy({ instances: [a!], binary: '/nonexistent/haproxy' }),
      /did not print a version/,
    );
    await assert.rejects(
      startManagedHaproxy({ instances: [{ id: 'x', url: 'https://127.0.0.1:1' }] }),
      /instance x: only http:\/\/ URLs/,
    );
    await assert.rejects(startManagedHaproxy({ instances: [a!], retryOn: ['sometimes'] }), /unknown retry-on keyword/);
    await assert.rejects(startManagedHaproxy({ instances: [a!, a!] }), /instance id 'a' given twice/);

    const lb = await startManagedHaproxy({ instances: [a!] });
    const dir = dirname(lb.configPath);
    const pid = lb.pid!;
    assert.ok(existsSync(lb.socketPath));
    await lb.close();
    await lb.close();
    assert.equal(existsSync(dir), false);
    assert.throws(() => process.kill(pid, 0), /ESRCH/);
  });
});
