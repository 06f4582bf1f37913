import { randomBytes } from 'node:crypto';
import type { Project } from '../compose/project.js';
import type { ComposeCli } from '../docker/compose.js';
import { EngineError } from '../docker/exec.js';
import type { Catalogue } from '../findings/catalogue.js';
import {
  type RunDefinition,
  type RunOutcome,
  type RunResult,
  readRun,
  resumeRun,
  type StepDecl,
  startRun,
} from '../steps/index.js';
import { InputError } from '../util/errors.js';
import { drillKeyProvider, startDrillAgent } from './agent-socket.js';
import { agentMounters, type CvmOs, type StopMode } from '../cvm/index.js';
import { unshippedBindFindings } from './boot-checks.js';
import { maskSecrets } from './checks.js';
import { type DrillConfig, drillConfigFrom } from './config.js';
import { FAULT_KINDS, type FaultKind, planFaults } from './faults.js';
import type { DrillEvent, RestartDrillInput } from './journal.js';
import {
  composeChanged,
  DrillSession,
  newDrillId,
  openDrillCvm,
  removeOnClose,
  requireDockerCompose,
} from './lifecycle.js';
import { createProgress, type Progress } from './progress.js';
import { changedSince, projectRef, reloadProject } from './project-ref.js';
import { buildReport, type DrillReport, drillFailed } from './report.js';
import { type RestartCtx, RESTART_STEPS, writeHistory } from './restart-steps.js';
import {
  countedFindings,
  findingsFail,
  initialRestartState,
  type RestartState,
  reduceRestart,
} from './restart-state.js';
import { verifyEngineState } from './verify.js';

export const RESTART_DRILL_KIND = 'drill-restart';
/** Of the restart drill's journal; `drill resume` refuses another. */
export const RESTART_JOURNAL_VERSION = 1;

export interface RestartDrillOptions {
  project: Project;
  /** Overrides of the `drill` settings of .preflight.yml (CLI flags). */
  faults?: FaultKind[];
  rounds?: number;
  seed?: string;
  /** Where run directories go (`.preflight-drills/`). */
  runRoot: string;
  progress?: Progress;
  /** SIGINT/SIGTERM end the run as interrupted, after removing what it created (the CLI). */
  handleSignals?: boolean;
  /** Paths of the project are relative to it (default: the process's). */
  cwd?: string;
  /** How the `reboot` fault stops the CVM (over `drill.stop`): graceful (Phala's restart) or forced (stopCvm). */
  stop?: StopMode;
  /** Whose boot scripts the local CVM follows (over `drill.os`). */
  os?: CvmOs;
}

export interface RestartDrillResult {
  report: DrillReport;
  runDir: string;
  failed: boolean;
  outcome: RunOutcome;
}

export interface DrillDeps {
  progress: Progress;
  /** How a resumed run loads its project again (the command layer passes its rule catalogue). */
  catalogue?: Catalogue;
  /** Already loaded and detected when the run starts. */
  project?: Project;
  cli?: ComposeCli;
}

/** Faults run by default: every kind, `kill-midwrite` only when there is write traffic to cut. */
function defaultFaults(config: DrillConfig): FaultKind[] {
  return FAULT_KINDS.filter((k) => k !== 'kill-midwrite' || config.workload);
}

/** The run's input from the project and the flags: everything a resumed process needs, no secret value. */
export function restartDrillInput(opts: RestartDrillOptions): RestartDrillInput {
  const { project } = opts;
  const config = drillConfigFrom(project.config);
  const services = Object.keys(project.model.services ?? {});
  if (services.length === 0)
    throw new InputError('the compose project has no services to drill', { file: project.composeFiles[0] });
  for (const svc of Object.keys(config.ready)) {
    if (!services.includes(svc))
      throw new InputError(`drill.ready names service "${svc}", which the compose file does not define`, {
        file: project.config.file,
      });
  }
  const kinds = opts.faults ?? config.faults ?? defaultFaults(config);
  if (kinds.includes('kill-midwrite') && !config.workload)
    throw new InputError('the kill-midwrite fault needs drill.workload (write traffic to cut)', {
      file: project.config.file,
    });
  const rounds = opts.rounds ?? config.rounds ?? kinds.length;
  const seed = opts.seed ?? config.seed ?? randomBytes(4).toString('hex');
  const writeService = config.workload?.service ?? guessWriteService(project, config) ?? services[0]!;
  return {
    project: projectRef(project, { cwd: opts.cwd, strictRequired: true }),
    dir: project.dir,
    files: project.composeFiles,
    seed,
    plan: planFaults(kinds, rounds, seed, services, writeService),
    services,
    writeService,
    os: opts.os ?? config.os,
    stop: opts.stop ?? config.stop ?? 'graceful',
  };
}

