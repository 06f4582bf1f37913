import { ruleTester } from '../rule-tester.js';
import { requiredEnvUnguarded } from './required-env-unguarded.js';

ruleTester(requiredEnvUnguarded, {
  valid: [
    `
    services:
      web:
        image: app:1
        environment:
          API_KEY: \${API_KEY:?API_KEY is required}
          PASSWORD_MIN_LENGTH: \${PASSWORD_MIN_LENGTH}
          JWT_SECRET_FILE: \${JWT_SECRET_FILE}
          ENABLE_AUTH: \${ENABLE_AUTH}
          LOG_LEVEL: \${LOG_LEVEL}
          HF_TOKEN: \${HF_TOKEN:-}
    `,
    {
      name: 'one guarded reference guards the name everywhere',
      compose: `
        services:
          db:
            image: postgres:16
            environment:
              POSTGRES_PASSWORD: \${DB_PASSWORD?}
          web:
            image: app:1
            environment:
              DATABASE_URL: postgres://user:\${DB_PASSWORD}@db/app
      `,
    },
    {
      // Outline's and Immich's shipped .env leave optional credentials empty (SMTP, OIDC):
      // optional by design, and a :? guard would stop the boot.
      name: 'variable the project ships empty in its .env',
      compose: `
        services:
          web:
            image: app:1
            environment:
              SMTP_PASSWORD: \${SMTP_PASSWORD}
              OIDC_CLIENT_SECRET:
      `,
      env: 'SMTP_PASSWORD=\nOIDC_CLIENT_SECRET=\n',
    },
    {
      name: 'an empty-string default is optional by design',
      compose: `
        services:
          web: { image: app:1, environment: { SENTRY_AUTH_TOKEN: "\${SENTRY_AUTH_TOKEN:-}", GH_TOKEN: \
'\${GH_TOKEN-""}' } }
      `,
    },
    {
      name: "a top-level secret's environment: cannot take a guard",
      compose: `
        services:
          web: { image: app:1, secrets: [api_token] }
        secrets:
          api_token: { environment: API_TOKEN }
      `,
    },
    {
      name: "a literal default is secret-default's finding, not this one",
      compose: `
        services:
          web: { image: app:1, environment: { SESSION_SECRET: "\${SESSION_SECRET:-dev}" } }
      `,
    },
  ],
  invalid: [
    {
      name: 'unguarded in a URL, counted once per name',
      code: `
        services:
          web:
            image: app:1
            environment:
              DATABASE_URL: postgres://user:\${DB_PASSWORD}@db/app
              DB_PASSWORD: $DB_PASSWORD
              API_KEY: \${API_KEY}
      `,
      errors: [
        {
          line: 5,
          column: 37,
          service: 'web',
          message: 'service "web" references ${DB_PASSWORD} (2 references) without a :? guard',
          related: [{ line: 6, column: 20 }],
          fix: '${DB_PASSWORD:?DB_PASSWORD is required}',
        },
        { line: 7, column: 16, service: 'web', message: '${API_KEY} without a :? guard' },
      ],
    },
    {
      // The postgres image's README style: `- POSTGRES_PASSWORD` passed through from the environment.
      name: 'bare pass-through in list form counts as a reference',
      code: `
        services:
          db:
            image: postgres:16
            environment:
              - POSTGRES_USER=app
              - POSTGRES_PASSWORD
      `,
      errors: [
        {
          line: 6,
          column: 9,
          service: 'db',
          messageId: 'passThrough',
          message:
            'service "db" passes POSTGRES_PASSWORD through without a :? guard; if the secret is dropped it is ' +
            'missing from the container',
          fix: 'POSTGRES_PASSWORD: ${POSTGRES_PASSWORD:?POSTGRES_PASSWORD is required}',
        },
      ],
    },
    {
      name: 'bare pass-through in map form (no value) counts as a reference',
      code: `
        services:
          web:
            image: app:1
            environment:
              SECRET_KEY:
      `,
      errors: [{ line: 5, column: 7, messageId: 'passThrough', message: 'passes SECRET_KEY through' }],
    },
    {
      // Sentry/Airflow style: one anchored environment block shared by many services.
      name: 'one variable referenced by several services is one finding, every reference related',
      code: `
        x-env: &env
          SECRET_KEY: \${SECRET_KEY}
        services:
          web: { image: app:1, environment: *env }
          worker: { image: app:1, environment: *env }
          beat:
            image: app:1
            environment:
              DJANGO_SECRET_KEY: \${SECRET_KEY}
      `,
      errors: [
        {
          line: 2,
          column: 15,
          service: 'web',
          messageId: 'unguarded',
          message: 'services "web", "worker" and "beat" reference ${SECRET_KEY} (2 references) without a :? guard',
          related: [
            { line: 2, service: 'worker' },
            { line: 9, column: 26, service: 'beat' },
          ],
          fix: '${SECRET_KEY:?SECRET_KEY is required}',
        },
      ],
    },
  ],
});
