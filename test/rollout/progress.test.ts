import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { PassThrough } from 'node:stream';
import { describe, it } from 'node:test';
import { initialRolloutState, reduceRollout } from '../../src/rollout/events.js';
import { JsonLinesProgress, NotifyProgress, TableProgress } from '../../src/rollout/progress.js';

const change = { type: 'instance', instance: 'local-1', phase: 'drained', at: 1 } as const;

describe('rollout progress', () => {
  it('JSON lines: one object per state change', () => {
    const out = new PassThrough();
    let text = '';
    out.on('data', (b) => (text += b));
    const p = new JsonLinesProgress(out);
    p.event(change);
    p.event({ type: 'paused', reason: 'canary', at: 2 });
    const lines = text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    assert.deepEqual(
      lines.map((l) => [l.type, l.phase ?? l.reason]),
      [
        ['instance', 'drained'],
        ['paused', 'canary'],
      ],
    );
  });

  it('--notify POSTs each state change as JSON; a failing endpoint is counted, never fatal', async () => {
    const got: unknown[] = [];
    let status = 204;
    const server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        got.push({ method: req.method, type: req.headers['content-type'], body: JSON.parse(body) });
        res.writeHead(status).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
    const p = new NotifyProgress(url);
    p.event(change);
    await p.close();
    status = 500;
    p.event({ type: 'paused', reason: 'x', at: 3 });
    await p.close();
    server.close();
    assert.equal(got.length, 2);
    assert.deepEqual(got[0], {
      method: 'POST',
      type: 'application/json',
      body: { ...(got[0] as { body: object }).body, ...change, source: 'preflight-rollout' },
    });
    assert.equal(p.failures, 1);
    const dead = new NotifyProgress('http://127.0.0.1:9/none');
    dead.event(change);
    await dead.close();
    assert.equal(dead.failures, 1);
  });
});

describe('rollout progress on a terminal', () => {
  it('one row per instance, redrawn in place, the pause and the last gate answer shown', () => {
    const out = Object.assign(new PassThrough(), { columns: 100 }) as unknown as NodeJS.WriteStream & PassThrough;
    let text = '';
    out.on('data', (b) => (text += b));
    const p = new TableProgress(out);
    let s = reduceRollout(initialRolloutState(), {
      type: 'fleet',
      targetVersion: 'b'.repeat(64),
      instances: [
        { id: 'local-1', name: 'local-1', version: 'a'.repeat(64) },
        { id: 'local-2', name: 'local-2', version: 'a'.repeat(64) },
      ],
    });
    s = reduceRollout(s, change);
    p.event(change, s);
    p.gate('local-1', 'http /health', 'fail', 'HTTP 503');
    const paused = { type: 'paused', reason: 'canary upgraded', at: 2 } as const;
    s = reduceRollout(s, paused);
    p.event(paused, s);
    const frames = text.split('\x1b[4A');
    assert.equal(frames.length, 3, 'each redraw moves up over the 4 lines it drew before');
    const last = frames
      .at(-1)!
      .split('\n')
      .map((l) => l.replace('\x1b[2K', ''));
    assert.equal(last[0], 'PAUSED: canary upgraded');
    assert.match(last[2]!, /^local-1\s+drained\s+aaaaaaaaaaaa http \/health: fail \(HTTP 503\)$/);
    assert.match(last[3]!, /^local-2\s+pending\s+aaaaaaaaaaaa\s*$/);
    assert.ok(
      last.every((l) => l.length <= 99),
      'no line wider than the terminal',
    );
  });
});
