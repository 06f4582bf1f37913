import type { ComposeModel, Service } from '../../compose/types.js';
import { pathCovers } from '../../knowledge/paths.js';
import { statefulService } from '../lib/stateful.js';
import { coveredByPersistentBind } from '../lib/volumes.js';
import type { Rule } from '../types.js';

export const statefulNoVolume: Rule = {
  id: 'stateful-no-volume',
  section: 'volumes',
  severity: 'error',
  title: 'Stateful image whose data directory no named volume covers',
  rationale:
    "Only named volumes (and bind mounts from the data disk) keep data on the CVM's encrypted disk across restarts and upgrades. The container's own filesystem and the anonymous volume an image declares with `VOLUME` live only as long as the container: once an upgrade or a newly pulled image recreates it, `docker volume prune -f` at boot deletes them (docs/platform.md#volumes). A database without a named volume at its data directory comes back empty; postgres 18 and later keep their data under `/var/lib/postgresql`, not `/var/lib/postgresql/data` (docs/platform.md#images).",
  fixHint:
    'Mount a named volume at the data directory, e.g. `volumes: [db-data:/var/lib/postgresql/data]` with `db-data:` under top-level `volumes:`.',
  check(ctx) {
    for (const [name, svc] of ctx.services) {
      const stateful = statefulService(svc);
      if (!stateful) continue;
      // A bind mount from the persistent disk (`/dstack/persistent/...`) keeps data as well as a named volume.
      if (
        stateful.dataDirs.some((dir) => coveredByNamedVolume(ctx.model, svc, dir) || coveredByPersistentBind(svc, dir))
      )
        continue;
      const dir = stateful.dataDirs[0]!;
      const moved = stateful.overriddenBy ? ` (set by ${stateful.overriddenBy})` : '';
      ctx.report({
        service: name,
        valuePath: ['services', name, 'image'],
        message: `${stateful.entry.product} keeps its data in ${dir}${moved}, which no named volume covers; the data is lost on the next CVM restart`,
      });
    }
  },
};

/** A named (non-anonymous, non-bind) volume mounted at or above `dir`. */
export function coveredByNamedVolume(model: ComposeModel, svc: Service, dir: string): boolean {
  return (svc.volumes ?? []).some(
    (v) => v.type === 'volume' && !!v.source && model.volumes?.[v.source] !== undefined && pathCovers(v.target, dir),
  );
}
