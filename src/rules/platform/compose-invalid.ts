import type { Rule } from '../types.js';

export const composeInvalid: Rule = {
  id: 'compose-invalid',
  section: 'platform',
  severity: 'error',
  title: 'Compose file that `docker compose up` refuses',
  rationale:
    'The CVM runs `docker compose up` on exactly this file; a key Compose rejects stops the whole app from ' +
    'starting, and a key it ignores does nothing. Checked against the vendored compose-spec JSON schema, and for ' +
    'what Compose refuses beyond the schema: durations it cannot parse (`interval: often`, `10` without a unit), ' +
    'restart policies the engine rejects, `depends_on`/`links`/`volumes_from`/`network_mode: service:` naming a ' +
    'service that is not defined or that only a profile starts, dependency cycles, references to undefined ' +
    'secrets, configs, networks and volumes, and volume specs with an empty section (`${UNSET}:/media`).',
  fixHint:
    'Correct the key or value the message names; see https://github.com/compose-spec/compose-spec/blob/main/spec.md.',
  example: {
    bad: `services:
  web:
    image: ghcr.io/acme/shop:1.4.2
    stop_grace_period: "10"
`,
    good: `services:
  web:
    image: ghcr.io/acme/shop:1.4.2
    stop_grace_period: 10s
`,
  },
  check(ctx) {
    for (const p of [...ctx.project.schemaProblems, ...ctx.project.semanticProblems]) {
      const service = /^\/services\/([^/]+)/.exec(p.path)?.[1];
      ctx.report({ loc: p.loc, message: p.message, ...(service ? { service } : {}) });
    }
  },
};
