import { ruleTester } from '../rule-tester.js';
import { healthcheckMissing } from './healthcheck-missing.js';

ruleTester(healthcheckMissing, {
  valid: [
    {
      name: 'depended on only by services that wrote condition: service_started (they chose not to wait for health)',
      compose: `
        services:
          db:
            image: postgres:16
          app:
            image: app:1
            depends_on:
              db: { condition: service_started }
          migrate:
            image: app:1
            depends_on:
              db: { condition: service_started, restart: true }
      `,
    },
    {
      name: 'web with a healthcheck',
      compose: `
      services:
        web:
          image: app:1
          ports: ["8080:8080"]
          healthcheck: { test: ["CMD", "wget", "-qO-", "http://localhost:8080/health"] }
    `,
    },
    {
      name: 'worker that nobody calls',
      compose: `
      services:
        worker: { image: app:1, command: ["worker"] }
    `,
    },
    {
      name: 'healthcheck that only tunes the image one',
      compose: `
      services:
        web: { image: app:1, ports: ["80"], healthcheck: { interval: 10s } }
    `,
    },
    {
      name: 'disabled is the other rule',
      compose: `
      services:
        web: { image: app:1, ports: ["80"], healthcheck: { disable: true } }
    `,
    },
    {
      name: 'image that declares its own HEALTHCHECK',
      compose: `
      services:
        ui: { image: ghcr.io/open-webui/open-webui:0.5.4, ports: ["3000:8080"] }
    `,
    },
    {
      name: 'node-exporter sidecar as its docs say',
      compose: `
      services:
        node-exporter:
          image: prom/node-exporter:v1.8.2
          pid: host
          ports: ["9100:9100"]
    `,
    },
    {
      name: 'one-shot migration depended on for completion',
      compose: `
      services:
        migrate: { image: app:1 }
        web:
          image: app:1
          healthcheck: { test: ["CMD", "true"] }
          depends_on: { migrate: { condition: service_completed_successfully } }
    `,
    },
    {
      name: 'exporter named by convention, and a log shipper',
      compose: `
      services:
        pg-exp: { image: quay.io/prometheuscommunity/postgres-exporter:v0.15.0, ports: ["9187:9187"] }
        logs: { image: grafana/promtail:3.2.0, ports: ["9080"] }
    `,
    },
  ],
  invalid: [
    {
      name: 'one dependent waits in the short form: the healthcheck is for it',
      code: `
        services:
          db:
            image: postgres:16
          app:
            image: app:1
            depends_on:
              db: { condition: service_started }
          worker:
            image: app:1
            depends_on: [db]
      `,
      errors: [{ service: 'db', message: 'service "db" is depended on by "worker" but has no healthcheck' }],
    },
    {
      name: 'published port',
      code: `
        services:
          web:
            image: app:1
            ports: ["8080:8080"]
      `,
      errors: [{ line: 2, column: 3, service: 'web', message: /serves traffic .*cannot see/, severity: 'warning' }],
    },
    {
      name: 'expose only',
      code: `
        services:
          api: { image: app:1, expose: ["3000"] }
      `,
      errors: [{ service: 'api', message: 'serves traffic' }],
    },
    {
      name: 'depended on without ports',
      code: `
        services:
          db: { image: postgres:16 }
          web: { image: app:1, depends_on: [db], healthcheck: { test: ["CMD", "true"] } }
      `,
      errors: [{ line: 2, service: 'db', message: 'is depended on by "web"', fix: "PostgreSQL's readiness probe" }],
    },
    {
      name: 'waited on for health but has no healthcheck',
      code: `
        services:
          db: { image: postgres:16 }
          web:
            image: app:1
            healthcheck: { test: ["CMD", "true"] }
            depends_on: { db: { condition: service_healthy } }
      `,
      errors: [{ line: 2, service: 'db', message: 'waits for "db" to be healthy' }],
    },
    {
      name: 'monitoring sidecar that something waits for',
      code: `
        services:
          otel: { image: otel/opentelemetry-collector:0.110.0 }
          web: { image: app:1, depends_on: [otel], healthcheck: { test: ["CMD", "true"] } }
      `,
      errors: [{ service: 'otel', message: 'is depended on by "web"' }],
    },
    {
      // A reverse proxy in front of an app (awesome-compose nginx-* samples, Caddy setups): its hint
      // names no database probe.
      name: 'the hint fits the service: no pg_isready for Caddy',
      code: `
        services:
          caddy: { image: caddy:2.8, ports: ["443:443"] }
          cache: { image: redis:7.4 }
          web: { image: app:1, depends_on: [cache], healthcheck: { test: ["CMD", "true"] } }
      `,
      errors: [
        {
          service: 'caddy',
          message: 'service "caddy" serves traffic',
          fix: 'checks what "caddy" serves (its health endpoint or port',
        },
        { service: 'cache', message: 'is depended on by "web"', fix: "Add Redis's readiness probe" },
      ],
    },
  ],
});
