import { join } from 'node:path';
import type { Project } from '../../compose/project.js';
import type { Catalogue } from '../../findings/catalogue.js';
import {
  type RunDefinition,
  type RunOutcome,
  type RunResult,
  readRun,
  resumeRun,
  startRun,
} from '../../steps/index.js';
import { InputError } from '../../util/errors.js';
import { drillKeyProvider, startDrillAgent } from '../agent-socket.js';
import { agentMounters, type CvmOs } from '../../cvm/index.js';
import { unshippedBindFindings } from '../boot-checks.js';
import { maskSecrets } from '../checks.js';
import { drillConfigFrom } from '../config.js';
import {
  composeChanged,
  DrillSession,
  newDrillId,
  openDrillCvm,
  removeOnClose,
  requireDockerCompose,
} from '../lifecycle.js';
import { createProgress, type Progress } from '../progress.js';
import { changedSince, projectRef, reloadProject } from '../project-ref.js';
import type { DrillDeps } from '../restart.js';
import { countedFindings, findingsFail } from '../restart-state.js';
import { verifyEngineState } from '../verify.js';
import { upgradeConfigFrom } from './config.js';
import { buildUpgradeReport, type UpgradeReport, upgradeFailed } from './report.js';
import {
  initialUpgradeState,
  reduceUpgrade,
  type UpgradeDrillInput,
  type UpgradeEvent,
  type UpgradeState,
} from './state.js';
import { type UpgradeCtx, UPGRADE_STEP_HANDLERS } from './steps.js';
import { writeFileSync } from 'node:fs';
import { HISTORY_FILE } from '../journal.js';

export const UPGRADE_DRILL_KIND = 'drill-upgrade';
/** Of the upgrade drill's journal; `drill resume` refuses another. */
export const UPGRADE_JOURNAL_VERSION = 1;

export interface UpgradeDrillOptions {
  /** OLD, loaded with the old secrets (`--env-file`). */
  from: Project;
  /** NEW, loaded with exactly the new secrets (`--next-env-file`). */
  to: Project;
  /** The env files, for the static diff's secrets plan (names only). */
  envFile?: string;
  nextEnvFile?: string;
  rollback?: boolean;
  runRoot: string;
  progress?: Progress;
  handleSignals?: boolean;
  cwd?: string;
  /** Whose boot scripts the local CVM follows (over `drill.os`). */
  os?: CvmOs;
}

export interface UpgradeDrillResult {
  report: UpgradeReport;
  runDir: string;
  failed: boolean;
  outcome: RunOutcome;
}

export interface UpgradeDeps extends Omit<DrillDeps, 'project'> {
  from?: Project;
  to?: Project;
}

/**
 * `preflight drill upgrade` as a run of the step engine: plan → start-old → seed → fingerprint →
 * upgrade → verify (→ rollback), then the key checks and the teardown; each step journaled with
 * its evidence, so a killed run can be resumed and any run's report rebuilt.
 */
