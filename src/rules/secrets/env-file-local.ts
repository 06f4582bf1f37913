import { nodeAt } from '../../yaml/located.js';
import type { Rule } from '../types.js';

export const envFileLocal: Rule = {
  id: 'env-file-local',
  section: 'secrets',
  severity: 'error',
  title: 'env_file points at a file that is not shipped into the CVM',
  rationale:
    'Only app-compose.json is shipped into the CVM (docs/platform.md#shipped-files): the file an `env_file:` ' +
    'names is not there, so `docker compose up` fails on a required file, or the variables are silently missing ' +
    'from an optional one. The checklist asks for secrets to be sent as encrypted environment variables, which ' +
    'reach containers through `${VAR}` references.',
  fixHint:
    'Remove `env_file:`; list the variables under `environment:` as `KEY: ${KEY:?KEY is required}` and send ' +
    'their values as encrypted secrets (`preflight secrets encrypt --env-file FILE`).',
  example: {
    bad: `services:
  web:
    image: ghcr.io/acme/shop:1.4.2
    env_file: .env.production
`,
    good: `services:
  web:
    image: ghcr.io/acme/shop:1.4.2
    environment:
      DATABASE_URL: \${DATABASE_URL:?DATABASE_URL is required}
`,
  },
  check(ctx) {
    for (const [name, svc] of ctx.services) {
      (svc.env_file ?? []).forEach((entry, i) => {
        const required = entry.required !== false;
        // Point at the path itself: the scalar of the short form, `path:` of the long form.
        const item = ['services', name, 'env_file', i];
        const long = [...item, 'path'];
        const at = nodeAt(ctx.project.tree, long).node ? long : item;
        ctx.report({
          service: name,
          valuePath: at,
          severity: required ? undefined : 'warning',
          message: (who) =>
            required
              ? `${who} ${who.v('reads', 'read')} env_file ${entry.path}, which is not shipped into the CVM; ` +
                `compose fails to start ${who.v('the service', 'them')} without it`
              : `${who} ${who.v('reads', 'read')} optional env_file ${entry.path}, which is not shipped into the ` +
                `CVM; its variables are silently missing`,
        });
      });
    }
  },
};
