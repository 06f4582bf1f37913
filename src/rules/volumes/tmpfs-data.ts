import type { Path } from '../../yaml/located.js';
import { dataAt, isThrowawayPath } from '../lib/volumes.js';
import type { Rule } from '../types.js';

export const tmpfsData: Rule = {
  id: 'tmpfs-data',
  section: 'volumes',
  severity: 'error',
  title: 'tmpfs mounted where the service keeps data',
  rationale:
    'A tmpfs lives in memory and is empty at every container start; the checklist asks for data that must ' +
    'survive restarts and upgrades to be written to a volume, which the CVM keeps on its encrypted disk ' +
    '(docs/platform.md#volumes).',
  fixHint: 'Mount a named volume at the data directory; keep tmpfs for scratch paths such as /tmp or /run.',
  example: {
    bad: `services:
  db:
    image: postgres:16.4
    tmpfs:
      - /var/lib/postgresql/data
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
    for (const [name, svc] of ctx.services) {
      const mounts: { target: string; path: Path }[] = [];
      for (const [i, spec] of (svc.tmpfs ?? []).entries()) {
        mounts.push({ target: String(spec).split(':')[0]!, path: ['services', name, 'tmpfs', i] });
      }
      (svc.volumes ?? []).forEach((v, i) => {
        if (v.type === 'tmpfs') mounts.push({ target: v.target, path: ['services', name, 'volumes', i] });
      });
      for (const m of mounts) {
        if (!m.target.startsWith('/') || isThrowawayPath(m.target)) continue;
        const data = dataAt(svc, m.target);
        if (!data) continue;
        const { target } = m;
        ctx.report({
          service: name,
          path: m.path,
          messageId: 'tmpfsData',
          message: (who) =>
            `${who} ${who.v('mounts', 'mount')} a tmpfs at ${target} (${data}); everything written there is ` +
            `gone at every restart`,
        });
      }
    }
  },
};
