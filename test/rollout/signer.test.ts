import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PRIVATE_KEY_ENV, signerFromEnv } from '../../src/rollout/signer.js';
import { UsageError } from '../../src/util/errors.js';

const KEY = `0x${'7e'.repeat(32)}`;
const refused = (f: Parameters<typeof signerFromEnv>[0], message: RegExp, secret?: string) =>
  assert.throws(
    () => signerFromEnv(f),
    (e: unknown) => e instanceof UsageError && message.test(e.message) && (!secret || !e.message.includes(secret)),
  );

describe('the on-chain key from the environment', () => {
  it('no key anywhere: no signer (the 465 is reported, as without --private-key-env)', () => {
    assert.equal(signerFromEnv({ env: {} }), undefined);
    assert.equal(signerFromEnv({ env: {}, rpcUrl: 'https://rpc.example' }), undefined);
  });

  it('the variable --private-key-env names, else PREFLIGHT_PRIVATE_KEY; 64 hex with or without 0x', () => {
    assert.deepEqual(signerFromEnv({ privateKeyEnv: 'OWNER', env: { OWNER: KEY } }), { privateKey: KEY });
    assert.deepEqual(signerFromEnv({ env: { [PRIVATE_KEY_ENV]: KEY.slice(2) }, rpcUrl: 'http://127.0.0.1:8545' }), {
      privateKey: KEY,
      rpcUrl: 'http://127.0.0.1:8545',
    });
    // Named explicitly: PREFLIGHT_PRIVATE_KEY is not a fallback for a missing named variable.
    refused({ privateKeyEnv: 'OWNER', env: { [PRIVATE_KEY_ENV]: KEY } }, /OWNER is not set/);
  });

  it('a bad value, name or URL is a usage error that never quotes the value', () => {
    const almost = `0x${'7e'.repeat(31)}`;
    refused({ privateKeyEnv: 'OWNER', env: { OWNER: almost } }, /OWNER does not hold a private key/, almost.slice(2));
    refused({ env: { [PRIVATE_KEY_ENV]: 'hunter2' } }, /PREFLIGHT_PRIVATE_KEY does not hold a private key/, 'hunter2');
    refused({ privateKeyEnv: '$(id)', env: {} }, /--private-key-env takes the name of an environment variable/);
    refused({ rpcUrl: 'wss://rpc.example', env: { [PRIVATE_KEY_ENV]: KEY } }, /--rpc-url takes an http\(s\):\/\/ URL/);
  });
});
