import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { privateKeyToAccount } from 'viem/accounts';
import type { RolloutReport } from '../../src/findings/rollout.js';
import { BUILT_CLI } from '../support/cli.js';
import { FakeChain } from '../support/fake-chain.js';
import { fleetProjectSuite } from './support/phala-fleet.js';

/**
 * `rollout run --private-key-env` on an on-chain KMS, through the built CLI against the fake Phala
 * API and a fake chain: the report on stdout stays JSON (the SDK's console.log is muted), the key
 * shows nowhere (stdout, stderr, any file of the run), a dead RPC fails like any failed rollout,
 * and the process killed around the transaction (journaled but not sent; sent but not mined;
 * mined but not confirmed) resumes to the target with one transaction in all.
 */
const KEY = `0x${'3c'.repeat(32)}`;
const OWNER = privateKeyToAccount(KEY as `0x${string}`).address;
const KEY_VAR = 'PF_TEST_APP_OWNER_KEY';

/** A simulated on-chain fleet, its fake chain, and the CLI on them (every output kept for the leak check). */
function onChainProject() {
  const ctx = { chain: undefined as unknown as FakeChain, outputs: [] as string[] };
  const suite = fleetProjectSuite('pf-rollout-onchain-', '', {
    onChainKms: true,
    verifyTransaction: (tx, hash) => ctx.chain.registered(tx, hash),
  });
  before(async () => {
    ctx.chain = await FakeChain.start({
      contract: suite.sim.fake.fleet.appId,
      owner: OWNER,
      allowedHashes: suite.sim.fake.fleet.allowedHashes,
    });
  });
  after(() => ctx.chain?.close());

  const cli = (
    args: string[],
    o: {
      killAt?: string;
      rpcUrl?: string;
      env?: Record<string, string>;
      onSpawn?: (c: ChildProcess) => void;
      /** How the key is given (default: `--private-key-env` naming the variable that holds it). */
      keyArgs?: string[];
    } = {},
  ) =>
    new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve) => {
      const child = spawn(
        process.execPath,
        [
          BUILT_CLI,
          'rollout',
          ...args,
          '--fleet',
          'fleet.yml',
          '--run-dir',
          'runs',
          '--format',
          'json',
          ...(o.keyArgs ?? ['--private-key-env', KEY_VAR]),
          '--rpc-url',
          o.rpcUrl ?? ctx.chain.url,
        ],
        {
          cwd: suite.dir,
          env: {
            ...process.env,
            PHALA_CLOUD_API_KEY: suite.sim.fake.apiKey,
            PHALA_CLOUD_API_PREFIX: suite.sim.fake.baseURL,
            [KEY_VAR]: KEY,
            ...(o.killAt ? { PREFLIGHT_STEPS_KILL_AT: o.killAt } : {}),
            ...o.env,
          },
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      o.onSpawn?.(child);
      let stdout = '';
      let stderr = '';
      child.stdout!.on('data', (b) => (stdout += b));
      child.stderr!.on('data', (b) => (stderr += b));
      child.on('close', (code, signal) => {
        ctx.outputs.push(stdout, stderr);
        resolve({ code, signal, stdout, stderr });
      });
    });

  return { suite, cli, ctx };
}

describe('rollout --private-key-env through the CLI: one clean run', () => {
  const { suite, cli, ctx } = onChainProject();

  it('registers, confirms, and the JSON report on stdout parses (the SDK prints the receipt logs; muted)', async () => {
    const r = await cli(['run']);
    assert.equal(r.code, 0, r.stderr.slice(-600));
    assert.ok(!/topics|ComposeHashAdded/.test(r.stdout + r.stderr), 'the receipt logs were printed');
    const report = JSON.parse(r.stdout) as RolloutReport;
    assert.equal(report.status, 'passed', JSON.stringify(report.findings));
    assert.equal(ctx.chain.mined.length, 1);
    assert.equal(report.onChain?.[0]?.txHash, ctx.chain.mined[0]!.hash);
    assert.ok(suite.sim.fake.fleet.replicas.every((x) => x.composeHash === report.targetVersion));
    for (const k of [KEY, KEY.slice(2)]) assert.ok(!ctx.outputs.join('').includes(k));
  });
});

describe('rollout --private-key KEY through the CLI: accepted, with a warning', () => {
  const { suite, cli, ctx } = onChainProject();

  it('both --private-key and --private-key-env: a usage error, nothing sent', async () => {
    const r = await cli(['run'], { keyArgs: ['--private-key', KEY, '--private-key-env', KEY_VAR] });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--private-key and --private-key-env both name a key: give one/);
    assert.equal(suite.sim.fake.log.filter((l) => l.method === 'PATCH').length, 0);
  });

  it('registers and confirms as with the variable; warns once that the key is in the process list', async () => {
    const r = await cli(['run'], { keyArgs: ['--private-key', KEY], env: { [KEY_VAR]: '' } });
    assert.equal(r.code, 0, r.stderr.slice(-600));
    assert.equal(r.stderr.match(/warning: --private-key puts the key in the process list/g)?.length, 1);
    const report = JSON.parse(r.stdout) as RolloutReport;
    assert.equal(report.status, 'passed', JSON.stringify(report.findings));
    assert.equal(ctx.chain.mined.length, 1);
    assert.ok(suite.sim.fake.fleet.replicas.every((x) => x.composeHash === report.targetVersion));
    for (const k of [KEY, KEY.slice(2)]) assert.ok(!ctx.outputs.join('').includes(k), 'the key leaked');
  });
});

