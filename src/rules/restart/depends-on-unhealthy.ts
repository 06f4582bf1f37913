import type { FixContext, FixOutcome, FixTarget } from '../fix-types.js';
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
    'After every CVM restart and upgrade all containers start together (docs/platform.md#boot-sequence). ' +
    '`depends_on` in its short form only waits for the container to start, so the dependent connects before the ' +
    'database accepts connections and crashes or caches a failure (checklist: apps must handle being stopped and ' +
    'started at any time). An explicit `condition: service_started` is a choice the author made (the app ' +
    'retries, or must not wait) and is left alone.',
  fixHint: 'Use the long form: `depends_on: { db: { condition: service_healthy } }`.',
  fix: fixDependsOnUnhealthy,
  example: {
    bad: `services:
  web:
    image: ghcr.io/acme/shop:1.4.2
    depends_on:
      - db
  db:
    image: postgres:16.4
    healthcheck:
      test: ["CMD-SHELL", "pg_isready -U postgres"]
`,
    good: `services:
  web:
    image: ghcr.io/acme/shop:1.4.2
    depends_on:
      db:
        condition: service_healthy
  db:
    image: postgres:16.4
    healthcheck:
      test: ["CMD-SHELL", "pg_isready -U postgres"]
`,
  },
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
            `${who} ${who.v('depends', 'depend')} on "${dep}", ${which}, but only ${who.v('waits', 'wait')} for ` +
            `it to start`,
          hint:
            `Wait for "${dep}" to be healthy: \`depends_on: { ${dep}: { condition: service_healthy } }\`; if the ` +
            `app retries on its own, write \`condition: service_started\` to say so.`,
        });
      }
    }
  },
};

/**
 * `condition: service_healthy` on the dependency; a short-form list becomes the long form, each
 * other dependency keeping the `service_started` the short form meant.
 */
function fixDependsOnUnhealthy(ctx: FixContext, { report }: FixTarget): FixOutcome {
  const name = report.service!;
  const dep = String(report.path![3]);
  const edit = ctx.service(name);
  if (edit.has(['depends_on', dep])) edit.set(['depends_on', dep, 'condition'], 'service_healthy');
  else
    edit.update(['depends_on'], (current) => {
      const longForm: Record<string, unknown> = Array.isArray(current)
        ? Object.fromEntries(current.map((d) => [String(d), { condition: 'service_started' }]))
        : { ...(current as Record<string, unknown>) };
      if (!(dep in longForm)) ctx.refuse(`depends_on of service "${name}" is not written in this service`);
      longForm[dep] = { ...(longForm[dep] as object), condition: 'service_healthy' };
      return longForm;
    });
  return {
    description: `service "${name}" waits for "${dep}" to be healthy (depends_on condition: service_healthy)`,
    changesBehaviour: `"${name}" starts only once "${dep}" reports healthy, and not at all while it does not`,
  };
}
