import { dataAt, hostPathClass, isBind, volumeBindDevice } from '../lib/volumes.js';
import type { Rule } from '../types.js';

export const relativeBindMount: Rule = {
  id: 'relative-bind-mount',
  section: 'volumes',
  severity: 'error',
  title: 'Relative bind mount of a file that is not shipped into the CVM',
  rationale:
    'Only app-compose.json reaches the CVM, and the compose file is written from it into the tmpfs work dir ' +
    '`/dstack` (docs/platform.md#shipped-files): `./config:/etc/app` bind-mounts an empty directory Docker ' +
    'creates there (a file mount then fails to start), and anything written there is lost at the next boot.',
  fixHint:
    'Inline the file with top-level `configs: { name: { content: … } }`, bake it into the image, or use a named ' +
    'volume for data.',
  example: {
    bad: `services:
  web:
    image: nginx:1.27
    volumes:
      - ./nginx.conf:/etc/nginx/nginx.conf:ro
`,
    good: `services:
  web:
    image: nginx:1.27
    configs:
      - source: nginx
        target: /etc/nginx/nginx.conf
configs:
  nginx:
    content: |
      events {}
      http { server { listen 80; } }
`,
  },
  check(ctx) {
    for (const [name, svc] of ctx.services) {
      (svc.volumes ?? []).forEach((v, i) => {
        if (!isBind(v) || hostPathClass(v.source) !== 'relative') return;
        const { source, target } = v;
        // The data a database keeps there is the bigger loss, so the message says so (stateful-no-volume does not
        // repeat it).
        const data = dataAt(svc, target);
        ctx.report({
          service: name,
          path: ['services', name, 'volumes', i],
          messageId: data ? 'relativeData' : 'relative',
          message: (who) =>
            data
              ? `${who} ${who.v('keeps', 'keep')} ${data} on the relative bind mount ${source}: only the compose ` +
                `YAML reaches the CVM, so it is an empty directory in the CVM's tmpfs work dir, and everything ` +
                `written there is lost at the next boot`
              : `${who} ${who.v('bind-mounts', 'bind-mount')} ${source} at ${target}, but only the compose YAML ` +
                `reaches the CVM, so that path does not exist there`,
          ...(data
            ? {
                hint:
                  `Keep the data on a named volume: \`${name}-data:${target}\`, with \`${name}-data:\` under ` +
                  `top-level \`volumes:\`.`,
              }
            : {}),
        });
      });
    }
    for (const vol of Object.keys(ctx.model.volumes ?? {})) {
      const device = volumeBindDevice(ctx.model, vol);
      if (device === undefined || hostPathClass(device) !== 'relative') continue;
      ctx.report({
        valuePath: ['volumes', vol, 'driver_opts', 'device'],
        message:
          `volume "${vol}" binds host directory ${device}, but only the compose YAML reaches the CVM, so that ` +
          `directory does not exist there`,
      });
    }
  },
};
