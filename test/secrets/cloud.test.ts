import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fetchEnvPublicKey, fetchDeployedEnv } from '../../src/secrets/cloud.js';
import { x25519PublicFromSecret } from '../../src/secrets/envelope.js';
import { InputError, UsageError } from '../../src/util/errors.js';
import { APP_ID, KMS_SIGNER, signEnvPubkey, startFakeCloud, type FakeCloudState } from './fake-cloud.js';

const envPubkey = x25519PublicFromSecret(crypto.randomBytes(32)).toString('hex');
const state: FakeCloudState = {
  envPubkey,
  allowedEnvs: ['DB_PASSWORD', 'API_KEY'],
  composeText: 'services: {}\n',
  requests: [],
};
let server: Awaited<ReturnType<typeof startFakeCloud>>;
const apiKey = 'test-api-key';

before(async () => {
  server = await startFakeCloud(state);
});
after(() => server.close());

test('--cvm: the key from the CVM record, reported as not signature-checked', async () => {
  const key = await fetchEnvPublicKey({ cvm: 'my-app', apiKey, baseURL: server.baseURL });
  assert.equal(key.publicKey, envPubkey);
  assert.equal(key.verified, false);
  assert.equal(key.appId, APP_ID);
  assert.match(key.note, /not signature-checked/);
  assert.equal(state.requests.at(-1)!.apiKey, apiKey);
});

test('--app-id with --kms: KMS-signed key, signature verified with verifyEnvEncryptPublicKey', async () => {
  const key = await fetchEnvPublicKey({ appId: APP_ID, kms: 'kms-1', apiKey, baseURL: server.baseURL });
  assert.equal(key.publicKey, envPubkey);
  assert.equal(key.verified, true);
  assert.equal(key.signer, KMS_SIGNER);
  assert.match(key.note, /KMS signature verified/);
  assert.ok(state.requests.some((r) => r.url === `/api/v1/kms/kms-1/pubkey/${APP_ID}`));
  const pinned = await fetchEnvPublicKey({
    cvm: 'my-app',
    kms: 'kms-1',
    kmsSigner: KMS_SIGNER,
    apiKey,
    baseURL: server.baseURL,
  });
  assert.equal(pinned.verified, true);
  assert.match(pinned.note, /matches --kms-signer/);
});

test('a bad signature is refused', async () => {
  // Signed by another key: fails against the pinned signer.
  state.signature = signEnvPubkey(envPubkey, APP_ID, Uint8Array.from(Buffer.from('22'.repeat(32), 'hex')));
  await assert.rejects(
    fetchEnvPublicKey({ appId: APP_ID, kms: 'kms-1', kmsSigner: KMS_SIGNER, apiKey, baseURL: server.baseURL }),
    (e: unknown) => e instanceof InputError && /signed by 0x[0-9a-f]+, not by the expected KMS/.test(e.message),
  );
  // Not a signature at all: fails outright.
  state.signature = '00'.repeat(65);
  await assert.rejects(
    fetchEnvPublicKey({ appId: APP_ID, kms: 'kms-1', apiKey, baseURL: server.baseURL }),
    /does not carry a valid KMS signature/,
  );
  state.signature = undefined;
});

test('HTTP errors and a missing API key are one-line errors', async () => {
  await assert.rejects(
    fetchEnvPublicKey({ cvm: 'missing', apiKey, baseURL: server.baseURL }),
    (e: unknown) => e instanceof InputError && /HTTP 404/.test(e.message),
  );
  const saved = { key: process.env.PHALA_CLOUD_API_KEY, home: process.env.HOME };
  delete process.env.PHALA_CLOUD_API_KEY;
  // No `phala login` to fall back on: a HOME without one.
  process.env.HOME = mkdtempSync(join(tmpdir(), 'pf-no-login-'));
  try {
    await assert.rejects(fetchEnvPublicKey({ cvm: 'my-app', baseURL: server.baseURL }), UsageError);
  } finally {
    rmSync(process.env.HOME, { recursive: true, force: true });
    if (saved.key !== undefined) process.env.PHALA_CLOUD_API_KEY = saved.key;
    if (saved.home !== undefined) process.env.HOME = saved.home;
  }
});

test('fetchDeployedEnv reads allowed_envs and the compose text', async () => {
  const deployed = await fetchDeployedEnv('my-app', { apiKey, baseURL: server.baseURL });
  assert.deepEqual(deployed.envKeys, ['DB_PASSWORD', 'API_KEY']);
  assert.equal(deployed.composeText, 'services: {}\n');
});
