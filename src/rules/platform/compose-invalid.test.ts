import { ruleTester } from '../rule-tester.js';
import { composeInvalid } from './compose-invalid.js';

ruleTester(composeInvalid, {
  valid: [
    `
    services:
      web:
        image: nginx:1.27
        restart: unless-stopped
        ports: ["443:8443"]
        healthcheck: { test: ["CMD", "true"], interval: 10s }
    volumes:
      data:
    `,
    {
      name: 'extension fields and long syntax',
      compose: `
        x-common: &common
          restart: always
        services:
          web:
            <<: *common
            image: nginx:1.27
            volumes:
              - type: volume
                source: data
                target: /data
        volumes:
          data: {}
      `,
    },
  ],
  invalid: [
    {
      name: 'unknown service key points at the key',
      code: `
        services:
          web:
            image: nginx:1.27
            restrat: always
      `,
      errors: [{ line: 4, column: 5, service: 'web', message: 'unknown key "restrat"' }],
    },
    {
      name: 'wrong type points at the value',
      code: `
        services:
          web:
            image: nginx:1.27
            privileged: [yes]
      `,
      errors: [{ line: 4, service: 'web', message: 'services.web.privileged: must be' }],
    },
    {
      name: 'bad enum value',
      code: `
        services:
          web:
            image: nginx:1.27
            depends_on:
              db: { condition: when_ready }
          db:
            image: postgres:16
      `,
      errors: [{ line: 5, service: 'web', message: 'must be one of' }],
    },
    {
      name: 'unknown top-level key',
      code: `
        services:
          web: { image: nginx:1.27 }
        volumez:
          data:
      `,
      errors: [{ line: 3, column: 1, message: 'unknown key "volumez"' }],
    },
  ],
});
