import { cleanup, type CleanupResult, ownerAlive } from '../docker/cleanup.js';
import { Engine } from '../docker/engine.js';
import { OWNER_LABEL, RUN_DIR_LABEL } from '../docker/labels.js';
import { endAbandonedRun, holderAlive, listRunDirs, readRun, readRunLock } from '../steps/index.js';
import { InputError } from '../util/errors.js';

export interface CleanDrillsResult extends CleanupResult {
  /** Run directories whose journal now records the cleanup of a crashed run. */
  closedRuns: string[];
}

/**
 * Whether a drill is still being driven: the process holding its run's lock lives (after `drill
 * resume` that is not the process named by the owner label), else its owner label's process does.
 */
export function drillIsLive(labels: Record<string, string>): boolean {
  const runDir = labels[RUN_DIR_LABEL];
  const holder = runDir ? readRunLock(runDir) : undefined;
  if (holder) return holderAlive(holder);
  return ownerAlive(labels[OWNER_LABEL]);
}

/**
 * `preflight drill clean`: remove the engine resources of drills no process drives any more
 * (crashed or killed), and end their journals so they are not found again (nor resumed).
 */
export async function cleanDrills(
  opts: { runRoot?: string; all?: boolean; engine?: Engine } = {},
): Promise<CleanDrillsResult> {
  const engine = opts.engine ?? new Engine();
  const result = await cleanup({ engine, includeLive: opts.all, isLive: drillIsLive });
  const closedRuns: string[] = [];
  for (const dir of opts.runRoot ? listRunDirs(opts.runRoot) : []) {
    let run: ReturnType<typeof readRun>;
    try {
      run = readRun(dir);
    } catch {
      continue; // not a run's journal
    }
    // A live run records its own end, even when --all removed its resources.
    if (run.end || (run.lock && holderAlive(run.lock))) continue;
    try {
      const ended = await endAbandonedRun(
        dir,
        async () => {
          const extra = await cleanup({ engine, drillId: run.runId });
          return [{ type: 'cleanup', containers: extra.containers, volumes: extra.volumes, networks: extra.networks }];
        },
        { status: 'interrupted', error: 'cleaned up by `preflight drill clean`' },
      );
      if (ended) closedRuns.push(dir);
    } catch (e) {
      // Taken by a process that started meanwhile: it is live now, leave it.
      if (!(e instanceof InputError)) throw e;
    }
  }
  return { ...result, closedRuns };
}
