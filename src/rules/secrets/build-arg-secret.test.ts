import { ruleTester } from '../rule-tester.js';
import { buildArgSecret } from './build-arg-secret.js';

const GH = 'ghp_' + 'aB3dE5gH7jK9mN1pQ3sT5vW7yZ9bC1dE3fG5';

ruleTester(buildArgSecret, {
  valid: [
    `
    services:
      web:
        build:
          context: .
          args:
            NODE_VERSION: "20"
            PASSWORD_MIN_LENGTH: 8
            JWT_SECRET_FILE: /run/secrets/x
            ENABLE_AUTH: "true"
            DATABASE_HOST: db
          secrets: [npm_token]
    secrets:
      npm_token:
        environment: NPM_TOKEN
    `,
  ],
  invalid: [
    {
      name: 'secret-like names (even as references) and provider tokens, map and list syntax',
      code: `
        services:
          web:
            build:
              context: .
              args:
                NPM_TOKEN: \${NPM_TOKEN}
                API_KEY: hunter2
          worker:
            build:
              context: .
              args:
                - GITHUB_AUTH=${GH}
                - BUILD_REF=${GH}
      `,
      errors: [
        {
          line: 6,
          column: 9,
          service: 'web',
          message: 'passes the secret-like build arg NPM_TOKEN',
          severity: 'warning',
        },
        {
          line: 7,
          column: 9,
          service: 'web',
          message: 'build arg API_KEY with a literal value (****(7 chars))',
          severity: 'error',
        },
        { line: 12, service: 'worker', message: 'GITHUB_AUTH with a literal GitHub token', severity: 'error' },
        { line: 13, service: 'worker', message: 'BUILD_REF with a literal GitHub token', severity: 'error' },
      ],
    },
    {
      name: 'URL-valued build arg whose value from the environment carries a password',
      code: {
        compose: `
          services:
            web:
              build:
                context: .
                args:
                  DATABASE_URL: \${DATABASE_URL}
                  REDIS_URL: redis://cache:6379
        `,
        env: 'DATABASE_URL=postgres://app:Hunter2-very-secret@db/app\n',
      },
      errors: [
        {
          line: 6,
          messageId: 'carriesSecret',
          message: 'service "web" passes build arg DATABASE_URL, whose value (from the environment) holds',
        },
      ],
    },
    {
      name: 'URL-valued build arg with a secret-like variable inside',
      code: `
        services:
          web:
            build:
              context: .
              args: ["DATABASE_URL=postgres://app:\${DB_PASSWORD}@db/app"]
      `,
      errors: [{ line: 5, messageId: 'carriesSecret', message: 'whose value carries ${DB_PASSWORD}' }],
    },
  ],
});
