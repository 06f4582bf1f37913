import type { Service, ServiceVolume } from '../../compose/types.js';
import { pathCovers } from '../../knowledge/paths.js';
import { writtenImage } from '../lib/image.js';
import { statefulService } from '../lib/stateful.js';
import { coveredByPersistentBind } from '../lib/volumes.js';
import type { Rule } from '../types.js';
import type { FixContext, FixOutcome, FixTarget } from '../fix-types.js';

export const statefulNoVolume: Rule = {
  id: 'stateful-no-volume',
  section: 'volumes',
  severity: 'error',
  title: 'Data store whose data directory no volume or mount covers',
  rationale:
    "Only named volumes (and bind mounts from the data disk) keep data on the CVM's encrypted disk across " +
    "restarts and upgrades. The container's own filesystem and the anonymous volume an image declares with " +
    '`VOLUME` live only as long as the container: once an upgrade or a newly pulled image recreates it, `docker ' +
    'volume prune -f` at boot deletes them (docs/platform.md#volumes). A database without a named volume at its ' +
    'data directory comes back empty; postgres 18 and later keep their data under `/var/lib/postgresql`, not ' +
    '`/var/lib/postgresql/data` (docs/platform.md#images). A mount that is there but does not keep data (a ' +
    "relative or volatile bind, an anonymous volume, a tmpfs) is its own rule's finding, not this one.",
  fixHint:
    'Mount a named volume at the data directory the finding names (e.g. `db-data:/var/lib/postgresql/data` for ' +
    'postgres 17 and older, `db-data:/var/lib/postgresql` for 18 and later), with the volume under top-level ' +
    '`volumes:`.',
  fix: fixStatefulNoVolume,
  example: {
    bad: `services:
  db:
    image: postgres:16.4
    restart: unless-stopped
`,
    good: `services:
  db:
    image: postgres:16.4
    restart: unless-stopped
    volumes:
      - pgdata:/var/lib/postgresql/data
volumes:
  pgdata:
`,
  },
  check(ctx) {
    for (const [name, svc] of ctx.services) {
      const image = writtenImage(ctx.project, name, svc.image);
      const stateful = statefulService(svc, image?.literalVersion ?? true);
      if (!stateful) continue;
      if (stateful.dataDirs.some((dir) => coveredByNamedVolume(svc, dir) || coveredByPersistentBind(svc, dir)))
        continue;
      // A bind mount, anonymous volume or tmpfs over the data directory is reported by its own rule
      // (relative-bind-mount, host-path-volatile, anonymous-volume, tmpfs-data), with the data named.
      if (stateful.dataDirs.some((dir) => (svc.volumes ?? []).some((v) => pathCovers(v.target, dir)))) continue;
      if (stateful.dataDirs.some((dir) => (svc.tmpfs ?? []).some((t) => pathCovers(String(t).split(':')[0]!, dir))))
        continue;
      const dir = stateful.dataDirs[0]!;
      const product =
        stateful.major !== undefined ? `${stateful.entry.product} ${stateful.major}` : stateful.entry.product;
      const moved = stateful.overriddenBy ? ` (set by ${stateful.overriddenBy})` : '';
      // The version moved the data directory (postgres 18): a volume where older versions kept it does not hold it.
      const moved18 = stateful.entry.byVersion?.find((v) => v.mountAt === stateful.mountAt && !stateful.overriddenBy);
      const old = moved18 ? olderDataDirVolume(svc, stateful.entry.dataDirs) : undefined;
      const mountHint =
        `mount a named volume at ${stateful.mountAt}: \`volumes: ["${name}-data:${stateful.mountAt}"]\` with ` +
        `\`${name}-data:\` under top-level \`volumes:\``;
      ctx.report({
        service: name,
        valuePath: ['services', name, 'image'],
        messageId: old ? 'versionMovedDataDir' : 'noVolume',
        message: (who) => {
          const subject = `${who} (${product}) ${who.v('keeps its', 'keep their')} data in ${dir}`;
          return old
            ? `${subject}; the volume at ${old.target} does not hold it, ` +
                `since ${stateful.entry.product} ${moved18!.since} moved its data directory: the data is lost once ` +
                `the container is recreated, and a volume there that already holds a cluster stops the server from ` +
                `starting`
            : `${subject}${moved}, which no named volume covers; the data is lost once the container is recreated ` +
                `(every upgrade)`;
        },
        hint: old ? `Move the volume: ${mountHint}.` : `${mountHint[0]!.toUpperCase()}${mountHint.slice(1)}.`,
      });
    }
  },
};

/** A named (non-anonymous, non-bind) volume mounted at or above `dir`. */
export function coveredByNamedVolume(svc: Service, dir: string): boolean {
  return (svc.volumes ?? []).some((v) => v.type === 'volume' && !!v.source && pathCovers(v.target, dir));
}

/** The named volume a service mounts where an older version of the product kept its data. */
function olderDataDirVolume(svc: Service, olderDirs: string[]): ServiceVolume | undefined {
  return (svc.volumes ?? []).find(
    (v) => v.type === 'volume' && !!v.source && olderDirs.some((d) => pathCovers(v.target, d)),
  );
}

/**
 * A named volume at the data directory for the image's version (the table's mount point), declared at the top level.
 */
function fixStatefulNoVolume(ctx: FixContext, { report }: FixTarget): FixOutcome {
  const name = report.service!;
  if (report.messageId === 'versionMovedDataDir')
    ctx.refuse('a volume is mounted where older versions kept the data; moving it is a data migration, do it by hand');
  const svc = ctx.project.model.services?.[name];
  const image = svc && writtenImage(ctx.project, name, svc.image);
  const stateful = svc && statefulService(svc, image?.literalVersion ?? true);
  if (!stateful) return ctx.refuse(`service "${name}" is no longer recognised as a data store`);
  const edit = ctx.service(name);
  const volume = ctx.declareVolume(`${name}-data`);
  edit.append('volumes', `${volume}:${stateful.mountAt}`);
  return {
    description:
      `mount named volume ${volume} at ${stateful.mountAt} on service "${name}" (${stateful.entry.product}), ` +
      `declared under top-level volumes`,
    changesBehaviour:
      `${stateful.entry.product}'s data lives on ${volume} from now on and survives upgrades; data the running ` +
      `container holds is not moved into it (dump it first)`,
  };
}
