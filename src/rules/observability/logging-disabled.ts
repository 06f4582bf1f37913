import { LOCAL_LOGGING_DRIVERS } from '../../knowledge/log-forwarders.js';
import type { Rule } from '../types.js';

const TRUE = /^(true|1|yes)$/i;

export const loggingDisabled: Rule = {
  id: 'logging-disabled',
  section: 'observability',
  severity: 'warning',
  title: 'Container logs turned off or kept where the platform cannot show them',
  rationale:
    "The checklist asks you to decide how you will read logs in production; the CVM's log view " +
    '(`/logs/<container>`) and `docker logs` read the local copy Docker keeps (json-file, 100 MB × 10 files per ' +
    'container; docs/platform.md#logs-and-sysinfo). Logging driver `none` keeps nothing, and a remote driver ' +
    'with `cache-disabled` keeps no local copy (docs.docker.com/engine/logging/dual-logging/): after a crash ' +
    'there is nothing to look at.',
  fixHint:
    "Remove the `logging:` override (the CVM's json-file default with rotation is fine), or keep dual logging " +
    'on for remote drivers.',
  example: {
    bad: `services:
  web:
    image: ghcr.io/acme/shop:1.4.2
    logging:
      driver: none
`,
    good: `services:
  web:
    image: ghcr.io/acme/shop:1.4.2
    logging:
      driver: json-file
      options:
        max-size: 10m
        max-file: "3"
`,
  },
  check(ctx) {
    for (const [name, svc] of ctx.services) {
      const driver = svc.logging?.driver;
      if (typeof driver !== 'string') continue;
      const d = driver.trim().toLowerCase();
      if (d === 'none') {
        ctx.report({
          service: name,
          valuePath: ['services', name, 'logging', 'driver'],
          messageId: 'driverNone',
          message: (who) =>
            `${who} ${who.v('has', 'have')} logging driver none: ${who.v('its', 'their')} logs are thrown away`,
        });
        continue;
      }
      if (LOCAL_LOGGING_DRIVERS.includes(d)) continue;
      const cache = svc.logging?.options?.['cache-disabled'];
      if (cache !== undefined && TRUE.test(String(cache))) {
        ctx.report({
          service: name,
          valuePath: ['services', name, 'logging', 'options', 'cache-disabled'],
          messageId: 'cacheDisabled',
          message: (who) =>
            `${who} ${who.v('uses', 'use')} logging driver ${d} with cache-disabled: the CVM keeps no copy its ` +
            `log view or docker logs can show`,
        });
      }
    }
  },
};
