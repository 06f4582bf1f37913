import { IMAGES_WITH_OWN_HEALTHCHECK } from '../../knowledge/healthcheck-images.js';
import { matchImage } from '../../knowledge/image.js';
import { healthcheckState } from '../lib/healthcheck.js';
import { keyWritten } from '../lib/written.js';
import type { Rule } from '../types.js';

export const dependsOnUnhealthy: Rule = {
  id: 'depends-on-unhealthy',
  section: 'restart',
  severity: 'warning',
  title: 'Depends on a service with a healthcheck without waiting for it to be healthy',
  rationale:
    'After every CVM restart and upgrade all containers start together (docs/platform.md#boot-sequence). `depends_on` in its short form only waits for the container to start, so the dependent connects before the database accepts connections and crashes or caches a failure (checklist: apps must handle being stopped and started at any time). An explicit `condition: service_started` is a choice the author made (the app retries, or must not wait) and is left alone.',
  fixHint: 'Use the long form: `depends_on: { db: { condition: service_healthy } }`.',
  check(ctx) {
    const active = new Map(ctx.services);
    for (const [name, svc] of ctx.services) {
      for (const [dep, spec] of Object.entries(svc.depends_on ?? {})) {
        const target = active.get(dep);
        if (!target) continue;
        const condition = spec?.condition ?? 'service_started';
        if (condition !== 'service_started') continue;
        if (keyWritten(ctx.project, ['services', name, 'depends_on', dep, 'condition'])) continue;
        const state = healthcheckState(target);
        const fromImage = state === 'none' && matchImage(IMAGES_WITH_OWN_HEALTHCHECK, target.image);
        if (state !== 'defined' && state !== 'inherited' && !fromImage) continue;
        const which = fromImage
          ? `whose image declares a HEALTHCHECK (${fromImage.product})`
          : 'which has a healthcheck';
        ctx.report({
          service: name,
          path: ['services', name, 'depends_on', dep],
          messageId: 'startedOnly',
          message: (who) =>
            `${who} ${who.v('depends', 'depend')} on "${dep}", ${which}, but only ${who.v('waits', 'wait')} for it to start`,
          hint: `Wait for "${dep}" to be healthy: \`depends_on: { ${dep}: { condition: service_healthy } }\`; if the app retries on its own, write \`condition: service_started\` to say so.`,
        });
      }
    }
  },
};
