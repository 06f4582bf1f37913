import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PRIVATE_KEY_ENV, resolveSigner } from '../../src/rollout/signer.js';
import { UsageError } from '../../src/util/errors.js';

const KEY = `0x${'7e'.repeat(32)}`;
const refused = (f: Parameters<typeof resolveSigner>[0], message: RegExp, secret?: string) =>
  assert.throws(
    () => resolveSigner(f),
    (e: unknown) => e instanceof UsageError && message.test(e.message) && (!secret || !e.message.includes(secret)),
  );

describe('the on-chain key from the environment', () => {
  it('no key anywhere: no signer (the 465 is reported, as without --private-key-env)', () => {
    assert.equal(resolveSigner({ env: {} }), undefined);
    assert.equal(resolveSigner({ env: {}, rpcUrl: 'https://rpc.example' }), undefined);
  });

  it('the variable --private-key-env names, else PREFLIGHT_PRIVATE_KEY; 64 hex with or without 0x', () => {
    assert.deepEqual(resolveSigner({ privateKeyEnv: 'OWNER', env: { OWNER: KEY } }), { privateKey: KEY });
    assert.deepEqual(resolveSigner({ env: { [PRIVATE_KEY_ENV]: KEY.slice(2) }, rpcUrl: 'http://127.0.0.1:8545' }), {
      privateKey: KEY,
      rpcUrl: 'http://127.0.0.1:8545',
    });
    // Named explicitly: PREFLIGHT_PRIVATE_KEY is not a fallback for a missing named variable.
    refused({ privateKeyEnv: 'OWNER', env: { [PRIVATE_KEY_ENV]: KEY } }, /OWNER is not set/);
  });

  it('--private-key KEY: taken (marked as from the command line), checked as the variable is, not with -env', () => {
    assert.deepEqual(resolveSigner({ privateKey: KEY.slice(2), env: { [PRIVATE_KEY_ENV]: `0x${'11'.repeat(32)}` } }), {
      privateKey: KEY,
      fromCommandLine: true,
    });
    refused({ privateKey: 'hunter2', env: {} }, /the --private-key value does not hold a private key/, 'hunter2');
    refused({ privateKey: KEY, privateKeyEnv: 'OWNER', env: { OWNER: KEY } }, /give one/, KEY.slice(2));
  });

  it('a bad value, name or URL is a usage error that never quotes the value', () => {
    const almost = `0x${'7e'.repeat(31)}`;
    refused({ privateKeyEnv: 'OWNER', env: { OWNER: almost } }, /OWNER does not hold a private key/, almost.slice(2));
    refused({ env: { [PRIVATE_KEY_ENV]: 'hunter2' } }, /PREFLIGHT_PRIVATE_KEY does not hold a private key/, 'hunter2');
    refused({ privateKeyEnv: '$(id)', env: {} }, /--private-key-env takes the name of an environment variable/);
    refused({ rpcUrl: 'wss://rpc.example', env: { [PRIVATE_KEY_ENV]: KEY } }, /--rpc-url takes an http\(s\):\/\/ URL/);
  });
});
