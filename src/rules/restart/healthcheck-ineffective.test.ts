import { ruleTester } from '../rule-tester.js';
import { healthcheckIneffective } from './healthcheck-ineffective.js';

ruleTester(healthcheckIneffective, {
  valid: [
    {
      name: 'a probe that can fail (CMD-SHELL with || exit 1)',
      compose: `
      services:
        web:
          image: app:1
          healthcheck: { test: ["CMD-SHELL", "curl -fsS http://localhost/health || exit 1"] }
    `,
    },
    {
      name: '&& exit 0 fails when the probe does',
      compose: `
      services:
        web: { image: app:1, healthcheck: { test: "wget -qO- http://localhost/ && exit 0" } }
    `,
    },
    {
      name: 'set -e ends the script at the failing step before the final exit 0',
      compose: `
      services:
        web: { image: app:1, healthcheck: { test: ["CMD", "sh", "-c", "set -e; pg_isready; exit 0"] } }
    `,
    },
    {
      name: '["NONE"] and disable: true disable the check (healthcheck-disabled)',
      compose: `
      services:
        a: { image: app:1, healthcheck: { test: ["NONE"] } }
        b: { image: app:1, healthcheck: { disable: true } }
    `,
    },
    {
      name: 'an exec probe with arguments',
      compose: `
      services:
        db: { image: postgres:16, healthcheck: { test: ["CMD", "pg_isready", "-U", "app"] } }
    `,
    },
    {
      name: '|| true inside the script, not at its end',
      compose: `
      services:
        web: { image: app:1, healthcheck: { test: "rm -f /tmp/x || true; curl -f http://localhost/" } }
    `,
    },
  ],
  invalid: [
    {
      name: '|| exit 0 in CMD-SHELL: never fails; the script itself is not shown',
      code: `
        services:
          web:
            image: app:1
            healthcheck:
              test: ["CMD-SHELL", "redis-cli -a s3cr3tpass ping || exit 0"]
      `,
      errors: [{ line: 5, service: 'web', messageId: 'neverFails', message: '`|| exit 0`', severity: 'warning' }],
    },
    {
      name: 'string form ending in || true, with a dependent waiting for it',
      code: `
        services:
          api:
            image: app:1
            healthcheck: { test: "curl -f http://localhost:8080/ || true" }
          web: { image: app:1, depends_on: { api: { condition: service_healthy } } }
      `,
      errors: [{ service: 'api', messageId: 'neverFails', message: '"web" waits for it' }],
    },
    {
      name: '; exit 0 at the end, and a multi-line script ending in exit 0',
      code: `
        services:
          a: { image: app:1, healthcheck: { test: "nc -z localhost 80; exit 0" } }
          b:
            image: app:1
            healthcheck:
              test:
                - CMD
                - sh
                - -c
                - |
                  nc -z localhost 80
                  exit 0
      `,
      errors: [
        { service: 'a', messageId: 'neverFails', message: '`; exit 0`' },
        { service: 'b', messageId: 'neverFails', message: '`exit 0`' },
      ],
    },
    {
      name: '["CMD", "true"] always succeeds',
      code: `
        services:
          web: { image: app:1, healthcheck: { test: ["CMD", "true"] } }
      `,
      errors: [{ service: 'web', messageId: 'neverFails' }],
    },
    {
      name: 'test: NONE (string form) runs a command named NONE: error when another service waits for it',
      code: `
        services:
          db: { image: postgres:16, healthcheck: { test: NONE } }
          app: { image: app:1, depends_on: { db: { condition: service_healthy } } }
      `,
      errors: [{ line: 2, service: 'db', messageId: 'neverPasses', message: 'never healthy', severity: 'error' }],
    },
    {
      name: '["CMD-SHELL", "NONE"] nobody waits for: warning',
      code: `
        services:
          worker: { image: app:1, healthcheck: { test: ["CMD-SHELL", "NONE"] } }
      `,
      errors: [{ service: 'worker', messageId: 'neverPasses', severity: 'warning' }],
    },
    {
      name: 'shared through an anchor: one finding for both services',
      code: `
        x-hc: &hc
          healthcheck: { test: "curl -f http://localhost/ || exit 0" }
        services:
          a: { image: app:1, <<: *hc }
          b: { image: app:1, <<: *hc }
      `,
      errors: [{ messageId: 'neverFails', message: 'services "a" and "b"' }],
    },
  ],
});
