import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import { fetchDeployedEnv, fetchEnvPublicKey } from '../../src/secrets/cloud.js';
import { InputError, UsageError } from '../../src/util/errors.js';
import { APP_ID, cvmInfo, type FakeCloudState, startFakeCloud } from './fake-cloud.js';
import { runCli } from './run-cli.js';

// Issue 11: `--cvm` / `--app-id` / `--kms` went into API paths as given, so `--cvm 'x/../../etc'`
// sent the API key to another endpoint. Each is now checked against the API's id forms first.
const state: FakeCloudState = {
  envPubkey: 'ab'.repeat(32),
  allowedEnvs: ['DB_PASSWORD'],
  composeText: 'services: {}\n',
  requests: [],
};
let server: Awaited<ReturnType<typeof startFakeCloud>>;
const apiKey = 'test-api-key';
const root = mkdtempSync(join(tmpdir(), 'pf-secrets-ids-'));
const HOSTILE = ['x/../../etc', '../kms/k/pubkey', 'my-app/../../auth/me', 'my-app?x=1', 'my%2Fapp', '..', 'a b'];

before(async () => {
  server = await startFakeCloud(state);
});
after(async () => {
  await server.close();
  rmSync(root, { recursive: true, force: true });
});
beforeEach(() => {
  state.requests.length = 0;
});

describe('secrets: ids are checked before any request', () => {
  it('a hostile --cvm, --app-id or --kms is refused with one line, and nothing is sent', async () => {
    const opts = { apiKey, baseURL: server.baseURL };
    for (const bad of HOSTILE) {
      await assert.rejects(fetchEnvPublicKey({ cvm: bad, ...opts }), /^UsageError: --cvm .* is not a CVM id/);
      await assert.rejects(fetchEnvPublicKey({ appId: bad, ...opts }), /^UsageError: --app-id .* is not an app id/);
      await assert.rejects(
        fetchEnvPublicKey({ appId: APP_ID, kms: bad, ...opts }),
        /^UsageError: --kms .* is not a KMS id/,
      );
      await assert.rejects(fetchDeployedEnv(bad, opts), /^UsageError: --cvm .* is not a CVM id/);
    }
    assert.deepEqual(state.requests, []);
  });

  it('valid ids reach their own path; app_… and 0x… app ids are accepted for the KMS', async () => {
    const opts = { apiKey, baseURL: server.baseURL };
    await fetchEnvPublicKey({ cvm: 'my-app', ...opts });
    await fetchEnvPublicKey({ appId: `app_${APP_ID}`, kms: 'kms-1', ...opts });
    await fetchEnvPublicKey({ appId: `0x${APP_ID}`, ...opts });
    await fetchDeployedEnv('my-app', opts);
    assert.deepEqual(
      state.requests.map((r) => r.url),
      [
        '/api/v1/cvms/my-app',
        `/api/v1/kms/kms-1/pubkey/${APP_ID}`,
        `/api/v1/cvms/app_${APP_ID}`,
        '/api/v1/cvms/my-app/compose_file',
      ],
    );
  });

  it('an app_id in the CVM record that is not an app id is not put into the KMS path', async () => {
    // A record whose app_id would climb out of /kms/…/pubkey/ (the SDK's schema takes any string).
    const hits: string[] = [];
    const evil = http.createServer((req, res) => {
      hits.push(req.url ?? '');
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ ...(cvmInfo(state) as object), app_id: '../../auth/me' }));
    });
    await new Promise<void>((resolve) => evil.listen(0, '127.0.0.1', resolve));
    const baseURL = `http://127.0.0.1:${(evil.address() as AddressInfo).port}/api/v1`;
    try {
      await assert.rejects(
        fetchEnvPublicKey({ cvm: 'my-app', kms: 'kms-1', apiKey, baseURL }),
        (e: unknown) => e instanceof InputError && /unexpected answer \(at app_id: not 40 hex digits\)/.test(e.message),
      );
      assert.deepEqual(hits, ['/api/v1/cvms/my-app']);
    } finally {
      evil.closeAllConnections();
      evil.close();
    }
  });
});

describe('secrets: the key from the phala CLI login', () => {
  const saved = { ...process.env };
  after(() => {
    for (const k of ['HOME', 'PHALA_CLOUD_API_KEY', 'PHALA_CLOUD_DIR', 'PHALA_CLOUD_API_PREFIX']) {
      if (saved[k] === undefined) delete process.env[k];
      else process.env[k] = saved[k];
    }
  });

  it('is used when PHALA_CLOUD_API_KEY is not set, and goes to the profile api_prefix', async () => {
    const home = join(root, 'home');
    mkdirSync(join(home, '.phala-cloud'), { recursive: true });
    writeFileSync(
      join(home, '.phala-cloud', 'credentials.json'),
      JSON.stringify({
        schema_version: 1,
        current_profile: 'team',
        profiles: { team: { token: 'cli-saved-key', api_prefix: server.baseURL } },
      }),
      { mode: 0o600 },
    );
    process.env.HOME = home;
    delete process.env.PHALA_CLOUD_API_KEY;
    delete process.env.PHALA_CLOUD_DIR;
    delete process.env.PHALA_CLOUD_API_PREFIX;
    const key = await fetchEnvPublicKey({ cvm: 'my-app' });
    assert.equal(key.publicKey, state.envPubkey);
    assert.deepEqual(state.requests, [{ url: '/api/v1/cvms/my-app', apiKey: 'cli-saved-key' }]);
  });

  it('the CLI refuses a hostile --cvm in one line, exit 2, before any request', async () => {
    process.env.PHALA_CLOUD_API_KEY = apiKey;
    process.env.PHALA_CLOUD_API_PREFIX = server.baseURL;
    const r = await runCli(['secrets', 'encrypt', 'A=1', '--cvm', 'x/../../etc']);
    assert.equal(r.code, 2);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /^preflight: --cvm "x\/\.\.\/\.\.\/etc" is not a CVM id: expected a UUID[^\n]*\n$/);
    assert.deepEqual(state.requests, []);
    assert.ok(!r.stderr.includes(apiKey));
  });

  it('no key anywhere: one line saying what to do', async () => {
    delete process.env.PHALA_CLOUD_API_KEY;
    process.env.HOME = join(root, 'empty-home');
    await assert.rejects(
      fetchEnvPublicKey({ cvm: 'my-app', baseURL: server.baseURL }),
      (e: unknown) => e instanceof UsageError && /set PHALA_CLOUD_API_KEY or log in with `phala login`/.test(e.message),
    );
  });
});
