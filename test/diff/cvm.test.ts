import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { cvmDirName, diffCvm } from '../../src/diff/cvm.js';
import { InputError, UsageError } from '../../src/util/errors.js';
import { startFakeCloud, type FakeCloudState } from '../secrets/fake-cloud.js';
import { runCli } from '../secrets/run-cli.js';

// `preflight diff --cvm ID NEW`: OLD is what the CVM runs now, served by the fake Phala Cloud API.
const DEPLOYED = [
  'services:',
  '  db:',
  '    image: postgres:16',
  '    environment:',
  '      POSTGRES_PASSWORD: ${DB_PASSWORD}',
  '    volumes:',
  '      - data:/var/lib/postgresql/data',
  '      - cache:/cache',
  'volumes:',
  '  data: {}',
  '  cache: {}',
  '',
].join('\n');
const RENAMED = DEPLOYED.replace('- data:', '- pgdata:')
  .replace('  data: {}', '  pgdata: {}')
  .replace('      - cache:/cache\n', '')
  .replace('  cache: {}\n', '');
const SAME = DEPLOYED;

const state: FakeCloudState = {
  envPubkey: 'ab'.repeat(32),
  allowedEnvs: ['DB_PASSWORD', 'OLD_TOKEN'],
  composeText: DEPLOYED,
  requests: [],
};
let server: Awaited<ReturnType<typeof startFakeCloud>>;
const root = mkdtempSync(join(tmpdir(), 'pf-diff-cvm-'));
const apiKey = 'test-key';

/** A NEW project directory under root (with a new.env beside it when env is given). */
function newApp(name: string, compose: string, env?: string): string {
  const dir = join(root, name);
  mkdirSync(dir);
  writeFileSync(join(dir, 'docker-compose.yml'), compose);
  if (env !== undefined) writeFileSync(join(dir, 'new.env'), env);
  return dir;
}

