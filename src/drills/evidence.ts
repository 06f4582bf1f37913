import { LocalCvm } from '../cvm/index.js';
import { filesOutsideVolumes, secretsInLogs } from './checks.js';
import type { DrillEvent } from './journal.js';

/** What one container showed: files outside every mount, secrets in its log (names only), and the log itself. */
export interface ContainerObservation {
  service: string;
  outside: string[];
  secrets: { names: string[]; patterns: string[] };
  /** Kept in memory for the caller (data-error lines); never journaled. */
  log: string;
}

/**
 * Look at every container of the app (`docker diff`, `docker logs`) and journal what counts as
 * evidence the moment it is seen: the containers may be gone by the time the checks run (a reboot
 * removes them) or the drill process may die. Secret values are matched, never recorded.
 */
export async function observeContainers(
  cvm: LocalCvm,
  secrets: ReadonlyMap<string, string>,
  emit: (e: DrillEvent) => void,
): Promise<ContainerObservation[]> {
  const containers = await cvm.containers();
  return Promise.all(
    containers.map(async (c) => {
      const service = LocalCvm.serviceOf(c);
      const outside = filesOutsideVolumes(await cvm.engine.diff(c.Id), c);
      const log = await cvm.engine.logs(c.Id);
      const hit = secretsInLogs(log, secrets);
      if (outside.length) emit({ type: 'outside-volume', service, paths: outside });
      if (hit.names.length || hit.patterns.length)
        emit({ type: 'secret-in-log', service, names: hit.names, patterns: hit.patterns });
      return { service, outside, secrets: hit, log };
    }),
  );
}
