import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InputError } from '../../src/util/errors.js';
import { runBuiltCli } from '../support/cli.js';
import { load, scratchDir } from '../support/project.js';

/**
 * Deployment settings are validated with one schema definition (schema/preflight.schema.json,
 * definitions/deployment) wherever they come from: a value of the wrong type is an input error at
 * its line, never read as something else (`"no"` as true, `1` as nothing).
 */
const scratch = scratchDir('deployment-validation');
const COMPOSE = 'services:\n  web:\n    image: nginx:1.27\n';

function manifest(fields: Record<string, unknown>): string {
  return JSON.stringify(
    { manifest_version: 2, name: 'app', runner: 'docker-compose', docker_compose_file: COMPOSE, ...fields },
    null,
    2,
  );
}

function loadError(files: Record<string, string>): InputError {
  const dir = scratch.project(`p${Math.random().toString(36).slice(2)}`, files);
  try {
    load(dir);
  } catch (err) {
    assert.ok(err instanceof InputError, `an InputError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected an input error');
}

describe('app-compose.json deployment fields', () => {
  for (const [value, expected] of [
    ['"no"', 'must be boolean'],
    ['"true"', 'must be boolean'],
    ['1', 'must be boolean'],
    ['null', 'must be boolean'],
  ] as const) {
    it(`public_logs: ${value} is an input error naming its line`, () => {
      const text = manifest({}).replace('"runner"', `"public_logs": ${value},\n  "runner"`);
      const err = loadError({ 'app-compose.json': text });
      assert.equal(err.file, 'app-compose.json');
      assert.equal(err.line, 4, err.message);
      assert.match(err.message, new RegExp(`public_logs: ${expected}`));
      assert.doesNotMatch(err.message, /\n/);
    });
  }

  it('other known fields are type-checked too', () => {
    assert.match(
      loadError({ 'app-compose.json': manifest({ allowed_envs: 'A,B' }) }).message,
      /allowed_envs: must be array/,
    );
    assert.match(
      loadError({ 'app-compose.json': manifest({ key_provider: 'vault' }) }).message,
      /key_provider: must be one of/,
    );
    assert.match(
      loadError({ 'app-compose.json': manifest({ kms_enabled: 'yes' }) }).message,
      /kms_enabled: must be boolean/,
    );
  });

  it('fields an app-compose.json has beyond the deployment settings are allowed; optional ones may be null', () => {
    const dir = scratch.project('extra', {
      'app-compose.json': manifest({
        features: ['kms', 'tproxy-net'],
        bash_script: null,
        storage_fs: null,
        key_provider: null,
        pre_launch_script: null,
        docker_config: { registry: 'ghcr.io' },
        public_logs: false,
      }),
    });
    const p = load(dir);
    assert.equal(p.deployment.settings.public_logs, false);
    assert.equal(p.deployment.settings.storage_fs, 'zfs', 'null is "not given": the dstack default');
    assert.equal(p.deployment.settings.key_provider, undefined);
  });

  it('values are taken as written, not coerced', () => {
    const dir = scratch.project('as-written', {
      'app-compose.json': manifest({ public_logs: true, allowed_envs: ['A', 'B'], init_script: ['a', 'b'] }),
    });
    const s = load(dir).deployment.settings;
    assert.equal(s.public_logs, true);
    assert.deepEqual(s.allowed_envs, ['A', 'B']);
    assert.deepEqual(s.init_script, ['a', 'b']);
  });

  it('the CLI exits 2 with the one-line error', () => {
    const dir = scratch.project('cli', { 'app-compose.json': manifest({ public_sysinfo: 'false' }) });
    const r = runBuiltCli(['check', dir]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^preflight: .*app-compose\.json:\d+:\d+: public_sysinfo: must be boolean\n$/);
    assert.equal(r.stdout, '');
  });
});

describe('.preflight.yml deployment fields', () => {
  for (const value of ['"no"', '"true"', '1', 'yes']) {
    it(`public_logs: ${value} is an input error naming its line`, () => {
      const err = loadError({ 'compose.yaml': COMPOSE, '.preflight.yml': `deployment:\n  public_logs: ${value}\n` });
      assert.equal(err.file, '.preflight.yml');
      assert.equal(err.line, 2);
      assert.match(err.message, /deployment\.public_logs: must be boolean/);
      assert.doesNotMatch(err.message, /\n/);
    });
  }

  it('must not fire: true and false are read as written, the right way round', () => {
    for (const value of [true, false]) {
      const dir = scratch.project(`ok-${value}`, {
        'compose.yaml': COMPOSE,
        '.preflight.yml': `deployment:\n  public_logs: ${value}\n`,
      });
      const project = load(dir);
      assert.equal(project.deployment.source, '.preflight.yml');
      assert.equal(project.deployment.settings.public_logs, value);
    }
  });

  it('the CLI exits 2 with the one-line error', () => {
    const dir = scratch.project('cli-config', {
      'compose.yaml': COMPOSE,
      '.preflight.yml': 'deployment:\n  public_logs: "true"\n',
    });
    const r = runBuiltCli(['check', dir]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^preflight: .*\.preflight\.yml:2:\d+: deployment\.public_logs: must be boolean\n$/);
    assert.equal(r.stdout, '');
  });
});
