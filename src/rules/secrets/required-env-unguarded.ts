import { inventory } from '../../secrets/plan.js';
import { refLocation } from '../lib/secrets.js';
import type { Rule } from '../types.js';

export const requiredEnvUnguarded: Rule = {
  id: 'required-env-unguarded',
  section: 'secrets',
  severity: 'warning',
  title: 'Secret-like variable referenced without a `:?` guard',
  rationale:
    'Secret updates replace the whole set, and names missing from `allowed_envs` are skipped (checklist: "Partial updates will result in dropped variables"; docs/platform.md#secrets). An unguarded `${DB_PASSWORD}` then becomes an empty string, and a bare `- DB_PASSWORD` is simply missing, so the app boots with no password instead of failing.',
  fixHint: 'Guard the reference: `${DB_PASSWORD:?DB_PASSWORD is required}`; compose then refuses to start without it.',
  check(ctx) {
    // The same inventory `preflight secrets plan` reads: a `:?`/`?` guard on any reference stops
    // compose for the whole project, so one guard covers every reference of the name.
    for (const item of inventory(ctx.project.variables, new Set())) {
      if (!item.secretLike || item.guarded || !item.required) continue;
      const refs = ctx.project.variables.filter((r) => r.name === item.name && r.modifier === '');
      const first = refs[0]!;
      const more = refs.length > 1 ? ` (and ${refs.length - 1} more reference${refs.length > 2 ? 's' : ''})` : '';
      const who = first.service ? `service "${first.service}" references` : 'the compose file references';
      ctx.report({
        service: first.service,
        loc: refLocation(ctx.project, first),
        message: `${who} \${${item.name}}${more} without a :? guard; if the secret is dropped it becomes an empty string instead of failing the boot`,
      });
    }
  },
};
