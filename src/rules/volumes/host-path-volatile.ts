import {
  dataAt,
  hostPathClass,
  isBind,
  isReadOnly,
  isThrowawayPath,
  looksLikeDataPath,
  statefulDataAt,
  volumeBindDevice,
} from '../lib/volumes.js';
import type { Rule } from '../types.js';

export const hostPathVolatile: Rule = {
  id: 'host-path-volatile',
  section: 'volumes',
  severity: 'warning',
  title: 'Bind mount of a host path outside the persistent disk',
  rationale:
    'In a CVM only the data disk keeps what is written: it is mounted at `/var/volatile/dstack/persistent` ' +
    '(also `/dstack/persistent`), and `/var/lib/docker` lives on it. `/etc`, `/usr`, `/bin`, `/home` and ' +
    '`/var/lib` outside Docker are tmpfs overlays emptied at every boot, and the rest of the root (`/opt`, ' +
    '`/srv`, `/mnt`…) is the read-only OS image (docs/platform.md#host-paths, docs/platform.md#boot-sequence). ' +
    'Data written at such a host path is lost at the next boot, and files you expect there were never shipped ' +
    '(docs/platform.md#shipped-files). The checklist asks for data to live on a volume.',
  fixHint:
    'Use a named volume for data (`app-data:/data`), or a host path under `/dstack/persistent/`; ship ' +
    'configuration with `configs: content:` or in the image.',
  example: {
    bad: `services:
  db:
    image: postgres:16.4
    volumes:
      - /tmp/pgdata:/var/lib/postgresql/data
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
    const preLaunch = ctx.deployment.pre_launch_script ?? '';
    for (const [name, svc] of ctx.services) {
      (svc.volumes ?? []).forEach((v, i) => {
        if (!isBind(v)) return;
        const cls = hostPathClass(v.source);
        if (cls !== 'volatile' && cls !== 'home') return;
        const { source, target } = v;
        const stateful = statefulDataAt(svc, target);
        // Caches and scratch space are expected to be lost, unless a data store keeps its data there.
        if (!stateful && (isThrowawayPath(source) || isThrowawayPath(target))) return;
        const path = ['services', name, 'volumes', i];
        const data = dataAt(svc, target) ?? (looksLikeDataPath(source) ? 'a path that looks like data' : undefined);
        if (data && !isReadOnly(v)) {
          ctx.report({
            service: name,
            path,
            severity: 'error',
            messageId: 'volatileData',
            message: (who) =>
              `${who} ${who.v('keeps', 'keep')} data at host path ${source} (${data}), which is outside the ` +
              `CVM's persistent disk; it is lost at the next restart`,
          });
          return;
        }
        // A pre-launch script can write host files before the app starts (dstack-examples/prelaunch-script).
        if (preLaunch.includes(source)) return;
        if (isReadOnly(v)) {
          ctx.report({
            service: name,
            path,
            messageId: 'readsUnshipped',
            message: (who) =>
              `${who} ${who.v('reads', 'read')} host path ${source}, which nothing ships into the CVM (only the ` +
              `compose YAML is), so it is missing or empty there`,
          });
          return;
        }
        ctx.report({
          service: name,
          path,
          messageId: 'volatile',
          message: (who) =>
            `${who} ${who.v('mounts', 'mount')} host path ${source}, which is outside the CVM's persistent disk ` +
            `and not shipped with the app: it starts empty and what is written there is lost at the next restart`,
        });
      });
    }
    for (const vol of Object.keys(ctx.model.volumes ?? {})) {
      const device = volumeBindDevice(ctx.model, vol);
      if (device === undefined) continue;
      const cls = hostPathClass(device);
      if (cls !== 'volatile' && cls !== 'home') continue;
      ctx.report({
        valuePath: ['volumes', vol, 'driver_opts', 'device'],
        severity: 'error',
        messageId: 'volatileDevice',
        message:
          `volume "${vol}" binds host directory ${device}, which is outside the CVM's persistent disk; its data ` +
          `is lost at the next restart`,
      });
    }
  },
};
