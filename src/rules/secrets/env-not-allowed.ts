import { inventory } from '../../secrets/plan.js';
import { knownAllowedEnvs, distinctRefs, refLocation, relatedRefs, sayReferences } from '../lib/secrets.js';
import type { Rule } from '../types.js';

export const envNotAllowed: Rule = {
  id: 'env-not-allowed',
  section: 'secrets',
  severity: 'error',
  title: 'Referenced variable missing from allowed_envs',
  rationale:
    'Inside the guest, each decrypted variable whose name is not in `allowed_envs` is skipped with only a ' +
    'warning in the guest log (docs/platform.md#secrets). The `${VAR}` then expands to its default or to an ' +
    'empty string.',
  fixHint:
    'Add the variable to `allowed_envs` (app-compose.json, or `deployment.allowed_envs` in .preflight.yml) and ' +
    'send it with the encrypted secrets; with the phala CLI, pass the full key list again.',
  example: {
    file: '.preflight.yml',
    beside: {
      'docker-compose.yml': `services:
  web:
    image: ghcr.io/acme/shop:1.4.2
    environment:
      DB_PASSWORD: \${DB_PASSWORD:?DB_PASSWORD is required}
      API_KEY: \${API_KEY:?API_KEY is required}
`,
    },
    bad: `deployment:
  allowed_envs: [API_KEY]
`,
    good: `deployment:
  allowed_envs: [API_KEY, DB_PASSWORD]
`,
  },
  check(ctx) {
    const allowed = knownAllowedEnvs(ctx.project);
    if (!allowed) return;
    const names = new Set(allowed.names);
    // The same inventory `preflight secrets plan` reads (one finding per variable name).
    for (const item of inventory(ctx.project.variables, names)) {
      if (item.provided) continue;
      const refs = distinctRefs(ctx.project.variables.filter((r) => r.name === item.name));
      const first = refs.find((r) => r.modifier === '' || r.modifier === ':?' || r.modifier === '?') ?? refs[0]!;
      const ordered = [first, ...refs.filter((r) => r !== first)];
      ctx.report({
        service: first.service,
        loc: refLocation(ctx.project, first),
        severity: item.required ? undefined : 'warning',
        message: `${sayReferences(item.name, ordered)}, which allowed_envs lacks; the CVM drops it silently and ${
          !item.required
            ? 'the default is always used'
            : first.via === 'secret-environment'
              ? 'the secret has no value'
              : first.via === 'pass-through'
                ? 'it is missing from the container'
                : 'it expands to an empty string'
        }`,
        hint: `Add ${item.name} to \`allowed_envs\` and send it with the encrypted secrets.`,
        related: relatedRefs(ctx.project, ordered),
      });
    }
  },
};