export function upgradeDrillDefinition(
  deps: UpgradeDeps,
): RunDefinition<UpgradeDrillInput, UpgradeState, UpgradeCtx, UpgradeEvent> {
  let secrets: ReadonlyMap<string, string> = new Map();
  return {
    kind: UPGRADE_DRILL_KIND,
    version: UPGRADE_JOURNAL_VERSION,
    plan: (input) => [
      { id: 'plan', kind: 'plan' },
      { id: 'start-old', kind: 'start-old' },
      { id: 'seed', kind: 'seed' },
      { id: 'fingerprint', kind: 'fingerprint' },
      { id: 'upgrade', kind: 'upgrade' },
      { id: 'verify', kind: 'verify' },
      ...(input.rollback ? [{ id: 'rollback', kind: 'rollback' }] : []),
      { id: 'checks', kind: 'checks', always: true },
      { id: 'teardown', kind: 'teardown', always: true },
    ],
    initial: initialUpgradeState,
    reduce: reduceUpgrade,
    steps: UPGRADE_STEP_HANDLERS,
    async open(run) {
      const state = run.state();
      const from = deps.from ?? reloadProject(run.input.from, deps.catalogue);
      const to = deps.to ?? reloadProject(run.input.to, deps.catalogue);
      secrets = new Map([...from.env, ...to.env]);
      // The drill settings of NEW's .preflight.yml, else OLD's: one workload must work on both versions.
      const source = to.config.drill !== undefined ? to.config : from.config;
      const cli = deps.cli ?? (await requireDockerCompose());
      const session = new DrillSession(run.runId, run.runDir, deps.progress, run.emit, run.signal, state.t0, source);
      const mounters = [
        ...agentMounters(to),
        ...agentMounters(from).filter((m) => !agentMounters(to).some((n) => n.service === m.service)),
      ];
      const providers = {
        old: drillKeyProvider(from.deployment.settings),
        new: drillKeyProvider(to.deployment.settings),
      };
      if (mounters.length)
        session.agent = await startDrillAgent(run.runDir, {
          keyProvider: state.keys.open?.provider ?? providers.old,
          keyLogTaken: state.keys.entries,
        });
      // One CVM booting two versions: the upgrade and the rollback are boots on the same disk.
      const cvm = openDrillCvm(session, run, { cli, os: run.input.os ?? drillConfigFrom(source).os });
      const oldApp = cvm.prepare(from, 'old');
      const newApp = cvm.prepare(to, 'new');
      // Which version runs now follows from how far the steps got.
      const onNew = !!state.attempts.upgrade && !state.attempts.rollback;
      const ctx: UpgradeCtx = {
        session,
        from,
        to,
        cvm,
        oldApp,
        newApp,
        current: onNew ? newApp : oldApp,
        actions: {
          engine: session.engine,
          vars: onNew ? to.env : from.env,
          containerOf: async (service) => (await cvm.containers(service)).find((c) => c.State.Running)?.Id,
        },
        config: drillConfigFrom(source),
        upCfg: upgradeConfigFrom(source),
        secrets,
        mounters,
        providers,
        prepFindings: [...unshippedBindFindings(oldApp), ...unshippedBindFindings(newApp)],
      };
      return ctx;
    },
    async verify(run, ctx) {
      const s = run.state();
      const otherCompose = composeChanged(s.compose, ctx.cvm.cli);
      if (otherCompose) return { ok: false, reason: otherCompose };
      const changed = changedSince(run.input.from, ctx.from) ?? changedSince(run.input.to, ctx.to);
      if (changed) return { ok: false, reason: changed };
      // A teardown under way (killed half-way) is finished by the resume whatever is left: nothing to match.
      if (!s.ended['start-old'] || s.tornDown || s.attempts.teardown) return { ok: true };
      // Between versions (the upgrade or the rollback under way) there are no containers to expect.
      const switching = (id: string) => !!s.attempts[id] && !s.ended[id];
      const stopped = !!s.ended.fingerprint && !s.attempts.upgrade;
      return verifyEngineState(ctx.cvm, ctx.current, {
        containers: !switching('upgrade') && !switching('rollback') && !stopped,
      });
    },
    async close(ctx, reason, run) {
      if (reason.status === 'refused') {
        await ctx.session.agent?.close().catch(() => undefined);
        deps.progress.stop();
        return;
      }
      // The writer's history, derived from the journal like the restart drill's.
      writeFileSync(join(run.runDir, HISTORY_FILE), JSON.stringify(run.state().ops, null, 1));
      await ctx.session.close({
        removeResources: removeOnClose(reason.status, run.state().tornDown),
      });
    },
    status: (state) =>
      findingsFail(countedFindings(state)) || Object.values(state.ended).some((e) => !e.ok && !e.skipped)
        ? 'failed'
        : 'passed',
    maskError: (text) => maskSecrets(text, secrets),
  };
}

/** `preflight drill upgrade`: the run from the plan to the report. */
export async function runUpgradeDrill(opts: UpgradeDrillOptions, catalogue?: Catalogue): Promise<UpgradeDrillResult> {
  const { from, to } = opts;
  const progress = opts.progress ?? createProgress(process.stderr, true);
  for (const p of [from, to])
    if (!Object.keys(p.model.services ?? {}).length)
      throw new InputError('the compose project has no services to drill', { file: p.composeFiles[0] });
  const cli = await requireDockerCompose();
  const input: UpgradeDrillInput = {
    from: projectRef(from, { cwd: opts.cwd, strictRequired: true }),
    // NEW is not loaded strictly: a required variable missing from the new set is a finding, as in production.
    to: projectRef(to, { cwd: opts.cwd, strictRequired: false }),
    fromShown: { dir: from.dir, files: from.composeFiles },
    toShown: { dir: to.dir, files: to.composeFiles },
    ...(opts.envFile ? { envFile: opts.envFile } : {}),
    ...(opts.nextEnvFile ? { nextEnvFile: opts.nextEnvFile } : {}),
    ...(opts.cwd ? { cwd: opts.cwd } : {}),
    rollback: !!opts.rollback,
    os: opts.os ?? drillConfigFrom(to.config.drill !== undefined ? to.config : from.config).os,
  };
  const def = upgradeDrillDefinition({ progress, from, to, cli, ...(catalogue ? { catalogue } : {}) });
  const result = await startRun(def, input, {
    runRoot: opts.runRoot,
    runId: newDrillId('upgrade'),
    handleSignals: opts.handleSignals,
  });
  return upgradeResult(result);
}

/** `preflight drill resume` of an upgrade drill. */
export async function resumeUpgradeDrill(
  runDir: string,
  opts: { progress?: Progress; handleSignals?: boolean; catalogue?: Catalogue } = {},
): Promise<UpgradeDrillResult> {
  const progress = opts.progress ?? createProgress(process.stderr, true);
  const def = upgradeDrillDefinition({ progress, ...(opts.catalogue ? { catalogue: opts.catalogue } : {}) });
  return upgradeResult(await resumeRun(def, runDir, { handleSignals: opts.handleSignals }));
}

function upgradeResult(result: RunResult<UpgradeState>): UpgradeDrillResult {
  if (result.outcome.status === 'error' && result.cause !== undefined) throw result.cause;
  const report = buildUpgradeReport(readRun(result.runDir).events, result.runDir);
  return { report, runDir: result.runDir, failed: upgradeFailed(report), outcome: result.outcome };
}
