import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ruleTester, run } from '../rule-tester.js';
import { noMetricsExporter } from './no-metrics-exporter.js';

ruleTester(noMetricsExporter, {
  valid: [
    {
      name: 'node-exporter sidecar',
      compose: `
        services:
          app: { image: app:1 }
          node-exporter:
            image: quay.io/prometheus/node-exporter:v1.8.2
            pid: host
            volumes: ["/:/host:ro,rslave"]
      `,
    },
    `
    services:
      app: { image: app:1 }
      cadvisor: { image: gcr.io/cadvisor/cadvisor:v0.49.1 }
    `,
    `
    services:
      app: { image: app:1 }
      otel: { image: otel/opentelemetry-collector-contrib:0.110.0 }
    `,
    {
      name: 'a Prometheus exporter by naming convention',
      compose: `
        services:
          db: { image: postgres:16 }
          pg-exporter: { image: prometheuscommunity/postgres-exporter:v0.15.0 }
      `,
    },
    { name: 'no services at all', compose: 'services: {}\n' },
  ],
  invalid: [
    {
      name: 'deployment-level: no service, points at services',
      code: `
        services:
          app: { image: app:1 }
          prometheus: { image: prom/prometheus:v2.54.1 }
      `,
      errors: [{ line: 1, column: 1, service: undefined, message: 'no service exports metrics' }],
    },
    {
      name: 'an exporter only under an inactive profile does not count',
      code: `
        services:
          app: { image: app:1 }
          node-exporter:
            image: prom/node-exporter:v1.8.2
            profiles: [monitoring]
      `,
      errors: [{ line: 1, message: 'no service exports metrics' }],
    },
  ],
});

describe('no-metrics-exporter is opt-in', () => {
  const compose = 'services:\n  app: { image: app:1 }\n';
  it('reports nothing unless .preflight.yml gives it a severity', () => {
    assert.deepEqual(run(noMetricsExporter, { compose }, { asConfigured: true }), []);
  });
  it('reports at the severity .preflight.yml gives it', () => {
    const found = run(
      noMetricsExporter,
      { compose, config: 'rules:\n  no-metrics-exporter: warning\n' },
      { asConfigured: true },
    );
    assert.deepEqual(
      found.map((f) => [f.severity, f.message]),
      [
        [
          'warning',
          'no service exports metrics (node-exporter, cAdvisor, an OpenTelemetry collector or a Prometheus exporter)',
        ],
      ],
    );
  });
});
