import { ruleTester } from '../rule-tester.js';
import { secretFileLocal } from './secret-file-local.js';

ruleTester(secretFileLocal, {
  valid: [
    {
      name: 'secret sourced from an (encrypted) environment variable',
      compose: `
        services:
          db:
            image: postgres:16
            secrets: [db-password]
            environment:
              POSTGRES_PASSWORD_FILE: /run/secrets/db-password
        secrets:
          db-password:
            environment: DB_PASSWORD
      `,
    },
    `
    services:
      web: { image: app:1 }
    secrets:
      api-key:
        external: true
    `,
  ],
  invalid: [
    {
      name: 'file secret, named with its users, without a service',
      code: `
        services:
          db:
            image: postgres:16
            secrets: [db-password]
          app:
            image: app:1
            secrets:
              - source: db-password
        secrets:
          db-password:
            file: ./db/password.txt
      `,
      errors: [
        {
          line: 11,
          column: 11,
          message: /secret "db-password" is read from the local file \.\/db\/password\.txt, used by "db", "app"/,
        },
      ],
    },
  ],
});
