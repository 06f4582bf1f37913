import type { Rule } from '../types.js';

export const fileNotShipped: Rule = {
  id: 'file-not-shipped',
  section: 'platform',
  severity: 'error',
  title: 'Compose reads a local file that is not shipped into the CVM (`include:`, `extends.file`, `configs.file`)',
  rationale:
    'A CVM is deployed one compose file, the `docker_compose_file` string of app-compose.json ' +
    '(docs/platform.md#manifest); no file beside it reaches the CVM. Compose there fails to load a project whose ' +
    '`include:` or `extends: file:` names another file, and fails to start a service whose config is read from a ' +
    '`file:`. Preflight follows these files so the audit sees the services they define, and reports that they ' +
    'are not shipped. (Secrets from a file, env_file, relative bind mounts and build contexts have rules of ' +
    'their own: secret-file-local, env-file-local, relative-bind-mount, build-in-cvm.)',
  fixHint:
    'Deploy one self-contained compose file: inline included and extended services (`docker compose config` ' +
    'prints the merged file), and give configs their text with `content:` (or bake the file into the image).',
  example: {
    beside: {
      'db.yaml': `services:
  db:
    image: postgres:16.4
`,
    },
    bad: `include:
  - db.yaml
services:
  web:
    image: ghcr.io/acme/shop:1.4.2
`,
    good: `services:
  web:
    image: ghcr.io/acme/shop:1.4.2
  db:
    image: postgres:16.4
`,
  },
  check(ctx) {
    for (const ref of ctx.project.localFiles) {
      ctx.report({
        loc: ref.loc,
        ...(ref.service ? { service: ref.service } : {}),
        message:
          ref.kind === 'include'
            ? `include: ${ref.path} is a local file the CVM does not get (only the compose file is shipped), so ` +
              `Compose fails to load the project there`
            : `service "${ref.service}" extends a service from ${ref.path}, a local file the CVM does not get ` +
              `(only the compose file is shipped), so Compose fails to load the project there`,
      });
    }
    for (const [name, def] of Object.entries(ctx.model.configs ?? {})) {
      if (!def || typeof def.file !== 'string') continue;
      const users = ctx.services
        .filter(([, svc]) => (svc.configs ?? []).some((c) => c.source === name))
        .map(([n]) => n);
      const by = users.length ? `, used by ${users.map((n) => `"${n}"`).join(', ')}` : '';
      ctx.report({
        valuePath: ['configs', name, 'file'],
        message: `config "${name}" is read from the local file ${def.file}${by}, which is not shipped into the CVM`,
      });
    }
  },
};
