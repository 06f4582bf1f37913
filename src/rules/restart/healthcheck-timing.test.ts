import { ruleTester } from '../rule-tester.js';
import { healthcheckTiming } from './healthcheck-timing.js';

ruleTester(healthcheckTiming, {
  valid: [
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
  ],
  invalid: [
    {
      name: 'timeout equal to interval points at timeout (info)',
      code: `
        services:
          web:
            image: app:1
            healthcheck:
              test: ["CMD", "true"]
              interval: 10s
              timeout: 10s
      `,
      errors: [
        {
          line: 7,
          column: 7,
          service: 'web',
          message: 'timeout of 10s, not below its interval of 10s',
          severity: 'info',
        },
      ],
    },
    {
      name: 'short interval with the default timeout points at interval',
      code: `
        services:
          web:
            image: app:1
            healthcheck:
              test: ["CMD", "true"]
              interval: 3s
      `,
      errors: [{ line: 6, column: 7, message: '30s (the default)' }],
    },
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
      errors: [{ line: 6, column: 7, message: 'retries: 0', severity: 'warning' }],
    },
    {
      name: 'absurd interval',
      code: `
        services:
          web:
            image: app:1
            healthcheck: { test: ["CMD", "true"], interval: 1h, timeout: 10s }
      `,
      errors: [{ line: 4, message: 'every 1h' }],
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
      errors: [{ line: 4, column: 5, service: 'db', message: 'no start_period' }],
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
        { line: 4, message: 'no start_period' },
        { line: 7, message: 'timeout' },
        { line: 8, message: 'retries' },
      ],
    },
  ],
});
