import { loadProject, resolveTargets } from '../compose/index.js';
import { type CleanDrillsResult, cleanDrills } from '../drills/clean.js';
import type { FaultKind } from '../drills/faults.js';
import type { Progress } from '../drills/progress.js';
import { type RestartDrillResult, runRestartDrill } from '../drills/restart.js';
import { runUpgradeDrill, type UpgradeDrillResult } from '../drills/upgrade/run.js';
import { UsageError } from '../util/errors.js';
import { preflightCatalogue } from './catalogue.js';

export type { CleanDrillsResult, RestartDrillResult, UpgradeDrillResult };

interface DrillRunOptions {
  /** Where run directories (journal, history) go. */
  runRoot: string;
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
    return runRestartDrill({ ...req, project });
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
  return runUpgradeDrill({ ...req, from, to, nextEnvFile });
}

/** `preflight drill clean`: remove what crashed or killed drills left, and close their journals. */
export function cleanDrillRuns(opts: { runRoot: string; all?: boolean }): Promise<CleanDrillsResult> {
  return cleanDrills(opts);
}
