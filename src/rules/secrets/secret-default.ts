import { isSecretLikeName } from '../../knowledge/secret-detect.js';
import { refLocation } from '../lib/secrets.js';
import type { Rule } from '../types.js';

export const secretDefault: Rule = {
  id: 'secret-default',
  section: 'secrets',
  severity: 'warning',
  title: 'Secret-like variable with a literal default',
  rationale:
    'A secret update is a full replacement, and names missing from `allowed_envs` are skipped (checklist: ' +
    '"Partial updates will result in dropped variables"; docs/platform.md#secrets). With ' +
    '`${DB_PASSWORD:-changeme}` the app then runs on the published default instead of failing.',
  fixHint:
    'Drop the default and guard the reference: `${DB_PASSWORD:?DB_PASSWORD is required}`, so a missing secret ' +
    'stops the deployment instead of weakening it.',
  example: {
    bad: `services:
  web:
    image: ghcr.io/acme/shop:1.4.2
    environment:
      SESSION_SECRET: \${SESSION_SECRET:-changeme}
`,
    good: `services:
  web:
    image: ghcr.io/acme/shop:1.4.2
    environment:
      SESSION_SECRET: \${SESSION_SECRET:?SESSION_SECRET is required}
`,
  },
  check(ctx) {
    const seen = new Set<string>();
    for (const ref of ctx.project.variables) {
      if (ref.modifier !== ':-' && ref.modifier !== '-') continue;
      const def = ref.argument ?? '';
      // `${A:-${B}}` falls back to another variable, not to a literal.
      if (def.trim() === '' || /^\$\{[^}]*\}$|^\$[A-Za-z_][A-Za-z0-9_]*$/.test(def.trim())) continue;
      if (!isSecretLikeName(ref.name)) continue;
      const loc = refLocation(ctx.project, ref);
      const key = `${loc.file}:${loc.offset}:${ref.name}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const who = ref.service ? `service "${ref.service}" reads` : 'the compose file reads';
      ctx.report({
        service: ref.service,
        loc,
        message:
          `${who} \${${ref.name}} with a literal default (\`${ref.modifier}\`); if the secret is dropped it ` +
          `silently runs with the default`,
      });
    }
  },
};
