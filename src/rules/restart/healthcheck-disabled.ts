import { healthcheckState } from '../lib/healthcheck.js';
import { servesTraffic } from '../lib/services.js';
import type { Rule } from '../types.js';

export const healthcheckDisabled: Rule = {
  id: 'healthcheck-disabled',
  section: 'restart',
  severity: 'warning',
  title: 'Healthcheck disabled',
  rationale:
    '`disable: true` or `test: ["NONE"]` also switches off the image\'s own HEALTHCHECK: after a CVM restart ' +
    'nothing can tell that the service is up but not working, and dependents cannot wait for it (checklist: ' +
    'expose health endpoints needed for monitoring).',
  fixHint: 'Remove `disable: true` / `test: ["NONE"]`, or replace it with a probe that works in this image.',
  example: {
    bad: `services:
  web:
    image: ghcr.io/acme/shop:1.4.2
    ports:
      - "8080:8080"
    healthcheck:
      disable: true
`,
    good: `services:
  web:
    image: ghcr.io/acme/shop:1.4.2
    ports:
      - "8080:8080"
    healthcheck:
      test: ["CMD", "wget", "-qO-", "http://localhost:8080/healthz"]
`,
  },
  check(ctx) {
    for (const [name, svc] of ctx.services) {
      if (healthcheckState(svc) !== 'disabled') continue;
      const viaDisable = svc.healthcheck?.disable === true;
      const dependedOn = ctx.services.some(([other, s]) => other !== name && s.depends_on?.[name] !== undefined);
      ctx.report({
        service: name,
        ...(viaDisable
          ? { path: ['services', name, 'healthcheck', 'disable'] }
          : { valuePath: ['services', name, 'healthcheck', 'test'] }),
        // A disabled check on a background worker nobody waits for costs little.
        severity: servesTraffic(svc) || dependedOn ? undefined : 'info',
        message: (who) =>
          `${who} ${who.v('disables its', 'disable their')} ` +
          `healthcheck${viaDisable ? ' (disable: true)' : ' (test: ["NONE"])'}, including any ` +
          `HEALTHCHECK ${who.v('its image declares', 'their images declare')}`,
      });
    }
  },
};
