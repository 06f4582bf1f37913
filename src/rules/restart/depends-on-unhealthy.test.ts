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
    {
      // A choice the author wrote down (the app retries on its own), e.g. Immich's compose file.
      name: 'explicit condition: service_started is left alone',
      compose: `
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
    },
    {
      name: 'explicit service_started written in a merged x- block',
      compose: `
      x-needs-db: &needs-db
        depends_on:
          db: { condition: service_started }
      services:
        db: { image: postgres:16, healthcheck: { test: ["CMD", "pg_isready"] } }
        web: { <<: *needs-db, image: app:1 }
        worker: { <<: *needs-db, image: app:1 }
    `,
    },
    {
      name: 'explicit quoted "condition" key',
      compose: `
      services:
        db: { image: postgres:16, healthcheck: { test: ["CMD", "pg_isready"] } }
        web: { image: app:1, depends_on: { db: { "condition": service_started } } }
    `,
    },
    {
      name: 'dependency whose image HEALTHCHECK is disabled in the service',
      compose: `
      services:
        paperless: { image: ghcr.io/paperless-ngx/paperless-ngx:2.14, healthcheck: { disable: true } }
        web: { image: app:1, depends_on: [paperless] }
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
      name: 'healthcheck that only tunes the image one still counts',
      code: `
        services:
          db: { image: postgres:16, healthcheck: { interval: 10s } }
          web: { image: app:1, depends_on: [db] }
      `,
      errors: [{ line: 3, service: 'web', message: 'depends on "db", which has a healthcheck' }],
    },
    {
      name: 'long form without a condition waits for start only',
      code: `
        services:
          db: { image: postgres:16, healthcheck: { test: ["CMD", "pg_isready"] } }
          web: { image: app:1, depends_on: { db: { restart: true } } }
      `,
      errors: [
        {
          line: 3,
          service: 'web',
          messageId: 'startedOnly',
          fix: 'depends_on: { db: { condition: service_healthy } }',
        },
      ],
    },
    {
      name: 'dependency whose image declares its own HEALTHCHECK (the hint names the real dependency)',
      code: `
        services:
          broker: { image: ghcr.io/paperless-ngx/paperless-ngx:2.14 }
          web: { image: app:1, depends_on: [broker] }
      `,
      errors: [
        {
          line: 3,
          service: 'web',
          message: 'depends on "broker", whose image declares a HEALTHCHECK (Paperless-ngx)',
          fix: 'depends_on: { broker: { condition: service_healthy } }',
        },
      ],
    },
    {
      name: 'one short-form list merged into several services is one finding',
      code: `
        x-app: &app
          image: app:1
          depends_on: [db]
        services:
          db: { image: postgres:16, healthcheck: { test: ["CMD", "pg_isready"] } }
          web: *app
          worker: { <<: *app }
      `,
      errors: [
        {
          line: 3,
          message: 'services "web" and "worker" depend on "db"',
          related: [{ service: 'web' }, { service: 'worker' }],
        },
      ],
    },
  ],
});
