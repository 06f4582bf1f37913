import { dataAt, isAnonymousVolume, isThrowawayPath } from '../lib/volumes.js';
import type { Rule } from '../types.js';
import type { FixContext, FixOutcome, FixTarget } from '../fix-types.js';

export const anonymousVolume: Rule = {
  id: 'anonymous-volume',
  section: 'volumes',
  severity: 'warning',
  title: 'Anonymous volume: deleted once its container is recreated',
  rationale:
    'An anonymous volume (a bare `- /data`, or a long-syntax volume without `source`) lives only as long as its ' +
    'container: when an upgrade (or a newly pulled image) makes `docker compose up` recreate the container, the ' +
    'old volume is left unused, and the `docker volume prune -f` every boot runs deletes it ' +
    '(docs/platform.md#volumes, docs/platform.md#boot-sequence). The checklist asks for data to live on a named ' +
    'volume, which the CVM keeps on its encrypted disk.',
  fixHint: 'Give the volume a name: `app-data:/data`, with `app-data:` under top-level `volumes:`.',
  fix: fixAnonymousVolume,
  example: {
    bad: `services:
  cache:
    image: redis:7.4
    restart: unless-stopped
    volumes:
      - /data
`,
    good: `services:
  cache:
    image: redis:7.4
    restart: unless-stopped
    volumes:
      - redis-data:/data
volumes:
  redis-data:
`,
  },
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
            `${who} ${who.v('mounts', 'mount')} an anonymous volume at ${target}${data ? ` (${data})` : ''}: it ` +
            `lives only as long as the container, and the guest's \`docker volume prune\` deletes it once an ` +
            `upgrade recreates the container`,
          hint:
            `Give the volume a name: \`${name}-data:${target}\`, with \`${name}-data:\` under top-level ` +
            `\`volumes:\`.`,
        });
      });
    }
  },
};

/**
 * Name the volume (`<service>-data`, declared at the top level): short syntax gets the name in front, long syntax a
 * `source`.
 */
function fixAnonymousVolume(ctx: FixContext, { report }: FixTarget): FixOutcome {
  const name = report.service!;
  const index = Number(report.path![3]);
  const mount = ctx.project.model.services?.[name]?.volumes?.[index];
  if (!mount) ctx.refuse(`volume ${index + 1} of service "${name}" is not in the model`);
  const edit = ctx.service(name);
  const volume = ctx.declareVolume(`${name}-data`);
  if (edit.has(['volumes', index, 'target'])) edit.set(['volumes', index, 'source'], volume);
  else
    edit.update(['volumes', index], (written) => {
      if (typeof written !== 'string') ctx.refuse(`volume ${index + 1} of service "${name}" is not written here`);
      return `${volume}:${written}`;
    });
  return {
    description:
      `name the anonymous volume at ${mount.target} of service "${name}": ${volume} (declared under top-level ` +
      `volumes)`,
    changesBehaviour:
      `the data at ${mount.target} outlives the container from now on; what the current anonymous volume holds is ` +
      `not copied into ${volume}`,
  };
}