/**
 * `preflight drill restart` as a run of the step engine: start, each planned fault, the final
 * read, the checks, the teardown. Every observation is journaled as it is made, so a run whose
 * process was killed can be resumed (`drill resume`) and its report rebuilt (`drill report`).
 */
export function restartDrillDefinition(
  deps: DrillDeps,
): RunDefinition<RestartDrillInput, RestartState, RestartCtx, DrillEvent> {
  let secrets: ReadonlyMap<string, string> = new Map();
  const steps = Object.fromEntries(
    Object.entries(RESTART_STEPS).map(([kind, h]) => [
      kind,
      {
        ...h,
        // A resumed process's first step starts again what the crash left half done (the agent).
        run: async (step: Parameters<typeof h.run>[0]) => {
          await remountAgent(step.ctx, step.state());
          return h.run(step);
        },
      },
    ]),
  );
  return {
    kind: RESTART_DRILL_KIND,
    version: RESTART_JOURNAL_VERSION,
    plan: (input) => [
      { id: 'start', kind: 'start' },
      ...input.plan.map((f): StepDecl => ({ id: `fault:${f.index + 1}`, kind: 'fault', arg: f })),
      { id: 'final-read', kind: 'final-read', always: true },
      { id: 'checks', kind: 'checks', always: true },
      { id: 'teardown', kind: 'teardown', always: true },
    ],
    initial: initialRestartState,
    reduce: reduceRestart,
    steps,
    async open(run) {
      const state = run.state();
      const project = deps.project ?? reloadProject(run.input.project, deps.catalogue);
      secrets = project.env;
      const cli = deps.cli ?? (await requireDockerCompose());
      const session = new DrillSession(
        run.runId,
        run.runDir,
        deps.progress,
        run.emit,
        run.signal,
        state.t0,
        project.config,
      );
      const mounters = agentMounters(project);
      if (mounters.length)
        session.agent = await startDrillAgent(run.runDir, {
          keyProvider: drillKeyProvider(project.deployment.settings),
          keyLogTaken: state.keys.entries,
        });
      const cvm = openDrillCvm(session, run, { cli, os: run.input.os ?? drillConfigFrom(project.config).os });
      const app = cvm.prepare(project, 'app');
      const ctx: RestartCtx = {
        session,
        cvm,
        app,
        project,
        config: drillConfigFrom(project.config),
        actions: {
          engine: session.engine,
          vars: project.env,
          async containerOf(service) {
            return (await cvm.containers(service)).find((x) => x.State.Running)?.Id;
          },
        },
        mounters,
        prepFindings: unshippedBindFindings(app),
        remountAgent: run.mode === 'resume' && !!session.agent,
      };
      return ctx;
    },
    async verify(run, ctx) {
      const s = run.state();
      const otherCompose = composeChanged(s.compose, ctx.cvm.cli);
      if (otherCompose) return { ok: false, reason: otherCompose };
      const changed = changedSince(run.input.project, ctx.project);
      if (changed) return { ok: false, reason: changed };
      // A teardown under way (killed half-way) is finished by the resume whatever is left: nothing to match.
      if (!s.started || s.tornDown || s.attempts.teardown) return { ok: true };
      const inProgress = run.input.plan.find((f) => s.attempts[`fault:${f.index + 1}`] && !s.faultEnds[f.index]);
      // A boot in progress removes the containers and creates them again: their absence proves nothing.
      const booting = inProgress?.kind === 'kill-all' || inProgress?.kind === 'reboot';
      return verifyEngineState(ctx.cvm, ctx.app, { containers: !booting });
    },
    async close(ctx, reason, run) {
      if (reason.status === 'refused') {
        await ctx.session.agent?.close().catch(() => undefined);
        deps.progress.stop();
        return;
      }
      if (ctx.config.workload) writeHistory(run);
      await ctx.session.close({
        removeResources: removeOnClose(reason.status, run.state().tornDown),
      });
    },
    status: (state) => (findingsFail(countedFindings(state)) ? 'failed' : 'passed'),
    maskError: (text) => maskSecrets(text, secrets),
  };
}

