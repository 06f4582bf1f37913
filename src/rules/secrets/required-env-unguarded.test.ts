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
          message: /references \$\{DB_PASSWORD\} \(and 1 more reference\) without a :\? guard/,
        },
        { line: 7, column: 16, service: 'web', message: '${API_KEY} without a :? guard' },
      ],
    },
  ],
});
