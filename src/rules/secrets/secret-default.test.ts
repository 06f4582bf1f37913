import { ruleTester } from '../rule-tester.js';
import { secretDefault } from './secret-default.js';

ruleTester(secretDefault, {
  valid: [
    `
    services:
      web:
        image: app:1
        environment:
          API_KEY: \${API_KEY}
          DB_PASSWORD: \${DB_PASSWORD:?DB_PASSWORD is required}
          PASSWORD_MIN_LENGTH: \${PASSWORD_MIN_LENGTH:-8}
          JWT_SECRET_FILE: \${JWT_SECRET_FILE:-/run/secrets/jwt}
          LOG_LEVEL: \${LOG_LEVEL:-info}
          ENABLE_AUTH: \${ENABLE_AUTH:-true}
          DATABASE_URL: postgres://user:\${DB_PASSWORD}@db/app
    `,
    {
      name: 'empty default and a fallback to another variable are not literal defaults',
      compose: `
        services:
          web:
            image: app:1
            environment:
              HF_TOKEN: \${HF_TOKEN:-}
              API_TOKEN: \${API_TOKEN:-\${LEGACY_TOKEN}}
              SESSION_SECRET: \${SESSION_SECRET:+set}
      `,
    },
  ],
  invalid: [
    {
      name: 'literal defaults, both modifiers, message without the default',
      code: `
        services:
          db:
            image: postgres:16
            environment:
              POSTGRES_PASSWORD: \${DB_PASSWORD:-changeme}
          web:
            image: app:1
            command: ["app", "--db", "postgres://app:\${DB_PASSWORD-hunter2}@db/app"]
      `,
      errors: [
        {
          line: 5,
          column: 26,
          service: 'db',
          message: new RegExp(
            String.raw`service "db" reads \$\{DB_PASSWORD\} with a literal default \(${'`'}:-${'`'}\); ` +
              'if the secret is dropped it silently runs with the default$',
          ),
        },
        { line: 8, column: 46, service: 'web', message: '(`-`)' },
      ],
    },
  ],
});
