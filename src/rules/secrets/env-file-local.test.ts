import { ruleTester } from '../rule-tester.js';
import { envFileLocal } from './env-file-local.js';

ruleTester(envFileLocal, {
  valid: [
    `
    services:
      web:
        image: app:1
        environment:
          API_KEY: \${API_KEY}
    `,
    {
      name: 'an env_file of another, inactive profile service',
      compose: `
        services:
          web: { image: app:1 }
          debug:
            image: app:1
            profiles: [debug]
            env_file: .env.debug
      `,
    },
  ],
  invalid: [
    {
      name: 'short form points at the path',
      code: `
        services:
          web:
            image: app:1
            env_file: .env
      `,
      errors: [
        {
          line: 4,
          column: 15,
          service: 'web',
          message: 'env_file .env, which is not shipped into the CVM',
          severity: 'error',
        },
      ],
    },
    {
      name: 'list and long form; optional file is a warning',
      code: `
        services:
          web:
            image: app:1
            env_file:
              - common.env
              - path: local.env
                required: false
      `,
      errors: [
        { line: 5, column: 9, service: 'web', message: 'common.env', severity: 'error' },
        { line: 6, column: 15, service: 'web', message: 'optional env_file local.env', severity: 'warning' },
      ],
    },
  ],
});
