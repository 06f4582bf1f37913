import { ruleTester } from '../rule-tester.js';
import { dependsOnUnhealthy } from './depends-on-unhealthy.js';

ruleTester(dependsOnUnhealthy, {
  valid: [
    {
      name: 'waits for healthy',
      compose: `
      services:
        db: { image: postgres:16, healthcheck: { test: ["CMD", "pg_isready"], start_period: 30s } }
        web: { image: app:1, depends_on: { db: { condition: service_healthy } } }
    `,
    },
    {
      name: 'dependency without a healthcheck',
      compose: `
      services:
        db: { image: postgres:16 }
        web: { image: app:1, depends_on: [db] }
    `,
    },
    {
      name: 'dependency with its healthcheck disabled',
      compose: `
      services:
        db: { image: postgres:16, healthcheck: { disable: true } }
        web: { image: app:1, depends_on: [db] }
    `,
    },
    {
      name: 'one-shot dependency awaited for completion',
      compose: `
      services:
        migrate: { image: app:1, healthcheck: { test: ["CMD", "true"] } }
        web: { image: app:1, depends_on: { migrate: { condition: service_completed_successfully } } }
    `,
    },
    {
      name: 'dependency in an inactive profile',
      compose: `
      services:
        db: { image: postgres:16, profiles: [dev], healthcheck: { test: ["CMD", "pg_isready"] } }
        web: { image: app:1, depends_on: { db: { condition: service_started, required: false } } }
    `,
    },
  ],
  invalid: [
    {
      name: 'short list form points at the list item',
      code: `
        services:
          db:
            image: postgres:16
            healthcheck: { test: ["CMD", "pg_isready"], start_period: 30s }
          web:
            image: app:1
            depends_on:
              - db
      `,
      errors: [{ line: 8, column: 9, service: 'web', message: 'depends on "db"', severity: 'warning' }],
    },
    {
      name: 'long form with service_started points at the key',
      code: `
        services:
          db:
            image: postgres:16
            healthcheck: { test: ["CMD", "pg_isready"], start_period: 30s }
          web:
            image: app:1
            depends_on:
              db:
                condition: service_started
      `,
      errors: [{ line: 8, column: 7, service: 'web', message: 'only waits for it to start' }],
    },
    {
      name: 'healthcheck that only tunes the image one still counts',
      code: `
        services:
          db: { image: postgres:16, healthcheck: { interval: 10s } }
          web: { image: app:1, depends_on: [db] }
      `,
      errors: [{ line: 3, service: 'web', message: 'depends on "db", which has a healthcheck' }],
    },
  ],
});
