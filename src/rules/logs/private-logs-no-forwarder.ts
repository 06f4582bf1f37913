import { logForwarder } from '../lib/observability.js';
import type { Rule } from '../types.js';

export const privateLogsNoForwarder: Rule = {
  id: 'private-logs-no-forwarder',
  section: 'logs',
  severity: 'warning',
  title: 'Logs are private and no log viewer or forwarder is set up',
  rationale:
    'The checklist: "If you keep logs private, set up a secure log viewer … or forward logs to an external ' +
    'logging service so you can still debug issues." With `public_logs: false` and nothing that reads or ships ' +
    'logs, nobody can see why the app fails in the CVM.',
  fixHint:
    'Add a log viewer behind authentication (amir20/dozzle) or a forwarder (Vector, Fluent Bit, Promtail/Alloy, ' +
    'an OpenTelemetry collector) to an external service, or a remote logging driver with dual logging on.',
  example: {
    file: 'docker-compose.yml',
    beside: {
      '.preflight.yml': `deployment:
  public_logs: false
`,
    },
    bad: `services:
  web:
    image: ghcr.io/acme/shop:1.4.2
    restart: unless-stopped
`,
    good: `services:
  web:
    image: ghcr.io/acme/shop:1.4.2
    restart: unless-stopped
    logging:
      driver: fluentd
      options:
        fluentd-address: logs.acme.example:24224
`,
  },
  check(ctx) {
    if (ctx.deployment.public_logs) return;
    if (ctx.services.length === 0) return;
    if (ctx.services.some(([, svc]) => logForwarder(svc))) return;
    ctx.report({
      loc: ctx.deploymentLocation('public_logs'),
      message:
        'public_logs is false and no service views or forwards logs (Dozzle, Vector, Fluent Bit, Promtail, an ' +
        'OpenTelemetry collector…): nobody can read them',
    });
  },
};
