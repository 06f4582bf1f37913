import { inventory } from '../../secrets/plan.js';
import { knownAllowedEnvs, refLocation } from '../lib/secrets.js';
import type { Rule } from '../types.js';

export const envNotAllowed: Rule = {
  id: 'env-not-allowed',
  section: 'secrets',
  severity: 'error',
  title: 'Referenced variable missing from allowed_envs',
  rationale:
    'Inside the guest, each decrypted variable whose name is not in `allowed_envs` is skipped with only a warning in the guest log (docs/platform.md#secrets). The `${VAR}` then expands to its default or to an empty string.',
  fixHint:
    'Add the variable to `allowed_envs` (app-compose.json, or `deployment.allowed_envs` in .preflight.yml) and send it with the encrypted secrets; with the phala CLI, pass the full key list again.',
  check(ctx) {
    const allowed = knownAllowedEnvs(ctx.project);
    if (!allowed) return;
    const names = new Set(allowed.names);
    // The same inventory `preflight secrets plan` reads (one finding per variable name).
    for (const item of inventory(ctx.project.variables, names)) {
      if (item.provided) continue;
      const refs = ctx.project.variables.filter((r) => r.name === item.name);
      const first = refs.find((r) => r.modifier === '' || r.modifier === ':?' || r.modifier === '?') ?? refs[0]!;
      const more =
        item.references > 1 ? ` (and ${item.references - 1} more reference${item.references > 2 ? 's' : ''})` : '';
      const where = first.service ? `service "${first.service}" references` : 'the compose file references';
      ctx.report({
        service: first.service,
        loc: refLocation(ctx.project, first),
        severity: item.required ? undefined : 'warning',
        message: item.required
          ? `${where} \${${item.name}}${more}, which allowed_envs lacks; the CVM drops it silently and it expands to an empty string`
          : `${where} \${${item.name}}${more}, which allowed_envs lacks; the CVM drops it silently and the default is always used`,
      });
    }
  },
};
