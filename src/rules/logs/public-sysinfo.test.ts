import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ruleTester, run } from '../rule-tester.js';
import { publicSysinfo } from './public-sysinfo.js';

const COMPOSE = 'services:\n  app:\n    image: app:1\n';

ruleTester(publicSysinfo, {
  valid: [
    { name: '.preflight.yml turns it off', compose: COMPOSE, config: 'deployment:\n  public_sysinfo: false\n' },
    {
      name: 'app-compose.json without the field (dstack default false)',
      appCompose: JSON.stringify({ manifest_version: 2, docker_compose_file: COMPOSE }),
    },
  ],
  invalid: [
    {
      name: 'Phala Cloud default',
      code: COMPOSE,
      errors: [{ line: 1, service: undefined, severity: 'info', message: 'on (the Phala Cloud default)' }],
    },
    {
      name: 'app-compose.json public_sysinfo true points at the field',
      code: {
        appCompose: JSON.stringify(
          { manifest_version: 2, public_sysinfo: true, docker_compose_file: COMPOSE },
          null,
          2,
        ),
      },
      errors: [{ file: 'app-compose.json', line: 3, column: 3, message: 'public_sysinfo is true' }],
    },
  ],
});

describe('public-sysinfo is opt-in', () => {
  it('reports nothing unless .preflight.yml gives it a severity', () => {
    assert.deepEqual(run(publicSysinfo, { compose: COMPOSE }, { asConfigured: true }), []);
  });
  it('reports at the severity .preflight.yml gives it', () => {
    const found = run(
      publicSysinfo,
      { compose: COMPOSE, config: 'rules:\n  public-sysinfo: warning\n' },
      { asConfigured: true },
    );
    assert.deepEqual(
      found.map((f) => [f.severity, f.message]),
      [['warning', "public_sysinfo is on (the Phala Cloud default): anyone can read the guest's system metrics"]],
    );
  });
});
