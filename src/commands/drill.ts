import { loadProject, resolveTargets } from '../compose/index.js';
import { type CleanDrillsResult, cleanDrills } from '../drills/clean.js';
import { type AnyDrillReport, drillRunReport, resumeDrill } from '../drills/runs.js';
import { resolveRunDir } from '../steps/index.js';
import type { CvmOs, StopMode } from '../cvm/index.js';
import type { FaultKind } from '../drills/faults.js';
import type { Progress } from '../drills/progress.js';
import { type RestartDrillResult, runRestartDrill } from '../drills/restart.js';
import { runUpgradeDrill, type UpgradeDrillResult } from '../drills/upgrade/run.js';
import { renderRestartText } from '../drills/report.js';
import { renderUpgradeText } from '../drills/upgrade/report.js';
import { renderDrillHtml } from '../report/html/drill.js';
import { catalogueLookup } from '../report/rule-meta.js';
import { UsageError } from '../util/errors.js';
import { preflightCatalogue } from './catalogue.js';

export type { AnyDrillReport, CleanDrillsResult, RestartDrillResult, UpgradeDrillResult };

interface DrillRunOptions {
  /** Where run directories (journal, history) go. */
  runRoot: string;
  /** Whose boot scripts the local CVM follows (over `drill.os`). */
  os?: CvmOs;
  progress?: Progress;
  /** Install SIGINT/SIGTERM handlers that clean up and exit (the CLI does). */
  handleSignals?: boolean;
  cwd?: string;
}

export interface RestartDrillRequest extends DrillRunOptions {
  kind: 'restart';
  /** The project directory, or `files` (not both). */
  dir?: string;
  files?: string[];
  /** The secrets the CVM would get. */
  envFile?: string;
  faults?: FaultKind[];
  rounds?: number;
  seed?: string;
  /** How the reboot fault stops the CVM (over `drill.stop`). */
  stop?: StopMode;
}

export interface UpgradeDrillRequest extends DrillRunOptions {
  kind: 'upgrade';
  /** The deployed app and the upgrade: compose directories or files, or app-compose.json. */
  from: string;
  to: string;
  /** The secrets OLD runs with, and the set NEW gets as a whole (default: the same). */
  envFile?: string;
  nextEnvFile?: string;
  rollback?: boolean;
}

export type DrillRequest = RestartDrillRequest | UpgradeDrillRequest;

/**
 * `preflight drill restart|upgrade`: run the app on the local Docker engine as a CVM runs it,
 * inject faults or upgrade it, and check what it kept. The report is rebuilt from the run's journal.
 */
export function runDrill(req: RestartDrillRequest): Promise<RestartDrillResult>;
export function runDrill(req: UpgradeDrillRequest): Promise<UpgradeDrillResult>;
export async function runDrill(req: DrillRequest): Promise<RestartDrillResult | UpgradeDrillResult> {
  const catalogue = preflightCatalogue();
  const { cwd } = req;
  if (req.kind === 'restart') {
    if (req.dir && req.files?.length) throw new UsageError('drill restart: give a directory or -f files, not both');
    const [target] = resolveTargets(req.dir ? [req.dir] : [], { files: req.files, cwd });
    // The drill runs the app: a `${VAR:?}` the secret set lacks stops it here, as it stops the boot.
    const project = loadProject(target!, {
      cwd,
      catalogue,
      envFiles: req.envFile ? [req.envFile] : undefined,
      strictRequired: true,
    });
    return runRestartDrill({ ...req, project }, catalogue);
  }
  const [oldTarget] = resolveTargets([req.from], { cwd });
  const [newTarget] = resolveTargets([req.to], { cwd });
  const nextEnvFile = req.nextEnvFile ?? req.envFile;
  const from = loadProject(oldTarget!, {
    cwd,
    catalogue,
    envFiles: req.envFile ? [req.envFile] : undefined,
    strictRequired: true,
  });
  // NEW is not loaded strictly: a required variable missing from the new set is a finding, as in production.
  const to = loadProject(newTarget!, { cwd, catalogue, envFiles: nextEnvFile ? [nextEnvFile] : undefined });
  return runUpgradeDrill({ ...req, from, to, nextEnvFile }, catalogue);
}

/** `preflight drill clean`: remove what crashed or killed drills left, and close their journals. */
export function cleanDrillRuns(opts: { runRoot: string; all?: boolean }): Promise<CleanDrillsResult> {
  return cleanDrills(opts);
}

/** A past or crashed run: RUN is its directory, or its id under `runRoot`. */
export interface DrillRunRef {
  run: string;
  runRoot: string;
}

/**
 * `preflight drill resume RUN`: continue a drill whose process was killed, from its first
 * unfinished step, after checking that the engine still holds what its journal says; or refuse
 * (an InputError naming the reason).
 */
export async function resumeDrillRun(
  req: DrillRunRef & { progress?: Progress; handleSignals?: boolean },
): Promise<(RestartDrillResult | UpgradeDrillResult) & { drill: 'restart' | 'upgrade' }> {
  return resumeDrill(resolveRunDir(req.run, req.runRoot), {
    progress: req.progress,
    handleSignals: req.handleSignals,
    catalogue: preflightCatalogue(),
  });
}

/** `preflight drill report RUN`: the report of a run rebuilt from its journal alone (byte for byte the same). */
export function drillReport(req: DrillRunRef): AnyDrillReport {
  return drillRunReport(resolveRunDir(req.run, req.runRoot));
}

export const DRILL_REPORT_FORMATS = ['text', 'json', 'html'] as const;
export type DrillReportFormat = (typeof DRILL_REPORT_FORMATS)[number];

/** A drill report in one of its formats: the text report, JSON, or a self-contained HTML page. */
export function renderDrillReport(drill: AnyDrillReport, format: DrillReportFormat): string {
  if (format === 'json') return JSON.stringify(drill.report, null, 2) + '\n';
  if (format === 'html') return renderDrillHtml(drill, { meta: catalogueLookup(preflightCatalogue()) });
  return drill.drill === 'restart' ? renderRestartText(drill.report) : renderUpgradeText(drill.report);
}
