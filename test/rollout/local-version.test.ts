import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { loadProject, resolveTargets } from '../../src/compose/index.js';
import { localVersionHash } from '../../src/rollout/backend/local-instance.js';

/**
 * The local fleet's version identity: a change of secret values alone is a new version (as on
 * Phala Cloud, where the plan must see it although the compose hash stays), an env file that
 * says the same in another order or with comments is not, and the values are not recoverable
 * from the label (salted).
 */
describe('local fleet version hash', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pf-rollout-localver-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'compose.yaml'), 'services:\n  web:\n    image: ${IMAGE}\n    environment: [API_TOKEN]\n');
  const version = (envText: string, salt = 'a1'.repeat(16)) => {
    const env = join(dir, `v-${Math.random().toString(36).slice(2)}.env`);
    writeFileSync(env, envText);
    const [t] = resolveTargets([dir], {});
    return localVersionHash(loadProject(t!, { envFiles: [env], strictRequired: true }), salt);
  };
  const base = version('IMAGE=app:1\nAPI_TOKEN=one\n');

  it('a new value of a secret alone is a new version', () => {
    assert.notEqual(version('IMAGE=app:1\nAPI_TOKEN=two\n'), base);
  });

  it('the same variables in another order, with comments, are the same version', () => {
    assert.equal(version('# the token\nAPI_TOKEN=one\n\nIMAGE=app:1\n'), base);
  });

  it('another fleet (another salt) gives another hash for the same values', () => {
    assert.notEqual(version('IMAGE=app:1\nAPI_TOKEN=one\n', 'b2'.repeat(16)), base);
  });
});
