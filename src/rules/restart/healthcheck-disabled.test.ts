import { ruleTester } from '../rule-tester.js';
import { healthcheckDisabled } from './healthcheck-disabled.js';

ruleTester(healthcheckDisabled, {
  valid: [
    {
      name: 'a working healthcheck',
      compose: `
      services:
        web: { image: app:1, ports: ["80"], healthcheck: { test: ["CMD", "true"] } }
    `,
    },
    {
      name: 'disable: false',
      compose: `
      services:
        web: { image: app:1, ports: ["80"], healthcheck: { disable: false, test: ["CMD", "true"] } }
    `,
    },
    {
      name: 'no healthcheck at all is the other rule',
      compose: `
      services:
        web: { image: app:1, ports: ["80"] }
    `,
    },
  ],
  invalid: [
    {
      name: 'disable: true points at the key',
      code: `
        services:
          web:
            image: app:1
            ports: ["80:80"]
            healthcheck:
              disable: true
      `,
      errors: [{ line: 6, column: 7, service: 'web', message: 'disable: true', severity: 'warning' }],
    },
    {
      name: 'test NONE points at the test value',
      code: `
        services:
          db: { image: postgres:16 }
          web:
            image: app:1
            depends_on: [db]
          db2: { image: postgres:16, healthcheck: { test: ["NONE"] } }
          app2: { image: app:1, depends_on: [db2] }
      `,
      errors: [{ line: 6, service: 'db2', message: 'test: ["NONE"]', severity: 'warning' }],
    },
    {
      name: 'background worker nobody waits for: info',
      code: `
        services:
          worker: { image: app:1, healthcheck: { test: ["NONE"] } }
      `,
      errors: [{ service: 'worker', severity: 'info', message: 'disables its healthcheck' }],
    },
  ],
});
