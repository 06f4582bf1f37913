import { healthcheckState } from '../lib/healthcheck.js';
import type { Rule } from '../types.js';

export const dependsOnUnhealthy: Rule = {
  id: 'depends-on-unhealthy',
  section: 'restart',
  severity: 'warning',
  title: 'Depends on a service with a healthcheck without waiting for it to be healthy',
  rationale:
    'After every CVM restart and upgrade all containers start together. `depends_on` without `condition: service_healthy` only waits for the container to start, so the dependent connects before the database accepts connections and crashes or caches a failure (checklist: apps must handle being stopped and started at any time).',
  fixHint: 'Use the long form: `depends_on: { db: { condition: service_healthy } }`.',
  check(ctx) {
    const active = new Map(ctx.services);
    for (const [name, svc] of ctx.services) {
      for (const [dep, spec] of Object.entries(svc.depends_on ?? {})) {
        const target = active.get(dep);
        if (!target) continue;
        const condition = spec?.condition ?? 'service_started';
        if (condition !== 'service_started') continue;
        const state = healthcheckState(target);
        if (state !== 'defined' && state !== 'inherited') continue;
        ctx.report({
          service: name,
          path: ['services', name, 'depends_on', dep],
          message: `service "${name}" depends on "${dep}", which has a healthcheck, but only waits for it to start (add condition: service_healthy)`,
        });
      }
    }
  },
};
