import type { Catalogue } from '../findings/catalogue.js';
import type { AnyDrillReport } from '../findings/drill-report.js';
import { readRun } from '../steps/index.js';
import { InputError } from '../util/errors.js';
import type { Progress } from './progress.js';
import { buildReport } from './report.js';
import { RESTART_DRILL_KIND, type RestartDrillResult, resumeRestartDrill } from './restart.js';
import { buildUpgradeReport } from './upgrade/report.js';
import { resumeUpgradeDrill, UPGRADE_DRILL_KIND, type UpgradeDrillResult } from './upgrade/run.js';

export type { AnyDrillReport };

function kindOf(runDir: string): 'restart' | 'upgrade' {
  const run = readRun(runDir);
  if (run.start.kind === RESTART_DRILL_KIND) return 'restart';
  if (run.start.kind === UPGRADE_DRILL_KIND) return 'upgrade';
  throw new InputError(`run ${run.runId} is a ${run.start.kind} run, not a drill`);
}

/** `drill report RUN`: the report of any run, finished or not, rebuilt from its journal alone. */
export function drillRunReport(runDir: string): AnyDrillReport {
  const run = readRun(runDir);
  return kindOf(runDir) === 'restart'
    ? { drill: 'restart', report: buildReport(run.events, run.runDir) }
    : { drill: 'upgrade', report: buildUpgradeReport(run.events, run.runDir) };
}

/** `drill resume RUN`: continue a drill whose process died, from its first unfinished step. */
export async function resumeDrill(
  runDir: string,
  opts: { progress?: Progress; handleSignals?: boolean; catalogue?: Catalogue } = {},
): Promise<({ drill: 'restart' } & RestartDrillResult) | ({ drill: 'upgrade' } & UpgradeDrillResult)> {
  return kindOf(runDir) === 'restart'
    ? { drill: 'restart', ...(await resumeRestartDrill(runDir, opts)) }
    : { drill: 'upgrade', ...(await resumeUpgradeDrill(runDir, opts)) };
}
