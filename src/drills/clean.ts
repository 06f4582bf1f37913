import { cleanup, type CleanupResult } from '../docker/cleanup.js';
import { Engine } from '../docker/engine.js';
import { Journal, JOURNAL_FILE, unfinishedRuns } from './journal.js';
import { join } from 'node:path';

export interface CleanDrillsResult extends CleanupResult {
  /** Run directories whose journal now records the cleanup of a crashed run. */
  closedRuns: string[];
}

/**
 * `preflight drill clean`: remove the engine resources of drills that are not running any more
 * (crashed or killed), and close their journals so they are not found again.
 */
export async function cleanDrills(
  opts: { runRoot?: string; all?: boolean; engine?: Engine } = {},
): Promise<CleanDrillsResult> {
  const engine = opts.engine ?? new Engine();
  const result = await cleanup({ engine, includeLive: opts.all });
  const closedRuns: string[] = [];
  if (opts.runRoot) {
    for (const run of unfinishedRuns(opts.runRoot)) {
      const start = run.events.find((e) => e.type === 'run-start');
      const pid = start?.type === 'run-start' ? start.pid : undefined;
      if (!opts.all && pid !== undefined && pid !== process.pid && alive(pid)) continue;
      const extra = await cleanup({ engine, drillId: run.drillId });
      const journal = new Journal(join(run.dir, JOURNAL_FILE));
      journal.append({
        type: 'cleanup',
        containers: extra.containers,
        volumes: extra.volumes,
        networks: extra.networks,
      });
      journal.append({ type: 'run-end', status: 'interrupted', error: 'cleaned up by `preflight drill clean`' });
      closedRuns.push(run.dir);
    }
  }
  return { ...result, closedRuns };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
