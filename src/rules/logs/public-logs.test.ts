import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ruleTester } from '../rule-tester.js';
import { publicLogs } from './public-logs.js';
import { debugLogging } from '../lib/debug-logging.js';
import type { Service } from '../../compose/types.js';

const COMPOSE = 'services:\n  app:\n    image: app:1\n';

ruleTester(publicLogs, {
  valid: [
    { name: 'public_logs false in .preflight.yml', compose: COMPOSE, config: 'deployment:\n  public_logs: false\n' },
    {
      name: 'app-compose.json without public_logs (dstack default false)',
      appCompose: JSON.stringify({ manifest_version: 2, docker_compose_file: COMPOSE }),
    },
    {
      name: "debug logging with private logs is not this rule's business",
      compose: 'services:\n  app:\n    image: app:1\n    environment:\n      LOG_LEVEL: debug\n',
      config: 'deployment:\n  public_logs: false\n',
    },
  ],
  invalid: [
    {
      name: 'Phala Cloud default: warning at the top of the compose file, no service',
      code: COMPOSE,
      errors: [
        {
          line: 1,
          column: 1,
          service: undefined,
          severity: 'warning',
          message: 'public_logs is on (the Phala Cloud default)',
        },
      ],
    },
    {
      name: 'app-compose.json public_logs true: points at the field',
      code: {
        appCompose: JSON.stringify({ manifest_version: 2, public_logs: true, docker_compose_file: COMPOSE }, null, 2),
      },
      errors: [{ file: 'app-compose.json', line: 3, column: 3, severity: 'warning', message: 'public_logs is true' }],
    },
    {
      name: 'debug logging on makes it an error naming the service and setting',
      code: {
        compose: `
          services:
            api:
              image: api:1
              environment:
                - NODE_ENV=development
            worker:
              image: worker:1
              command: ["worker", "--log-level", "debug"]
            db:
              image: postgres:16
              environment:
                POSTGRES_PASSWORD: \${DB_PASSWORD:?}
        `,
        config: 'deployment:\n  public_logs: true\n',
      },
      errors: [
        {
          file: '.preflight.yml',
          line: 2,
          severity: 'error',
          message: 'services "api" (NODE_ENV=development), "worker" (--log-level debug)',
        },
      ],
    },
  ],
});

describe('debugLogging', () => {
  const svc = (s: Partial<Service>) => s as Service;
  it('finds debug settings in the data table', () => {
    assert.equal(
      debugLogging(svc({ environment: { RUST_LOG: 'info,my_app=trace' } }))?.evidence,
      'RUST_LOG=info,my_app=trace',
    );
    assert.equal(debugLogging(svc({ environment: { DEBUG: 'app:*' } }))?.evidence, 'DEBUG=app:*');
    assert.equal(debugLogging(svc({ environment: { DEBUG: 'true' } }))?.evidence, 'DEBUG=true');
    assert.equal(debugLogging(svc({ environment: { APP_LOG_LEVEL: 'DEBUG' } }))?.evidence, 'APP_LOG_LEVEL=DEBUG');
    assert.equal(
      debugLogging(svc({ environment: { LOGGING_LEVEL_ROOT: 'trace' } }))?.evidence,
      'LOGGING_LEVEL_ROOT=trace',
    );
    assert.equal(debugLogging(svc({ command: 'uvicorn app:app --log-level=debug' }))?.evidence, '--log-level=debug');
    assert.equal(debugLogging(svc({ entrypoint: ['traefik', '--log.level=DEBUG'] }))?.evidence, '--log.level=DEBUG');
    assert.equal(debugLogging(svc({ command: ['server', '--verbose'] }))?.evidence, '--verbose');
  });
  it('leaves production settings alone', () => {
    const settings: Record<string, string | null>[] = [
      { LOG_LEVEL: 'info' },
      { DEBUG: 'false' },
      { DEBUG: '0' },
      { RUST_LOG: 'info' },
      { NODE_ENV: 'production' },
      { DEBUG_PORT: '9229' },
      { LOG_LEVEL: null },
    ];
    for (const environment of settings) {
      assert.equal(debugLogging(svc({ environment })), undefined, JSON.stringify(environment));
    }
    assert.equal(debugLogging(svc({ command: ['server', '--log-level', 'warn', '--debug-port', '9229'] })), undefined);
  });
  it('never shows a value that is not plainly a level', () => {
    const d = debugLogging(svc({ environment: { DEBUG: 'postgres://user:hunter2@db:5432/x*' } }));
    assert.ok(!d?.evidence.includes('hunter2'));
  });
});
