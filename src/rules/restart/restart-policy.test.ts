import { ruleTester } from '../rule-tester.js';
import { restartPolicy } from './restart-policy.js';

ruleTester(restartPolicy, {
  valid: [
    {
      name: 'a restart value the engine refuses is compose-invalid, not "no restart policy"',
      compose: `
      services:
        web: { image: nginx:1.27, restart: sometimes }
    `,
    },
    `
    services:
      web:
        image: nginx:1.27
        restart: unless-stopped
    `,
    `
    services:
      web: { image: nginx:1.27, restart: always }
      worker: { image: app:1, restart: "on-failure:3" }
    `,
    {
      name: 'one-shot migration awaited by the app',
      compose: `
        services:
          migrate: { image: app:1, command: ["migrate"] }
          web:
            image: app:1
            restart: always
            depends_on:
              migrate: { condition: service_completed_successfully }
      `,
    },
    {
      name: 'deploy.restart_policy any',
      compose: `
        services:
          web:
            image: app:1
            deploy: { restart_policy: { condition: any } }
      `,
    },
  ],
  invalid: [
    {
      name: 'no policy points at the service key',
      code: `
        services:
          web:
            image: nginx:1.27
      `,
      errors: [{ line: 2, column: 3, service: 'web', message: 'no restart policy' }],
    },
    {
      name: 'restart: "no" points at the key',
      code: `
        services:
          web:
            image: nginx:1.27
            restart: "no"
      `,
      errors: [{ line: 4, column: 5, service: 'web', message: 'restart: no' }],
    },
    {
      name: 'configured severity',
      code: {
        compose: `
          services:
            web: { image: app:1 }
        `,
        config: `
          rules:
            restart-policy: error
        `,
      },
      errors: [{ severity: 'error', message: 'has no restart policy' }],
    },
  ],
});