/** Runs fn with TMPDIR pointing at a fresh directory and returns what is left in it afterwards. */
async function leftInTmp(fn: () => Promise<unknown>): Promise<string[]> {
  const tmp = mkdtempSync(join(root, 'tmp-'));
  const saved = process.env.TMPDIR;
  process.env.TMPDIR = tmp;
  try {
    await fn().catch(() => undefined);
  } finally {
    if (saved === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = saved;
  }
  return readdirSync(tmp);
}

before(async () => {
  server = await startFakeCloud(state);
});
after(async () => {
  await server.close();
  rmSync(root, { recursive: true, force: true });
});

describe('diffCvm (library)', () => {
  it('NEW renaming the deployed volume: volume-renamed, and OLD files named after the CVM', async () => {
    const dir = newApp('renamed', RENAMED, 'DB_PASSWORD=pw-value-1\nOLD_TOKEN=tok-value-2\n');
    const r = await diffCvm('my-app', '.', { cwd: dir, newEnvFile: 'new.env', apiKey, baseURL: server.baseURL });
    const renamed = r.report.findings.filter((f) => f.ruleId === 'volume-renamed');
    assert.equal(renamed.length, 1, r.report.findings.map((f) => f.ruleId).join());
    assert.equal(renamed[0]!.file, 'docker-compose.yml', 'points at NEW');
    assert.match(renamed[0]!.message, /dstack_data/);
    assert.match(renamed[0]!.message, /dstack_pgdata/);
    // What NEW no longer has is shown in the CVM's file.
    const removed = r.report.findings.find((f) => f.ruleId === 'volume-removed');
    assert.equal(removed?.file, 'cvm-my-app/app-compose.json#docker_compose_file');
    assert.match(removed?.message ?? '', /cache/);
    assert.deepEqual(r.report.targets[0], {
      dir: 'cvm-my-app',
      files: ['cvm-my-app/app-compose.json#docker_compose_file'],
      deploymentSource: 'app-compose.json',
      services: 1,
    });
    assert.deepEqual(
      r.report.findings.filter((f) => f.ruleId.startsWith('secret')),
      [],
      'the new set keeps every deployed key',
    );
    assert.ok(!JSON.stringify(r.report).includes('value-'), 'no secret value in the report');
    assert.equal(state.requests.at(-1)?.url, '/api/v1/cvms/my-app/compose_file');
    assert.equal(state.requests.at(-1)?.apiKey, apiKey);
  });

  it("a deployed allowed_envs key the new env file lacks: secret-dropped, sourced from the CVM's allowed_envs", async () => {
    const dir = newApp('dropped', SAME, 'DB_PASSWORD=pw\n');
    const r = await diffCvm('my-app', '.', { cwd: dir, newEnvFile: 'new.env', apiKey, baseURL: server.baseURL });
    const dropped = r.report.findings.filter((f) => f.ruleId === 'secret-dropped');
    assert.equal(dropped.length, 1, r.report.findings.map((f) => f.ruleId).join());
    assert.match(dropped[0]!.message, /OLD_TOKEN/);
    assert.match(dropped[0]!.message, /allowed_envs of cvm-my-app\/app-compose\.json/);
    assert.equal(dropped[0]!.severity, 'error');
  });

  it('removes its temp directory on success and when the deployed compose does not load', async () => {
    const dir = newApp('tmp-check', SAME, 'DB_PASSWORD=pw\nOLD_TOKEN=t\n');
    assert.deepEqual(
      await leftInTmp(() =>
        diffCvm('my-app', dir, { newEnvFile: join(dir, 'new.env'), apiKey, baseURL: server.baseURL }),
      ),
      [],
    );
    const saved = state.composeText;
    state.composeText = 'services: [\n';
    try {
      await assert.rejects(
        diffCvm('my-app', dir, { apiKey, baseURL: server.baseURL }),
        (e: unknown) => e instanceof InputError && /^cvm-my-app\/app-compose\.json#docker_compose_file/.test(e.message),
      );
      assert.deepEqual(await leftInTmp(() => diffCvm('my-app', dir, { apiKey, baseURL: server.baseURL })), []);
    } finally {
      state.composeText = saved;
    }
  });

  it('HTTP 404 and a missing API key are one-line user errors', async () => {
    const dir = newApp('errors', SAME);
    await assert.rejects(
      diffCvm('missing', dir, { apiKey, baseURL: server.baseURL }),
      (e: unknown) => e instanceof InputError && /HTTP 404/.test(e.message),
    );
    const saved = { key: process.env.PHALA_CLOUD_API_KEY, home: process.env.HOME };
    delete process.env.PHALA_CLOUD_API_KEY;
    process.env.HOME = join(root, 'no-login-home');
    try {
      await assert.rejects(diffCvm('my-app', dir, { baseURL: server.baseURL }), UsageError);
    } finally {
      if (saved.key !== undefined) process.env.PHALA_CLOUD_API_KEY = saved.key;
      if (saved.home !== undefined) process.env.HOME = saved.home;
    }
  });

  it('names the directory safely after any CVM id', () => {
    assert.equal(cvmDirName('app_0123abcd'), 'cvm-app_0123abcd');
    assert.equal(cvmDirName('../x/y'), 'cvm-.._x_y');
  });
});

describe('preflight diff --cvm (CLI)', () => {
  const env = (vars: Record<string, string | undefined>) => {
    const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
    for (const [k, v] of Object.entries(vars)) v === undefined ? delete process.env[k] : (process.env[k] = v);
    return () => {
      for (const [k, v] of Object.entries(saved)) v === undefined ? delete process.env[k] : (process.env[k] = v);
    };
  };
  let restore: () => void;
  before(() => {
    restore = env({ PHALA_CLOUD_API_PREFIX: server.baseURL, PHALA_CLOUD_API_KEY: apiKey, NO_COLOR: '1' });
  });
  after(() => restore());

  it('exits 1 on the renamed volume and shows the CVM file by name', async () => {
    const dir = newApp('cli-renamed', RENAMED);
    const r = await runCli(['diff', '--cvm', 'my-app', dir]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stdout, /volume-renamed/);
    assert.match(r.stdout, /cvm-my-app\/app-compose\.json#docker_compose_file/);
    const j = await runCli(['diff', '--cvm', 'my-app', dir, '--format', 'json']);
    assert.equal(JSON.parse(j.stdout).targets[0].dir, 'cvm-my-app');
  });

  it('no API key: exit 2 with one line', async () => {
    const dir = newApp('cli-nokey', SAME);
    // An empty HOME: no `phala login` to fall back on either.
    const undo = env({ PHALA_CLOUD_API_KEY: undefined, PHALA_CLOUD_DIR: undefined, HOME: join(root, 'no-login-home') });
    try {
      const r = await runCli(['diff', '--cvm', 'my-app', dir]);
      assert.equal(r.code, 2);
      assert.equal(r.stdout, '');
      assert.equal(
        r.stderr,
        'preflight: reading from Phala Cloud needs an API key: set PHALA_CLOUD_API_KEY or log in with `phala login`\n',
      );
    } finally {
      undo();
    }
  });

  it('HTTP 404: exit 2 with one line', async () => {
    const dir = newApp('cli-404', SAME);
    const r = await runCli(['diff', '--cvm', 'missing', dir]);
    assert.equal(r.code, 2);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /^preflight: Phala Cloud: GET \/cvms\/missing\/compose_file failed with HTTP 404\n$/);
  });

  it('--cvm with two positional arguments, or no --cvm with one, is a usage error (exit 2, one line)', async () => {
    const dir = newApp('cli-usage', SAME);
    const before = state.requests.length;
    const both = await runCli(['diff', '--cvm', 'my-app', dir, dir]);
    assert.equal(both.code, 2);
    assert.match(both.stderr, /^preflight: with --cvm ID give only NEW: preflight diff --cvm ID NEW\n$/);
    const one = await runCli(['diff', dir]);
    assert.equal(one.code, 2);
    assert.match(one.stderr, /^preflight: give OLD and NEW/);
    assert.equal(state.requests.length, before, 'no call to the cloud on a usage error');
  });
});
