import type { Rule } from '../types.js';

export const externalVolume: Rule = {
  id: 'external-volume',
  section: 'volumes',
  severity: 'error',
  title: 'External volume that does not exist in the CVM',
  rationale:
    "A CVM's Docker engine starts empty on its first boot and the compose project creates only the volumes the " +
    'file declares, as `dstack_<name>` (docs/platform.md#volumes, docs/platform.md#boot-sequence); nobody can ' +
    'run `docker volume create` in it first. An `external: true` volume is not there, so `docker compose up` ' +
    'fails, and the data you meant is on another machine.',
  fixHint:
    'Drop `external: true` so compose creates the volume on the persistent disk; migrate existing data into it ' +
    'separately.',
  example: {
    bad: `services:
  db:
    image: postgres:16.4
    volumes:
      - pgdata:/var/lib/postgresql/data
volumes:
  pgdata:
    external: true
`,
    good: `services:
  db:
    image: postgres:16.4
    volumes:
      - pgdata:/var/lib/postgresql/data
volumes:
  pgdata:
`,
  },
  check(ctx) {
    for (const [vol, def] of Object.entries(ctx.model.volumes ?? {})) {
      const ext = def?.external;
      if (!ext) continue;
      const users = ctx.services
        .filter(([, s]) => (s.volumes ?? []).some((v) => v.type === 'volume' && v.source === vol))
        .map(([n]) => n);
      const actual = typeof ext === 'object' && ext.name ? ext.name : (def.name ?? vol);
      ctx.report({
        path: ['volumes', vol, 'external'],
        message:
          `volume "${vol}" is external ("${actual}"), which does not exist in the CVM, so \`docker compose up\` ` +
          `fails${users.length ? ` for ${users.map((u) => `"${u}"`).join(', ')}` : ''}`,
      });
    }
  },
};
