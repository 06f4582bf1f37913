import { ruleTester } from '../rule-tester.js';
import { healthcheckTiming } from './healthcheck-timing.js';

ruleTester(healthcheckTiming, {
  valid: [
    {
      name:
        'a duration Compose refuses is compose-invalid, not read as the default (no slow-start or interval ' +
        'finding)',
      compose: `
      services:
        db:
          image: postgres:16
          healthcheck: { test: ["CMD", "pg_isready"], interval: often, retries: 1 }
    `,
    },
    {
      name: 'sensible timings',
      compose: `
      services:
        web:
          image: app:1
          healthcheck: { test: ["CMD", "true"], interval: 10s, timeout: 3s, retries: 3 }
    `,
    },
    {
      name: 'Docker defaults are not flagged (timeout = interval = 30s by default)',
      compose: `
      services:
        web: { image: app:1, healthcheck: { test: ["CMD", "true"] } }
    `,
    },
    {
      name: 'slow starter with start_period',
      compose: `
      services:
        db:
          image: postgres:16
          healthcheck: { test: ["CMD", "pg_isready"], interval: 5s, timeout: 3s, retries: 5, start_period: 30s }
    `,
    },
    {
      name: 'slow starter whose retries already cover a minute',
      compose: `
      services:
        db:
          image: mysql:8.4
          healthcheck: { test: ["CMD", "mysqladmin", "ping"], interval: 10s, timeout: 5s, retries: 10 }
    `,
    },
    {
      name: 'fast starter without start_period',
      compose: `
      services:
        cache:
          image: redis:7
          healthcheck: { test: ["CMD", "redis-cli", "ping"], interval: 5s, timeout: 3s, retries: 3 }
    `,
    },
    {
      name: 'disabled healthcheck is not timed',
      compose: `
      services:
        web: { image: app:1, healthcheck: { disable: true, retries: 0 } }
    `,
    },
    {
      // Docker starts the next probe when the previous one ends: timeout >= interval hides nothing.
      name: 'timeout at or above the interval (awesome-compose nginx-golang-mysql: interval 3s, default timeout)',
      compose: `
      services:
        db:
          image: mariadb:10.6
          healthcheck: { test: ["CMD", "mysqladmin", "ping", "-h", "127.0.0.1"], interval: 3s, retries: 5, \
start_period: 30s }
        web:
          image: app:1
          healthcheck: { test: ["CMD", "true"], interval: 10s, timeout: 20s }
    `,
    },
    {
      name: 'long interval nobody waits for is a choice',
      compose: `
      services:
        backup:
          image: app:1
          healthcheck: { test: ["CMD", "true"], interval: 1h, timeout: 10s }
    `,
    },
    {
      name: 'long interval with a start_period (probes run every start_interval meanwhile)',
      compose: `
      services:
        api:
          image: app:1
          healthcheck: { test: ["CMD", "true"], interval: 10m, start_period: 1m }
        web: { image: app:1, depends_on: { api: { condition: service_healthy } } }
    `,
    },
  ],
  invalid: [
    {
      name: 'retries: 0',
      code: `
        services:
          web:
            image: app:1
            healthcheck:
              test: ["CMD", "true"]
              retries: 0
      `,
      errors: [{ line: 6, column: 7, messageId: 'retriesIgnored', message: 'retries: 0', severity: 'warning' }],
    },
    {
      name: 'retries: 0 in a merged x- block is one finding',
      code: `
        x-health: &health
          test: ["CMD", "true"]
          retries: 0
        services:
          web: { image: app:1, healthcheck: *health }
          worker: { image: app:1, healthcheck: *health }
      `,
      errors: [
        {
          line: 3,
          message: 'services "web" and "worker" set healthcheck retries: 0',
          related: [{ service: 'web' }, { service: 'worker' }],
        },
      ],
    },
    {
      name: 'long interval on a service another waits for delays every boot',
      code: `
        services:
          api:
            image: app:1
            healthcheck: { test: ["CMD", "true"], interval: 1h, timeout: 10s }
          web: { image: app:1, depends_on: { api: { condition: service_healthy } } }
      `,
      errors: [
        {
          line: 4,
          messageId: 'firstProbeLate',
          message: '"web" waits for it to be healthy: the first probe runs 1h after start',
        },
      ],
    },
    {
      name: 'slow starter without start_period points at healthcheck',
      code: `
        services:
          db:
            image: postgres:16
            healthcheck:
              test: ["CMD", "pg_isready"]
              interval: 5s
              timeout: 3s
              retries: 5
      `,
      errors: [{ line: 4, column: 5, service: 'db', messageId: 'noStartPeriod', message: 'no start_period' }],
    },
    {
      name: 'several problems, one finding each, in line order',
      code: `
        services:
          es:
            image: elasticsearch:8.15.0
            healthcheck:
              test: ["CMD-SHELL", "curl -f localhost:9200"]
              interval: 10s
              timeout: 20s
              retries: 0
      `,
      errors: [
        { line: 4, messageId: 'noStartPeriod', message: 'service "es" (Elasticsearch) starts slowly' },
        { line: 8, messageId: 'retriesIgnored', message: 'retries' },
      ],
    },
  ],
});
