import { test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { mkdtempSync, writeFileSync, readFileSync, statSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './run-cli.js';
import { decryptEnvBlob, x25519PublicFromSecret } from '../../src/secrets/envelope.js';
import { useFakeCloud, KMS_SIGNER, APP_ID, type FakeCloudState } from './fake-cloud.js';

const secret = crypto.randomBytes(32);
const pub = x25519PublicFromSecret(secret).toString('hex');
const dir = mkdtempSync(join(tmpdir(), 'preflight-secrets-cli-'));
const state: FakeCloudState = {
  envPubkey: pub,
  allowedEnvs: ['DB_PASSWORD', 'OLD_TOKEN'],
  composeText: 'services:\n  app:\n    image: x\n    environment:\n      P: ${DB_PASSWORD}\n',
  requests: [],
};
useFakeCloud(state, dir);

test('encrypt: --env-file to stdout, decryptable', async () => {
  writeFileSync(join(dir, 'a.env'), 'export DB_PASSWORD="multi\\nline"\nAPI_KEY=abc # comment\n');
  const r = await runCli(['secrets', 'encrypt', '--env-file', join(dir, 'a.env'), '--pubkey', '0x' + pub]);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(decryptEnvBlob(r.stdout.trim(), secret), [
    { key: 'DB_PASSWORD', value: 'multi\nline' },
    { key: 'API_KEY', value: 'abc' },
  ]);
  assert.match(r.stderr, /NOT verified/);
  assert.match(r.stderr, /env_keys \/ allowed_envs: DB_PASSWORD, API_KEY/);
});

test('encrypt: KEY=VALUE args, --format json, --cvm via the API', async () => {
  const r = await runCli([
    'secrets',
    'encrypt',
    'A=1',
    'B=two',
    '--cvm',
    'my-app',
    '--kms',
    'kms-1',
    '--kms-signer',
    KMS_SIGNER,
    '--format',
    'json',
  ]);
  assert.equal(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  assert.deepEqual(j.env_keys, ['A', 'B']);
  assert.equal(j.public_key, pub);
  assert.equal(j.verified, true);
  assert.equal(j.signer, KMS_SIGNER);
  assert.match(j.note, new RegExp(`verified for app ${APP_ID}`));
  assert.deepEqual(decryptEnvBlob(j.encrypted_env, secret), [
    { key: 'A', value: '1' },
    { key: 'B', value: 'two' },
  ]);
});

test('encrypt: --out writes 0600 and refuses to overwrite without --force', async () => {
  const out = join(dir, 'blob.hex');
  let r = await runCli(['secrets', 'encrypt', 'A=1', '--pubkey', pub, '--out', out]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, '');
  assert.equal(statSync(out).mode & 0o777, 0o600);
  assert.deepEqual(decryptEnvBlob(readFileSync(out, 'utf8'), secret), [{ key: 'A', value: '1' }]);
  r = await runCli(['secrets', 'encrypt', 'A=2', '--pubkey', pub, '--out', out]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /already exists; pass --force/);
  r = await runCli(['secrets', 'encrypt', 'A=2', '--pubkey', pub, '--out', out, '--force']);
  assert.equal(r.code, 0);
  assert.deepEqual(decryptEnvBlob(readFileSync(out, 'utf8'), secret), [{ key: 'A', value: '2' }]);
});

test('encrypt: input and usage errors exit 2 with one line', async () => {
  const cases: Array<[string[], RegExp]> = [
    [['secrets', 'encrypt', '1BAD=x', '--pubkey', pub], /"1BAD" is not a valid variable name/],
    [['secrets', 'encrypt', 'A=1'], /exactly one of --pubkey, --cvm or --app-id/],
    [['secrets', 'encrypt', '--pubkey', pub], /nothing to encrypt/],
    [['secrets', 'encrypt', 'justavalue', '--pubkey', pub], /argument 1 is not of the form KEY=VALUE/],
    [['secrets', 'encrypt', 'A=1', '--pubkey', 'abc'], /32 bytes of hex/],
    [['secrets', 'encrypt', 'A=1', '--cvm', 'missing'], /HTTP 404/],
  ];
  for (const [args, re] of cases) {
    const r = await runCli(args);
    assert.equal(r.code, 2, args.join(' '));
    assert.match(r.stderr, re);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  }
});

function project(name: string, compose: string, env: string): string {
  writeFileSync(join(dir, `${name}.yml`), compose);
  writeFileSync(join(dir, `${name}.env`), env);
  return join(dir, `${name}.yml`);
}

test('plan: lockfile round trip, dropped blocks, --allow-drop, --write-lock only when not blocking', async () => {
  const compose = project(
    'p1',
    'services:\n  app:\n    image: x\n    environment:\n      A: ${DB_PASSWORD:?need}\n      B: ${LOG_LEVEL:-info}\n',
    'DB_PASSWORD=one\nOLD=1\n',
  );
  const lock = join(dir, 'p1.lock');
  let r = await runCli([
    'secrets',
    'plan',
    compose,
    '--env-file',
    join(dir, 'p1.env'),
    '--write-lock',
    lock,
    '--format',
    'json',
  ]);
  assert.equal(r.code, 0, r.stderr + r.stdout);
  let j = JSON.parse(r.stdout);
  assert.deepEqual(j.required, ['DB_PASSWORD']);
  assert.deepEqual(j.optional, ['LOG_LEVEL']);
  assert.deepEqual(j.secretLike, ['DB_PASSWORD']);
  assert.deepEqual(j.unreferenced, ['OLD']);
  assert.equal(j.findings[0].ruleId, 'secret-unreferenced');
  assert.equal(j.lock_written, lock);
  assert.equal(statSync(lock + '.key').mode & 0o777, 0o600);
  const lockText = readFileSync(lock, 'utf8');
  assert.ok(!lockText.includes('one'.repeat(1) + '"'), 'no plain values');

  // Drop OLD and change DB_PASSWORD: blocks; the lock is not rewritten.
  writeFileSync(join(dir, 'p1.env'), 'DB_PASSWORD=two\n');
  r = await runCli([
    'secrets',
    'plan',
    compose,
    '--env-file',
    join(dir, 'p1.env'),
    '--previous',
    lock,
    '--write-lock',
    lock,
    '--format',
    'json',
  ]);
  assert.equal(r.code, 1);
  j = JSON.parse(r.stdout);
  assert.deepEqual(j.dropped, [{ name: 'OLD', allowed: false }]);
  assert.deepEqual(j.changes, { DB_PASSWORD: 'changed' });
  assert.equal(j.allowedEnvs.changes, true);
  assert.equal(j.findings.find((f: { ruleId: string }) => f.ruleId === 'secret-dropped').section, 'upgrades');
  assert.equal(j.lock_written, null);
  assert.equal(readFileSync(lock, 'utf8'), lockText);

  r = await runCli([
    'secrets',
    'plan',
    compose,
    '--env-file',
    join(dir, 'p1.env'),
    '--previous',
    lock,
    '--allow-drop',
    'OLD',
  ]);
  assert.equal(r.code, 0, r.stdout);
  assert.match(r.stdout, /dropped \(allowed\)/);
  assert.match(r.stdout, /DB_PASSWORD\s+\S*p1\.yml:5\s+required \(:\?\)\s+yes\s+changed/);

  // Same values: unchanged.
  writeFileSync(join(dir, 'p1.env'), 'DB_PASSWORD=one\nOLD=1\n');
  r = await runCli([
    'secrets',
    'plan',
    compose,
    '--env-file',
    join(dir, 'p1.env'),
    '--previous',
    lock,
    '--format',
    'json',
  ]);
  j = JSON.parse(r.stdout);
  assert.deepEqual(j.changes, { DB_PASSWORD: 'unchanged', OLD: 'unchanged' });
  assert.equal(j.allowedEnvs.changes, false);
});

test('plan: missing required blocks; --cvm reads the deployed keys through the API', async () => {
  const compose = project(
    'p2',
    'services:\n  app:\n    image: x\n    environment:\n      A: ${DB_PASSWORD}\n      T: ${NEW_TOKEN}\n',
    'NEW_TOKEN=t\n',
  );
  const r = await runCli([
    'secrets',
    'plan',
    compose,
    '--env-file',
    join(dir, 'p2.env'),
    '--cvm',
    'my-app',
    '--format',
    'json',
  ]);
  assert.equal(r.code, 1);
  const j = JSON.parse(r.stdout);
  assert.deepEqual(j.missing, ['DB_PASSWORD']);
  assert.deepEqual(
    j.dropped.map((d: { name: string }) => d.name),
    ['DB_PASSWORD', 'OLD_TOKEN'],
  );
  assert.deepEqual(j.changes, { NEW_TOKEN: 'added' });
  assert.deepEqual(j.allowedEnvs.removed, ['DB_PASSWORD', 'OLD_TOKEN']);
  assert.equal(j.previousSource, 'cvm my-app');
  const missing = j.findings.find((f: { ruleId: string }) => f.ruleId === 'secret-missing');
  assert.equal(missing.line, 5);
  assert.ok(state.requests.some((q) => q.url === '/api/v1/cvms/my-app/compose_file'));
  assert.ok(!existsSync(join(dir, 'never.lock')));
});
