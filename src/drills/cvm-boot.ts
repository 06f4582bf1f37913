import { join } from 'node:path';
import {
  type BootEvent,
  type BootResult,
  type CvmApp,
  type CvmOs,
  LocalCvm,
  type MixedVersionWindow,
} from '../cvm/index.js';
import type { ComposeCli } from '../docker/compose.js';
import { projectName } from '../docker/labels.js';
import { readRun } from '../steps/index.js';
import { InputError } from '../util/errors.js';
import { bootFailedFinding, imagePrunedFindings, oldVersionServedFinding } from './boot-checks.js';
import type { HistoryOp } from './history.js';
import type { DrillSession } from './lifecycle.js';

/**
 * The drills' side of the local CVM (src/cvm): one per run, its boot events journaled as they come,
 * and what a boot shows turned into findings. A resumed run's CVM takes up the journaled state.
 */
export function drillCvm(
  session: DrillSession,
  opts: { cli: ComposeCli; os: CvmOs; runId: string; runDir: string; resume: boolean; emit: (e: BootEvent) => void },
): LocalCvm {
  const cvm = new LocalCvm({
    project: projectName(opts.runId),
    dir: join(opts.runDir, 'cvm'),
    engine: session.engine,
    cli: opts.cli,
    drillId: opts.runId,
    os: opts.os,
    agentSocket: session.agent?.socketPath,
    onOp: session.onOp,
    onEvent: opts.emit,
    runDirLabel: opts.runDir,
  });
  if (opts.resume) cvm.restore(readRun(opts.runDir).events);
  session.cvm = cvm;
  return cvm;
}

/**
 * Boot one version as a drill step does: the boot's events are journaled by the CVM's listener; a
 * boot that stopped, or had to pull an image again, is a finding. On the first boot an image the
 * engine has not got and cannot pull means the drill cannot run the app at all: an input error.
 */
export async function bootVersion(
  session: DrillSession,
  cvm: LocalCvm,
  app: CvmApp,
  during: string,
  opts: { onAgent?: () => Promise<void>; composeFile?: string } = {},
): Promise<BootResult> {
  const events: BootEvent[] = [];
  const r = await session.wait(() => cvm.boot(app, { onAgent: opts.onAgent, onEvent: (e) => events.push(e) }));
  if (r.failed?.unavailableImages?.length && cvm.boots === 1)
    throw new InputError(`the app could not be run: ${r.failed.reason}`, { file: opts.composeFile });
  const f = bootFailedFinding(app, r, during);
  if (f) session.addFinding(f);
  imagePrunedFindings(app, events, during).forEach(session.addFinding);
  return r;
}

/**
 * An upgrade boot with the mixed-version window measured: the engine's container events followed
 * from before the boot, the writes acknowledged meanwhile attributed to the version that served
 * them. `answersSince(t)` gives the acknowledged writes (history ops) after `t`.
 */
export async function bootMeasured(
  session: DrillSession,
  cvm: LocalCvm,
  app: CvmApp,
  during: string,
  opts: {
    onAgent?: () => Promise<void>;
    /** Until when to watch (NEW ready), after the boot returned. */
    settle: (boot: BootResult) => Promise<void>;
    writes: () => readonly HistoryOp[];
    writeService: string;
    emitWindow: (w: MixedVersionWindow) => void;
  },
): Promise<{ boot: BootResult; window: MixedVersionWindow }> {
  const since = Date.now();
  const watch = cvm.watchVersions(since);
  const boot = await bootVersion(session, cvm, app, during, { onAgent: opts.onAgent });
  if (boot.ok) await opts.settle(boot);
  // History times are ms since the run started; the watch's are epoch ms.
  const offset = Date.now() - session.clock();
  const answers = opts
    .writes()
    .filter((o) => o.type === 'ok' && o.time + offset >= since)
    .map((o) => ({ t: o.time + offset, service: opts.writeService, write: true }));
  const window = await session.wait(() => watch.done(boot, answers));
  opts.emitWindow(window);
  const f = oldVersionServedFinding(app, window, boot, during);
  if (f) session.addFinding(f);
  return { boot, window };
}