/** After a resume the agent stand-in is a new process; containers mounting its socket need a restart to see it. */
async function remountAgent(ctx: RestartCtx, s: RestartState): Promise<void> {
  if (!ctx.remountAgent) return;
  ctx.remountAgent = false;
  if (!s.started || s.tornDown || s.attempts.teardown) return;
  for (const m of ctx.mounters) {
    ctx.session.progress.note(`restarting ${m.service}: the agent stand-in it mounts restarted with the drill`);
    for (const c of await ctx.cvm.containers(m.service)) {
      await ctx.cvm.engine.stop(c.Id, ctx.app.graceMs(m.service) / 1000);
      await ctx.cvm.engine.start(c.Id);
    }
  }
}

/** `preflight drill restart`: the run from its first step to the report. */
export async function runRestartDrill(opts: RestartDrillOptions, catalogue?: Catalogue): Promise<RestartDrillResult> {
  const progress = opts.progress ?? createProgress(process.stderr, true);
  const input = restartDrillInput(opts);
  const cli = await requireDockerCompose();
  const def = restartDrillDefinition({ progress, project: opts.project, cli, ...(catalogue ? { catalogue } : {}) });
  const result = await startRun(def, input, {
    runRoot: opts.runRoot,
    runId: newDrillId('restart'),
    handleSignals: opts.handleSignals,
  });
  return restartResult(result, opts.project.composeFiles[0]);
}

/** `preflight drill resume` of a restart drill. */
export async function resumeRestartDrill(
  runDir: string,
  opts: { progress?: Progress; handleSignals?: boolean; catalogue?: Catalogue } = {},
): Promise<RestartDrillResult> {
  const progress = opts.progress ?? createProgress(process.stderr, true);
  const def = restartDrillDefinition({ progress, ...(opts.catalogue ? { catalogue: opts.catalogue } : {}) });
  const result = await resumeRun(def, runDir, { handleSignals: opts.handleSignals });
  return restartResult(result, (readRun(runDir).start.input as RestartDrillInput).files[0]);
}

function restartResult(result: RunResult<RestartState>, composeFile: string | undefined): RestartDrillResult {
  if (result.outcome.status === 'error' && result.cause !== undefined) {
    // The app could not even be run (a missing image, an invalid compose for this engine): input, not a crash.
    if (result.cause instanceof EngineError)
      throw new InputError(`the app could not be run: ${result.outcome.error}`, { file: composeFile });
    throw result.cause;
  }
  const report = buildReport(readRun(result.runDir).events, result.runDir);
  return { report, runDir: result.runDir, failed: drillFailed(report), outcome: result.outcome };
}

/** The service publishing the port an HTTP write goes to. */
function guessWriteService(project: Project, config: DrillConfig): string | undefined {
  const w = config.workload?.write;
  if (w?.kind !== 'http') return undefined;
  const url = w.url.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (m, n: string) => project.env.get(n) ?? m);
  let port: string;
  try {
    const u = new URL(url);
    port = u.port || (u.protocol === 'https:' ? '443' : '80');
  } catch {
    return undefined;
  }
  for (const [name, svc] of Object.entries(project.model.services ?? {})) {
    if ((svc.ports ?? []).some((p) => String(p.published ?? '') === port)) return name;
  }
  return undefined;
}
