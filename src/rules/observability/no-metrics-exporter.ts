import { metricsExporter } from '../lib/observability.js';
import type { Rule } from '../types.js';
import type { FixContext, FixOutcome } from '../fix-types.js';
import { NODE_EXPORTER_SERVICE } from '../../knowledge/fix-templates.js';

export const noMetricsExporter: Rule = {
  id: 'no-metrics-exporter',
  section: 'observability',
  severity: 'warning',
  title: 'No metrics exporter or collector among the services',
  optIn: true,
  rationale:
    'The checklist: "Include a metrics exporter (such as Prometheus Node Exporter) as a sidecar container in ' +
    'your Docker Compose to collect system and application metrics." The owner already sees the guest\'s current ' +
    "CPU, memory, disk and load without one (Phala Cloud's `GET /cvms/{id}/stats`, read by the host over the " +
    'guest API whatever `public_sysinfo` says: docs/platform.md#logs-and-sysinfo); an exporter adds history, ' +
    'alerts and per-container or application metrics, which a production deployment wants and a demo does not. ' +
    'Opt-in: turn it on with `rules: { no-metrics-exporter: warning }` in .preflight.yml.',
  fixHint:
    'Add a node-exporter sidecar (`prom/node-exporter` with `pid: host` and `/:/host:ro,rslave`, ' +
    '`--path.rootfs=/host`), cAdvisor or an OpenTelemetry collector, and scrape it from outside through the ' +
    'gateway with authentication.',
  fix: fixNoMetricsExporter,
  example: {
    // The rule is opt-in: the project turns it on.
    beside: { '.preflight.yml': 'rules:\n  no-metrics-exporter: warning\n' },
    bad: `services:
  web:
    image: ghcr.io/acme/shop:1.4.2
    restart: unless-stopped
`,
    good: `services:
  web:
    image: ghcr.io/acme/shop:1.4.2
    restart: unless-stopped
  node-exporter:
    image: quay.io/prometheus/node-exporter:v1.9.1
    command: --path.rootfs=/host
    pid: host
    restart: unless-stopped
    volumes:
      - /:/host:ro,rslave
`,
  },
  check(ctx) {
    if (ctx.services.length === 0) return;
    if (ctx.services.some(([, svc]) => metricsExporter(svc))) return;
    ctx.report({
      path: ['services'],
      message:
        'no service exports metrics (node-exporter, cAdvisor, an OpenTelemetry collector or a Prometheus exporter)',
    });
  },
};

/** The node-exporter sidecar as its documentation runs it (knowledge/fix-templates.ts). */
function fixNoMetricsExporter(ctx: FixContext): FixOutcome {
  const { name, definition, comment } = NODE_EXPORTER_SERVICE;
  const added = ctx.addService(name, structuredClone(definition) as Record<string, unknown>, comment);
  return {
    description: `add service "${added}" (${definition.image}, the host mounted read-only at /host, pid: host)`,
    changesBehaviour: `a new container "${added}" runs, serving host metrics on port 9100 inside the compose network`,
  };
}
