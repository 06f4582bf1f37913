/**
 * Canary: every `secrets` command runs with values holding a unique marker; the marker must show up
 * in no stdout, stderr, error or written file (the encrypted blob holds it only encrypted).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { mkdtempSync, writeFileSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './run-cli.js';
import { decryptEnvBlob, x25519PublicFromSecret } from '../../src/secrets/envelope.js';
import { useFakeCloud, type FakeCloudState } from './fake-cloud.js';

const MARKER = `CANARY${crypto.randomBytes(6).toString('hex')}`;
const secret = crypto.randomBytes(32);
const pub = x25519PublicFromSecret(secret).toString('hex');
const dir = mkdtempSync(join(tmpdir(), 'preflight-canary-'));
const state: FakeCloudState = {
  envPubkey: pub,
  allowedEnvs: ['DB_PASSWORD', 'GONE_TOKEN'],
  composeText: 'services: {}\n',
  requests: [],
};
const outputs: string[] = [];
useFakeCloud(state, dir);

function assertClean(where: string, text: string): void {
  assert.ok(!text.includes(MARKER), `marker leaked in ${where}: ${text.slice(0, 300)}`);
  assert.ok(!text.includes(Buffer.from(MARKER).toString('hex')), `marker (hex) leaked in ${where}`);
  assert.ok(!text.includes(Buffer.from(MARKER).toString('base64').slice(0, 16)), `marker (base64) leaked in ${where}`);
}

async function run(args: string[], expectCode?: number): Promise<{ code: number; stdout: string; stderr: string }> {
  const r = await runCli(args);
  assertClean(`stdout of ${args.join(' ')}`, r.stdout);
  assertClean(`stderr of ${args.join(' ')}`, r.stderr);
  if (expectCode !== undefined) assert.equal(r.code, expectCode, `${args.join(' ')}: ${r.stderr}`);
  outputs.push(r.stdout + r.stderr);
  return r;
}

test('encrypt: every path keeps the marker out of output and files', async () => {
  const env = join(dir, 'good.env');
  writeFileSync(
    env,
    `DB_PASSWORD=${MARKER}\nMULTI="a\\n${MARKER}"\nQUOTED='${MARKER} # x'\nWITH_DOLLAR=${MARKER}$UNSET_VAR_X\n`,
  );
  const r = await run(['secrets', 'encrypt', '--env-file', env, '--pubkey', pub], 0);
  assert.ok(
    decryptEnvBlob(r.stdout.trim(), secret).every((v) => v.value.includes(MARKER)),
    'the blob does carry the values',
  );
  assert.match(r.stderr, /UNSET_VAR_X/); // the warning names the variable, not the value
  await run(['secrets', 'encrypt', `TOKEN=${MARKER}`, '--pubkey', pub, '--format', 'json'], 0);
  await run(['secrets', 'encrypt', `TOKEN=${MARKER}`, '--cvm', 'my-app', '--kms', 'kms-1', '--format', 'json'], 0);
  await run(['secrets', 'encrypt', '--env-file', env, '--pubkey', pub, '--out', join(dir, 'blob.hex')], 0);
  await run(['secrets', 'encrypt', '--env-file', env, '--pubkey', pub, '--out', join(dir, 'blob.hex')], 2);
  await run(
    [
      'secrets',
      'encrypt',
      '--env-file',
      env,
      '--pubkey',
      pub,
      '--out',
      join(dir, 'blob.hex'),
      '--force',
      '--format',
      'json',
    ],
    0,
  );
});

test('encrypt: errors never echo the value', async () => {
  const bad: Record<string, string> = {
    'unterminated.env': `A="${MARKER}\n`,
    'badname.env': `BAD KEY=${MARKER}\n`,
    'trailing.env': `A="${MARKER}" ${MARKER}\n`,
    'guard.env': `A=${MARKER}\${UNSET_GUARD:?must be set}\n`,
    'brace.env': `A=${MARKER}\${\n`,
    'dup.env': `A=${MARKER}\nA=${MARKER}2\n`,
    'big.env': `A=${MARKER}${'x'.repeat(128 * 1024)}\n`,
  };
  for (const [name, text] of Object.entries(bad)) {
    writeFileSync(join(dir, name), text);
    await run(['secrets', 'encrypt', '--env-file', join(dir, name), '--pubkey', pub], 2);
  }
  await run(['secrets', 'encrypt', `1BAD=${MARKER}`, '--pubkey', pub], 2);
  await run(['secrets', 'encrypt', MARKER, '--pubkey', pub], 2);
  await run(['secrets', 'encrypt', `A=${MARKER}`, '--pubkey', MARKER], 2);
  await run(['secrets', 'encrypt', `A=${MARKER}`, '--cvm', 'missing'], 2);
});

test('plan: text, json, lockfiles and the CVM path keep the marker out', async () => {
  const compose = join(dir, 'compose.yml');
  writeFileSync(
    compose,
    'services:\n  app:\n    image: x\n    command: ["run", "--token", "${API_TOKEN}"]\n    environment:\n      P: ${DB_PASSWORD:?need it}\n      Q: ${OPTIONAL:-d}\n',
  );
  const env = join(dir, 'plan.env');
  writeFileSync(env, `DB_PASSWORD=${MARKER}\nAPI_TOKEN=${MARKER}x\nUNUSED_SECRET=${MARKER}y\n`);
  const lock = join(dir, 'deployed.lock');
  await run(['secrets', 'plan', compose, '--env-file', env, '--write-lock', lock], 0);
  await run(['secrets', 'plan', compose, '--env-file', env, '--previous', lock, '--format', 'json'], 0);
  writeFileSync(env, `DB_PASSWORD=${MARKER}changed\n`);
  await run(['secrets', 'plan', compose, '--env-file', env, '--previous', lock], 1);
  await run(['secrets', 'plan', compose, '--env-file', env, '--previous', lock, '--format', 'json'], 1);
  await run(['secrets', 'plan', compose, '--env-file', env, '--cvm', 'my-app'], 1);
  await run(
    [
      'secrets',
      'plan',
      compose,
      '--env-file',
      env,
      '--cvm',
      'my-app',
      '--format',
      'json',
      '--allow-drop',
      'GONE_TOKEN',
    ],
    1,
  );
  writeFileSync(join(dir, 'broken.env'), `DB_PASSWORD="${MARKER}\n`);
  await run(['secrets', 'plan', compose, '--env-file', join(dir, 'broken.env')], 2);
});

test('no written file other than the blob contains the marker, and the blob only encrypted', () => {
  for (const name of readdirSync(dir)) {
    if (name.endsWith('.env')) continue; // the inputs
    assertClean(`file ${name}`, readFileSync(join(dir, name), 'utf8'));
  }
  assert.ok(outputs.length >= 20);
});