describe('rollout --private-key-env through the CLI (fake API, fake chain)', () => {
  const { suite, cli, ctx } = onChainProject();
  const outputs = ctx.outputs;

  it('a bad key variable is a usage error that does not quote it', async () => {
    const unset = await cli(['run'], { env: { [KEY_VAR]: '' } });
    assert.equal(unset.code, 2);
    assert.match(unset.stderr, new RegExp(`the environment variable ${KEY_VAR} is not set`));
    const bad = await cli(['run'], { env: { [KEY_VAR]: 'not-a-key-but-a-secret' } });
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /does not hold a private key/);
    assert.ok(!bad.stderr.includes('not-a-key-but-a-secret'));
    assert.equal(suite.sim.fake.log.filter((l) => l.method === 'PATCH').length, 0);
  });

  it('the RPC down: the run fails with one finding line and exit 1, as a failed rollout; nothing is sent', async () => {
    const closed = http.createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(closed.address() as AddressInfo).port}/`;
    await new Promise((r) => closed.close(r));
    const r = await cli(['run'], { rpcUrl: url });
    assert.equal(r.code, 1, r.stderr.slice(-400));
    const report = JSON.parse(r.stdout) as RolloutReport;
    assert.equal(report.status, 'failed');
    assert.deepEqual(
      report.findings.map((f) => f.ruleId),
      ['rollout-onchain-registration-failed'],
    );
    assert.match(report.findings[0]!.message, /the RPC at 127\.0\.0\.1:\d+ did not answer/);
    assert.ok(!/\n\s+at /.test(r.stderr), 'no stack trace');
    assert.equal(ctx.chain.broadcasts.length, 0);
  });

  it('killed before the send, after the send, after the receipt: resumed to the target, one transaction', async () => {
    const first = await cli(['run'], { killAt: 'instance-onchain-sending:1' });
    assert.equal(first.signal, 'SIGKILL', first.stderr.slice(-400));
    assert.equal(ctx.chain.broadcasts.length, 0, 'journaled, never sent');
    const runDir = join(
      suite.dir,
      'runs',
      readdirSync(join(suite.dir, 'runs'))
        .filter((d) => d.startsWith('rollout-'))
        .sort()
        .at(-1)!,
    );
    const journal = () => readFileSync(join(runDir, 'journal.jsonl'), 'utf8');
    const sending = journal()
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { type: string; phase?: string; txHash?: string })
      .find((e) => e.type === 'onchain-tx' && e.phase === 'sending');
    assert.ok(sending?.txHash, 'the transaction hash is in the journal before it went out');

    let killedOnSend = false;
    const second = await cli(['resume'], {
      onSpawn: (child) => {
        ctx.chain.onAccepted = () => {
          killedOnSend = true;
          child.kill('SIGKILL');
        };
      },
    });
    ctx.chain.onAccepted = undefined;
    assert.ok(killedOnSend && second.signal === 'SIGKILL', second.stderr.slice(-400));
    const third = await cli(['resume'], { killAt: 'instance-onchain-mined:1' });
    assert.equal(third.signal, 'SIGKILL', third.stderr.slice(-400));
    assert.equal(suite.sim.fake.log.filter((l) => l.confirm).length, 0, 'not confirmed yet');

    const last = await cli(['resume']);
    assert.equal(last.code, 0, last.stderr.slice(-600));
    const report = JSON.parse(last.stdout) as RolloutReport;
    assert.equal(report.status, 'passed', JSON.stringify(report.findings));
    // One transaction, the one journaled first; sent again only as the same bytes.
    assert.equal(ctx.chain.mined.length, 1);
    assert.equal(ctx.chain.mined[0]!.hash, sending!.txHash);
    assert.ok(ctx.chain.broadcasts.every((b) => b.hash === sending!.txHash));
    assert.deepEqual(report.onChain, [
      { registered: `compose-hash:${report.targetVersion}`, txHash: sending!.txHash, phase: 'mined' },
    ]);
    const confirms = suite.sim.fake.log.filter((l) => l.confirm);
    assert.deepEqual(
      confirms.map((l) => [l.status, l.confirm!.transactionHash]),
      [202, 202, 202].map((s) => [s, sending!.txHash]),
    );
    assert.ok(suite.sim.fake.fleet.replicas.every((r) => r.composeHash === report.targetVersion));
    assert.deepEqual(
      report.instances.map((i) => [i.phase, i.upgradeRequests]),
      [
        ['done', 1],
        ['done', 1],
        ['done', 1],
      ],
    );
  });

  it('the key is in no output and no file of any run', () => {
    const files: string[] = [];
    const walk = (d: string) => {
      for (const n of readdirSync(d)) {
        const p = join(d, n);
        if (statSync(p).isDirectory()) walk(p);
        else files.push(p);
      }
    };
    walk(suite.dir);
    assert.ok(files.some((f) => f.endsWith('journal.jsonl')));
    assert.ok(outputs.length >= 12);
    const texts = [...outputs, ...files.map((f) => readFileSync(f, 'latin1'))];
    for (const k of [KEY, KEY.slice(2)])
      assert.ok(
        texts.every((t) => !t.includes(k)),
        'the key leaked',
      );
  });
});
