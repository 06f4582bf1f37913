import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { REPO_ROOT } from '../support/cli.js';

/**
 * The launcher as npm installs it (`npm install -g` links bin/preflight.js into a prefix's bin/),
 * run as a user runs it: an `--env-file` argument reaches Preflight only. Node 20 would otherwise
 * load the file itself, NODE_OPTIONS included, before Preflight starts (nodejs/node#54232).
 */
const dir = mkdtempSync(join(tmpdir(), 'preflight-launcher-'));
const prefix = join(dir, 'prefix');
const marker = join(dir, 'code-ran');
const hostile = join(dir, 'hostile.env');
const installed = join(prefix, 'bin', 'preflight');

before(() => {
  writeFileSync(join(dir, 'payload.cjs'), `require('fs').writeFileSync(${JSON.stringify(marker)}, 'ran');\n`);
  writeFileSync(hostile, `NODE_OPTIONS=--require ${join(dir, 'payload.cjs')}\nDB_PASSWORD=x\n`);
  const r = spawnSync('npm', ['install', '-g', '--prefix', prefix, REPO_ROOT, '--offline', '--ignore-scripts'], {
    encoding: 'utf8',
    timeout: 120_000,
  });
  assert.equal(r.status, 0, `npm install -g failed: ${r.stderr}`);
  mkdirSync(join(dir, 'app'));
  writeFileSync(join(dir, 'app', 'compose.yaml'), 'services:\n  web:\n    image: nginx:1.27\n');
});
after(() => rmSync(dir, { recursive: true, force: true }));

function run(args: string[]) {
  // The user's shell runs the linked launcher; nothing of the test runner's Node options leaks in.
  const env = { ...process.env };
  delete env.NODE_OPTIONS;
  return spawnSync(installed, args, { cwd: dir, env, encoding: 'utf8', timeout: 30_000 });
}

describe('the installed launcher and --env-file', () => {
  const commands: [string, string[]][] = [
    ['check', ['check', 'app', '--env-file', hostile]],
    ['check (=form)', ['check', 'app', `--env-file=${hostile}`]],
    ['diff', ['diff', 'app', 'app', '--env-file', hostile]],
    ['secrets plan', ['secrets', 'plan', 'app', '--env-file', hostile, '--previous', join(dir, 'none.lock')]],
    ['secrets encrypt', ['secrets', 'encrypt', '--env-file', hostile, '--pubkey', '00'.repeat(32)]],
    ['drill restart', ['drill', 'restart', 'app', '--env-file', hostile, '--rounds', 'x']],
  ];
  for (const [name, args] of commands) {
    it(`${name}: a hostile env file runs no code`, () => {
      rmSync(marker, { force: true });
      const r = run(args);
      assert.equal(existsSync(marker), false, `NODE_OPTIONS from the env file ran code under ${name}`);
      assert.doesNotMatch(r.stderr, /^node:/m, 'Node itself read the option');
    });
  }

  it('a missing env file is Preflight’s own one-line error, exit 2', () => {
    const r = run(['check', 'app', '--env-file', join(dir, 'missing.env')]);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /^preflight: .*missing\.env: no such file\n$/);
  });

  it('a directory given as the env file is Preflight’s own one-line error, exit 2', () => {
    const r = run(['check', 'app', '--env-file', join(dir, 'app')]);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /^preflight: [^\n]*\n$/);
    assert.doesNotMatch(r.stderr, /^node:/m);
  });
});
