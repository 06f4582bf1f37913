/** `preflight agent` end to end: start, answer the SDK, stop on SIGTERM leaving no socket; bad input exits 2. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { chmodSync, existsSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DstackClient } from '@phala/dstack-sdk';
import { rawCall, tempDir } from './helpers.js';

const CLI = ['--import', 'tsx', '--', join(import.meta.dirname, 'run-cli.ts')];

function startCli(args: string[]): {
  child: ChildProcessWithoutNullStreams;
  output: () => string;
  ready: Promise<void>;
} {
  const child = spawn(process.execPath, [...CLI, 'agent', ...args]);
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (out += d));
  const ready = new Promise<void>((resolve, reject) => {
    const check = () => (out.includes('Ctrl-C or SIGTERM') ? resolve() : undefined);
    child.stdout.on('data', check);
    child.once('exit', (code) => reject(new Error(`agent exited early (${code}): ${out}`)));
  });
  return { child, output: () => out, ready };
}

const exitOf = (child: ChildProcessWithoutNullStreams) =>
  new Promise<number | null>((resolve) =>
    child.exitCode !== null ? resolve(child.exitCode) : child.once('exit', (code) => resolve(code)),
  );

describe('preflight agent (CLI)', () => {
  it('listens, answers GetKey, prints the request, exits 0 on SIGTERM and removes its socket', async () => {
    const t = tempDir();
    const socket = join(t.dir, 'dstack.sock');
    const state = join(t.dir, 'state.json');
    const { child, output, ready } = startCli([
      '--socket',
      socket,
      '--tcp',
      '0',
      '--state',
      state,
      '--app-id',
      '0x' + 'ab'.repeat(20),
    ]);
    try {
      await ready;
      assert.match(output(), new RegExp(`listening on unix:${socket}`));
      assert.match(output(), /listening on http:\/\/127\.0\.0\.1:\d+/);
      assert.match(output(), /SIMULATED/);
      assert.equal(statSync(socket).mode & 0o777, 0o666);
      const key = await new DstackClient(socket).getKey('/db', 'encryption');
      assert.equal(key.key.length, 32);
      assert.equal(statSync(state).mode & 0o777, 0o600);
      await new Promise((r) => setTimeout(r, 50));
      assert.match(output(), /key \/GetKey path="\/db" purpose="encryption" secp256k1/);
      assert.ok(!output().includes(Buffer.from(key.key).toString('hex')), 'private key never printed');
      assert.match(output(), /dstack OS 0\.6\.0/);
      await new DstackClient(socket).emitEvent('app-started', 'x');
      await new Promise((r) => setTimeout(r, 50));
      assert.match(output(), /call EmitEvent: not served by dstack 0\.6\.0 \(removed in dstack 0\.6\.0\)/);
      child.kill('SIGTERM');
      assert.equal(await exitOf(child), 0);
      assert.ok(!existsSync(socket), 'socket removed');
      assert.match(output(), /stopped/);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      t.cleanup();
    }
  });

  it('stops on SIGINT too', async () => {
    const t = tempDir();
    const socket = join(t.dir, 's.sock');
    const { child, ready } = startCli(['--socket', socket, '--quiet']);
    try {
      await ready;
      assert.equal((await rawCall(socket, '/Info', '{}')).status, 200);
      child.kill('SIGINT');
      assert.equal(await exitOf(child), 0);
      assert.ok(!existsSync(socket));
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      t.cleanup();
    }
  });

  it('exits 2 with one line for bad input', () => {
    const t = tempDir();
    try {
      writeFileSync(join(t.dir, 'corrupt.json'), 'garbage');
      writeFileSync(join(t.dir, 'locked.json'), '{}');
      chmodSync(join(t.dir, 'locked.json'), 0o000);
      const cases: [string[], RegExp][] = [
        [['--socket', join(t.dir, 'a.sock'), '--app-id', 'nothex'], /app id must be hex/],
        [['--socket', join(t.dir, 'missing', 'a.sock')], /for the socket does not exist/],
        [
          ['--socket', join(t.dir, 'a.sock'), '--state', join(t.dir, 'corrupt.json')],
          /corrupt\.json:1: the state file is not valid JSON/,
        ],
        [['--socket', join(t.dir, 'a.sock'), '--tcp', 'abc'], /--tcp must be a port/],
        [['--socket', join(t.dir, 'a.sock'), '--key-provider', 'sgx'], /--key-provider must be/],
        [['--socket', join(t.dir, 'a.sock'), '--os-version', 'latest'], /OS version must look like 0\.5\.11/],
        [[], /--socket PATH and\/or --tcp PORT/],
      ];
      if (process.getuid?.() !== 0)
        cases.push([
          ['--socket', join(t.dir, 'a.sock'), '--state', join(t.dir, 'locked.json')],
          /cannot read the state file/,
        ]);
      for (const [args, message] of cases) {
        const res = spawnSync(process.execPath, [...CLI, 'agent', ...args], { encoding: 'utf8', timeout: 30_000 });
        assert.equal(res.status, 2, `${args.join(' ')}: ${res.stderr}`);
        assert.match(res.stderr, message);
        assert.equal(res.stderr.trim().split('\n').length, 1, `one line: ${res.stderr}`);
        assert.ok(!res.stderr.includes('    at '), 'no stack trace');
      }
      assert.ok(!existsSync(join(t.dir, 'a.sock')));
    } finally {
      t.cleanup();
    }
  });
});
