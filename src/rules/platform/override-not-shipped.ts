import type { Rule } from '../types.js';

export const overrideNotShipped: Rule = {
  id: 'override-not-shipped',
  section: 'platform',
  severity: 'info',
  title: 'A `*.override.*` file beside the compose file is not deployed',
  rationale:
    '`docker compose` merges `compose.override.yaml` (or `docker-compose.override.yml`) into the compose file ' +
    'on a developer machine, but a CVM is deployed one compose file (docs/platform.md#manifest): what the ' +
    'override sets does not happen there. Preflight therefore checks the compose file alone, as the CVM will run ' +
    'it, unless told to merge.',
  fixHint:
    'If the CVM should run the merged result, check it with `--with-override` (or `-f compose.yaml -f ' +
    'compose.override.yaml`) and deploy the output of `docker compose config`; otherwise nothing to do.',
  example: {
    removedByFix: {
      'docker-compose.override.yml': `services:
  web:
    ports: ["8080:8080"]
`,
    },
    bad: `services:
  web:
    image: ghcr.io/acme/shop:1.4.2
    restart: unless-stopped
`,
    good: `services:
  web:
    image: ghcr.io/acme/shop:1.4.2
    restart: unless-stopped
    ports: ["8080:8080"]
`,
  },
  check(ctx) {
    const o = ctx.project.override;
    if (!o || o.merged) return;
    ctx.report({
      loc: { file: o.file, line: 1, column: 1, endLine: 1, endColumn: 1, offset: 0, endOffset: 0 },
      message:
        `${o.file} is not merged: the CVM is deployed ${ctx.project.composeFiles[0]} alone, so the settings in ` +
        `the override do not reach it (check with --with-override to audit the merged file)`,
    });
  },
};
