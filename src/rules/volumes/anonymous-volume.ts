import { dataAt, isAnonymousVolume, isThrowawayPath } from '../lib/volumes.js';
import type { Rule } from '../types.js';

export const anonymousVolume: Rule = {
  id: 'anonymous-volume',
  section: 'volumes',
  severity: 'warning',
  title: 'Anonymous volume: deleted once its container is recreated',
  rationale:
    'An anonymous volume (a bare `- /data`, or a long-syntax volume without `source`) lives only as long as its container: when an upgrade (or a newly pulled image) makes `docker compose up` recreate the container, the old volume is left unused, and the `docker volume prune -f` every boot runs deletes it (docs/platform.md#volumes, docs/platform.md#boot-sequence). The checklist asks for data to live on a named volume, which the CVM keeps on its encrypted disk.',
  fixHint: 'Give the volume a name: `app-data:/data`, with `app-data:` under top-level `volumes:`.',
  check(ctx) {
    for (const [name, svc] of ctx.services) {
      (svc.volumes ?? []).forEach((v, i) => {
        if (!isAnonymousVolume(v) || isThrowawayPath(v.target)) return;
        const data = dataAt(svc, v.target);
        const target = v.target;
        ctx.report({
          service: name,
          path: ['services', name, 'volumes', i],
          ...(data ? { severity: 'error' as const } : {}),
          messageId: data ? 'anonymousData' : 'anonymous',
          message: (who) =>
            `${who} ${who.v('mounts', 'mount')} an anonymous volume at ${target}${data ? ` (${data})` : ''}: it lives only as long as the container, and the guest's \`docker volume prune\` deletes it once an upgrade recreates the container`,
          hint: `Give the volume a name: \`${name}-data:${target}\`, with \`${name}-data:\` under top-level \`volumes:\`.`,
        });
      });
    }
  },
};
