/** The key log drills rely on, compareKeyLogs, and startAgentForDrill. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { DstackClient, TappdClient } from '@phala/dstack-sdk';
import {
  AGENT_SOCKET_TARGETS,
  compareKeyLogs,
  parseKeyLog,
  startAgent,
  startAgentForDrill,
  type KeyLogEntry,
} from '../../src/agent/index.js';
import { quietly, tempDir } from './helpers.js';

const entry = (over: Partial<KeyLogEntry>): KeyLogEntry => ({
  time: '2025-01-01T00:00:00.000Z',
  endpoint: '/GetKey',
  path: '/db',
  purpose: 'encryption',
  algorithm: 'secp256k1',
  publicKeyHex: '02aa',
  stable: true,
  appId: 'ab',
  ...over,
});

describe('key log', () => {
  it('records every key request (accessor, event, JSONL) with public keys only', async () => {
    const t = tempDir();
    const seen: KeyLogEntry[] = [];
    const agent = await startAgent({
      socketPath: join(t.dir, 'a.sock'),
      keyLogPath: join(t.dir, 'keys.jsonl'),
      appId: 'aa'.repeat(20),
    });
    const unsubscribe = agent.onKeyRequest((e) => seen.push(e));
    try {
      const c = new DstackClient(agent.socketPath);
      const key = await c.getKey('/db', 'encryption');
      await c.getKey('/db', 'encryption', 'ed25519');
      await c.getTlsKey({ subject: 'x' });
      await c.sign('secp256k1', 'data');
      await quietly(async () => (await quietly(async () => new TappdClient(agent.socketPath))).deriveKey('/legacy'));
      await c.getQuote('no key here');
      unsubscribe();
      await c.getKey('/after-unsubscribe');

      const log = agent.keyLog;
      assert.deepEqual(
        log.map((e) => [e.endpoint, e.path, e.purpose, e.algorithm, e.stable]),
        [
          ['/GetKey', '/db', 'encryption', 'secp256k1', true],
          ['/GetKey', '/db', 'encryption', 'ed25519', true],
          ['/GetTlsKey', '', 'x', 'p256', false],
          ['/Sign', 'vms', 'signing', 'secp256k1', true],
          ['/prpc/Tappd.DeriveKey', '/legacy', '/legacy', 'p256', true],
          ['/GetKey', '/after-unsubscribe', '', 'secp256k1', true],
        ],
      );
      assert.equal(seen.length, 5);
      assert.ok(log.every((e) => e.appId === 'aa'.repeat(20) && !Number.isNaN(Date.parse(e.time))));
      const privateHex = Buffer.from(key.key).toString('hex');
      const fileText = readFileSync(join(t.dir, 'keys.jsonl'), 'utf8');
      assert.ok(!fileText.includes(privateHex), 'no private key in the log file');
      assert.deepEqual(parseKeyLog(fileText), log);
      // The accessor hands out a copy.
      agent.keyLog.pop();
      assert.equal(agent.keyLog.length, 6);
    } finally {
      await agent.close();
      t.cleanup();
    }
  });
});

describe('compareKeyLogs', () => {
  it('lists requests whose public key changed, ignoring one-sided and per-call keys', () => {
    const before = [
      entry({ path: '/db', publicKeyHex: '02aa' }),
      entry({ path: '/same', publicKeyHex: '02bb' }),
      entry({ path: '/gone', publicKeyHex: '02cc' }),
      entry({ endpoint: '/GetTlsKey', algorithm: 'p256', publicKeyHex: '04aa', stable: false }),
    ];
    const after = [
      entry({ path: '/db', publicKeyHex: '02dd' }),
      entry({ path: '/same', publicKeyHex: '02bb' }),
      entry({ path: '/same', publicKeyHex: '02bb' }),
      entry({ path: '/new', publicKeyHex: '02ee' }),
      entry({ path: '/db', algorithm: 'ed25519', publicKeyHex: 'ff' }),
      entry({ endpoint: '/GetTlsKey', algorithm: 'p256', publicKeyHex: '04bb', stable: false }),
    ];
    const snapshot = JSON.stringify([before, after]);
    assert.deepEqual(compareKeyLogs(before, after), [
      {
        endpoint: '/GetKey',
        path: '/db',
        purpose: 'encryption',
        algorithm: 'secp256k1',
        before: ['02aa'],
        after: ['02dd'],
      },
    ]);
    assert.equal(JSON.stringify([before, after]), snapshot, 'inputs untouched');
    assert.deepEqual(compareKeyLogs(before, before), []);
    assert.deepEqual(compareKeyLogs([], after), []);
    // Same path, another purpose is another request.
    assert.deepEqual(
      compareKeyLogs([entry({ purpose: 'a', publicKeyHex: '01' })], [entry({ purpose: 'b', publicKeyHex: '02' })]),
      [],
    );
  });
});

describe('startAgentForDrill', () => {
  it('serves a 0666 socket in the run dir; keys survive an agent restart (kms) and change with provider none', async () => {
    const t = tempDir();
    try {
      const run = async (keyProvider: 'kms' | 'none') => {
        const drill = await startAgentForDrill({ dir: t.dir, appId: '11'.repeat(20), keyProvider });
        try {
          assert.equal(statSync(drill.socketPath).mode & 0o777, 0o666);
          assert.ok(statSync(drill.socketPath).isSocket());
          await new DstackClient(drill.socketPath).getKey('/data', 'encryption');
          return drill.keyLog;
        } finally {
          await drill.close();
        }
      };
      assert.deepEqual(AGENT_SOCKET_TARGETS, ['/var/run/dstack.sock', '/var/run/tappd.sock']);
      const first = await run('kms');
      const second = await run('kms');
      assert.deepEqual(compareKeyLogs(first, second), []);
      assert.equal(statSync(join(t.dir, 'agent-state.json')).mode & 0o777, 0o600);
      const unstable = await run('none');
      const changes = compareKeyLogs(second, unstable);
      assert.equal(changes.length, 1);
      assert.equal(changes[0]!.path, '/data');
      const drill = await startAgentForDrill({ dir: t.dir, appId: '11'.repeat(20) });
      try {
        assert.equal(drill.readKeyLogFile().length, 3, 'the JSONL file accumulates across restarts');
      } finally {
        await drill.close();
      }
    } finally {
      t.cleanup();
    }
  });
});

describe('socket permissions', () => {
  it('let a non-root user connect (as a container user would through a bind mount)', async () => {
    const t = tempDir();
    chmodSync(t.dir, 0o755); // only the socket's own mode should matter, as it does in a bind mount
    const drill = await startAgentForDrill({ dir: t.dir });
    try {
      const script = `require('http').request({ socketPath: ${JSON.stringify(drill.socketPath)}, path: '/Version', method: 'POST' },
        (r) => { let b = ''; r.on('data', (d) => (b += d)); r.on('end', () => console.log(r.statusCode, b)); }).end('{}')`;
      // As root, run the client as `nobody`; otherwise this process already is a non-root user.
      const asNobody = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
      // Async spawn: the agent runs in this process and must keep serving meanwhile.
      const child = spawn(process.execPath, ['-e', script], { ...asNobody });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d));
      child.stderr.on('data', (d: Buffer) => (stderr += d));
      const status = await new Promise<number | null>((resolve) => child.once('exit', resolve));
      assert.equal(status, 0, stderr);
      assert.match(stdout, /^200 .*preflight-agent-simulated/);
    } finally {
      await drill.close();
      t.cleanup();
    }
  });
});
