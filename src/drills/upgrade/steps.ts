import type { Project } from '../../compose/project.js';
import { diffProjects } from '../../diff/index.js';
import { EngineError } from '../../docker/exec.js';
import type { KeyProvider } from '../../agent/index.js';
import type { Finding } from '../../findings/types.js';
import type { StepContext, StepHandler, StepResult } from '../../steps/index.js';
import { type ActionContext, perform } from '../actions.js';
import type { CvmApp, LocalCvm } from '../../cvm/index.js';
import { bootMeasured, bootVersion } from '../cvm-boot.js';
import * as checks from '../checks.js';
import { maskSecrets } from '../checks.js';
import type { DrillConfig } from '../config.js';
import { observeContainers } from '../evidence.js';
import { checkSet } from '../history.js';
import { keyFindings, keyProviderSource, phaseOf } from '../keys.js';
import type { DrillSession } from '../lifecycle.js';
import { probeAll } from '../recovery.js';
import { formatMs } from '../../util/format-ms.js';
import { Writer } from '../writer.js';
import { dataErrorLines, filesChanged, upgradeFinding } from './checks.js';
import { compareVolume } from './compare.js';
import type { UpgradeConfig } from './config.js';
import { dataErrorsOf, finalRead, fingerprintAll, readyOutcome, sum, volumesOf } from './observe.js';
import { STEP_TITLES, type UpgradeStep } from './report.js';
import { acknowledged, type UpgradeDrillInput, type UpgradeEvent, type UpgradeState } from './state.js';

/** The live handles of one process driving an upgrade drill. */
export interface UpgradeCtx {
  session: DrillSession;
  from: Project;
  to: Project;
  /** The local CVM both versions boot on, and the two versions as it receives them. */
  cvm: LocalCvm;
  oldApp: CvmApp;
  newApp: CvmApp;
  /** The version running now: OLD until the upgrade, NEW until the rollback. */
  current: CvmApp;
  actions: ActionContext;
  config: DrillConfig;
  upCfg: UpgradeConfig;
  /** Secrets of both sets: a value of either showing up in a log is a leak. */
  secrets: ReadonlyMap<string, string>;
  mounters: { service: string; targets: string[] }[];
  providers: { old: KeyProvider; new: KeyProvider };
  prepFindings: Finding[];
}

type Step = StepContext<UpgradeDrillInput, UpgradeState, UpgradeCtx, UpgradeEvent>;
type Handler = StepHandler<UpgradeDrillInput, UpgradeState, UpgradeCtx, UpgradeEvent>;

/** An upgrade step as the drill shows it: its title first, its outcome after; an engine failure is its result. */
function shown(name: UpgradeStep, run: (step: Step) => Promise<StepResult>): Handler {
  return {
    async run(step) {
      const { progress } = step.ctx.session;
      progress.step(`${name}: ${STEP_TITLES[name]}`);
      const t0 = performance.now();
      let r: StepResult;
      try {
        r = await run(step);
      } catch (err) {
        if (!(err instanceof EngineError) || step.signal.aborted) throw err;
        r = { ok: false, detail: maskSecrets(err.message, step.ctx.secrets) };
      }
      if (!('skipped' in r && r.skipped))
        progress.done(`${name} (${formatMs(performance.now() - t0)}): ${r.detail}`, r.ok);
      return r;
    },
  };
}

const notReached: StepResult = { ok: true, skipped: true, detail: '' };

/** The service taking writes in an app (for findings about data). */
function whereWrites(ctx: UpgradeCtx, app: CvmApp): string {
  const w = ctx.config.workload;
  const svc = w?.service ?? (w?.write.kind === 'exec' ? w.write.service : undefined);
  return svc && app.services.includes(svc) ? svc : app.services[0]!;
}

/** Switch to a version: its app answers the actions, with its own secret set. */
function switchTo(ctx: UpgradeCtx, side: 'old' | 'new'): void {
  ctx.current = side === 'old' ? ctx.oldApp : ctx.newApp;
  ctx.actions.vars = side === 'old' ? ctx.from.env : ctx.to.env;
}

/** The CVM reboots into another version: the keys served so far close a phase, and the agent restarts. */
async function rebootAgent(step: Step, next: string, provider: KeyProvider): Promise<void> {
  const agent = step.ctx.session.agent;
  const open = step.state().keys.open;
  if (!agent || !open || open.phase === next) return;
  const entries = agent.takeKeyLog();
  step.emit({
    type: 'keys',
    keys: phaseOf(open.phase, agent.keyProvider, entries),
    entries: entries.length,
    next: { phase: next, provider },
  });
  await agent.restart({ keyProvider: provider });
}

function newWriter(step: Step, tag: string): Writer {
  const { config, actions, session } = step.ctx;
  const writer = new Writer(
    config.workload!,
    actions,
    tag,
    session.clock,
    () => undefined,
    (op) => step.emit({ type: 'op', op }),
    (step.state().writes[tag] ?? 0) + 1,
  );
  session.writer = writer;
  writer.start();
  return writer;
}

/** plan → start-old → seed → fingerprint → upgrade → verify → rollback, then the key checks and the teardown. */
export const UPGRADE_STEP_HANDLERS: Record<string, Handler> = {
  plan: shown('plan', async (step) => {
    const { from, to } = step.ctx;
    const d = diffProjects(from, to, {
      oldEnvFile: step.input.envFile,
      newEnvFile: step.input.nextEnvFile ?? step.input.envFile,
      cwd: step.input.cwd,
    });
    step.emit({ type: 'diff', findings: d.report.findings });
    const errors = d.report.findings.filter((f) => f.severity === 'error').length;
    return { ok: true, detail: `${d.report.findings.length} finding(s), ${errors} error(s)` };
  }),

  'start-old': shown('start-old', async (step) => {
    const { session, cvm, oldApp, config, actions } = step.ctx;
    const seen = new Set<string>();
    for (const f of step.ctx.prepFindings) if (!seen.has(f.message) && seen.add(f.message)) session.addFinding(f);
    switchTo(step.ctx, 'old');
    const boot = await bootVersion(session, cvm, oldApp, "OLD's first start", {
      composeFile: step.input.fromShown.files[0],
    });
    if (!boot.ok)
      return {
        ok: false,
        detail:
          `OLD's boot stopped ` +
          `at ${boot.failed?.step}: ${maskSecrets(boot.failed?.reason ?? '', step.ctx.secrets)}`,
        stop: true,
      };
    const ready = await session.wait(() => probeAll(cvm, oldApp.services, config, actions, session.sleep));
    const r = await readyOutcome(
      cvm,
      oldApp,
      "OLD's first start",
      ready,
      session.addFinding,
      step.ctx.secrets,
      step.ctx.upCfg,
    );
    return r.ok ? r : { ...r, stop: true };
  }),

  seed: shown('seed', async (step) => {
    const { session, config, upCfg, actions } = step.ctx;
    if (upCfg.seed && !step.state().seeded) {
      const r = await session.wait(() => perform(upCfg.seed!, actions, undefined, 60_000));
      step.emit(
        r.outcome === 'ok' ? { type: 'seeded', ok: true } : { type: 'seeded', ok: false, error: r.error ?? r.outcome },
      );
    }
    const seeded = step.state().seeded;
    if (seeded && !seeded.ok) return { ok: false, detail: `the seed command failed (${seeded.error})` };
    if (!config.workload || upCfg.seedWrites === 0)
      return {
        ok: true,
        detail: upCfg.seed
          ? 'seed command ran; no workload writes'
          : 'no drill.workload or drill.upgrade.seed: data not checked',
      };
    const tag = `${step.runId.slice(-6)}-s`;
    const acked = () => acknowledged(step.state(), tag);
    if (acked() < upCfg.seedWrites) {
      const writer = newWriter(step, tag);
      const deadline = performance.now() + Math.min(120_000, 10_000 + upCfg.seedWrites * config.workload.timeoutMs);
      while (acked() < upCfg.seedWrites && performance.now() < deadline) await session.wait(() => session.sleep(50));
      await session.wait(() => writer.stop());
    }
    return { ok: acked() > 0, detail: `${acked()} write(s) acknowledged by OLD` };
  }),

  fingerprint: shown('fingerprint', async (step) => {
    const { session, cvm, oldApp, upCfg } = step.ctx;
    // The upgrade stops the CVM cleanly (`docker compose stop`): the volumes are fingerprinted at rest.
    const stops = await session.wait(() => cvm.shutdown('graceful'));
    for (const o of stops.filter((s) => s.killed))
      session.addFinding(checks.sigtermIgnored(oldApp, o, "the upgrade's stop"));
    const before = await session.wait(() =>
      fingerprintAll(session.engine, cvm.projectName, oldApp, step.runId, upCfg, session.onOp),
    );
    step.emit({ type: 'fingerprint', phase: 'before', volumes: before });
    return {
      ok: true,
      detail: `${before.length} volume(s), ${sum(before, 'fileCount')} file(s), ${sum(before, 'bytes')} bytes`,
    };
  }),

  upgrade: {
    async run(step) {
      if (!step.state().ended.fingerprint || step.state().ended.fingerprint?.skipped) return notReached;
      return upgradeStep.run(step);
    },
  },

  verify: {
    async run(step) {
      const up = step.state().ended.upgrade;
      if (!up || up.skipped || !up.ok) return notReached;
      return verifyStep.run(step);
    },
  },

  rollback: {
    async run(step) {
      if (!step.state().ended['start-old']?.ok) return notReached;
      return rollbackStep.run(step);
    },
  },

  checks: {
    async run(step) {
      const { session, mounters, providers, from, to, oldApp, newApp } = step.ctx;
      const agent = session.agent;
      const open = step.state().keys.open;
      if (!agent) return { ok: true, detail: 'no agent' };
      if (open) {
        const entries = agent.takeKeyLog();
        step.emit({ type: 'keys', keys: phaseOf(open.phase, agent.keyProvider, entries), entries: entries.length });
      }
      const source =
        providers.new === 'none' || providers.old !== 'none'
          ? keyProviderSource(to.deployment)
          : `OLD ${keyProviderSource(from.deployment)}`;
      keyFindings(step.state().keys.phases, {
        mounters,
        where: (svc) => (newApp.services.includes(svc) ? newApp : oldApp).where(svc),
        providerSource: source,
      }).forEach(session.addFinding);
      return { ok: true, detail: 'keys checked' };
    },
  },

  teardown: {
    async run(step) {
      await step.ctx.session.removeResources();
      return { ok: true, detail: 'removed' };
    },
  },
};

/**
 * The CVM boots NEW on OLD's disk. Write traffic runs through the boot, so the mixed-version window
 * is measured (how long the restored OLD containers answered; OLD and NEW at once on one volume).
 */
const upgradeStep = shown('upgrade', async (step) => {
  const { session, cvm, newApp, to, providers, secrets, config } = step.ctx;
  const writer = config.workload ? newWriter(step, `${step.runId.slice(-6)}-u`) : undefined;
  const { boot, window } = await bootMeasured(session, cvm, newApp, 'the upgrade to NEW', {
    onAgent: async () => {
      await rebootAgent(step, 'NEW (after the upgrade)', providers.new);
      switchTo(step.ctx, 'new');
    },
    settle: async () => {
      if (writer) await session.wait(() => session.sleep(config.trafficMs));
    },
    writes: () => step.state().ops,
    writeService: whereWrites(step.ctx, newApp),
    emitWindow: (w) => step.emit({ type: 'mixed-version', window: w }),
  });
  await writer?.stop();
  switchTo(step.ctx, 'new');
  if (!boot.ok) return { ok: false, detail: `NEW did not start: ${maskSecrets(boot.failed?.reason ?? '', secrets)}` };
  const old = window.oldRan.length
    ? `; OLD ran again for ${formatMs(window.oldRanMs)} (${window.oldAnswers} answer(s))`
    : '';
  return { ok: true, detail: `NEW started with ${to.env.size} variable(s) from the new secret set${old}` };
});

const verifyStep = shown('verify', async (step) => {
  const { session, cvm, newApp, oldApp, config, actions, upCfg, secrets, from, to } = step.ctx;
  switchTo(step.ctx, 'new');
  // Redone after a crash: NEW may have been stopped for the fingerprint already; boot it again.
  if (step.attempt > 1) await bootVersion(session, cvm, newApp, 'the upgrade to NEW (after a resume)');
  const ready = await session.wait(() => probeAll(cvm, newApp.services, config, actions, session.sleep));
  const outcome = await readyOutcome(cvm, newApp, 'the upgrade', ready, session.addFinding, secrets, upCfg);
  const notes: string[] = [outcome.detail];
  if (outcome.ok && config.workload) {
    const writer = newWriter(step, `${step.runId.slice(-6)}-v`);
    await session.wait(() => session.sleep(config.trafficMs));
    await session.wait(() => writer.stop());
    const read = await session.wait(() => finalRead(config, actions, session.sleep));
    step.emit({ type: 'read', phase: 'verify', ...read });
    if (read.ok) {
      const check = checkSet(step.state().ops, read.ids!);
      checks.lostWrites(newApp, whereWrites(step.ctx, newApp), check).forEach(session.addFinding);
      notes.push(`${check.read} of ${check.acknowledged} acknowledged writes read back, ${check.lost.length} lost`);
      if (!check.valid) outcome.ok = false;
    } else {
      session.addFinding(checks.readFailed(newApp, whereWrites(step.ctx, newApp), read.error!));
      outcome.ok = false;
    }
  }
  // NEW's containers: files outside volumes, secrets and data errors in logs.
  for (const o of await session.wait(() => observeContainers(cvm, secrets, step.emit))) {
    if (o.outside.length) session.addFinding(checks.writeOutsideVolume(newApp, o.service, o.outside));
    if (o.secrets.names.length || o.secrets.patterns.length)
      session.addFinding(checks.secretInLogs(newApp, o.service, o.secrets, to.deployment.settings.public_logs));
    const errors = dataErrorLines(o.log, upCfg.dataErrors, secrets);
    // When NEW was not ready, the not-ready finding already quotes the log.
    if (errors.length && outcome.ok)
      session.addFinding(
        upgradeFinding(
          'upgrade-data-error',
          `${o.service} logged ${errors.length} data error line(s) after the ` +
            `upgrade: ${errors.map((l) => `"${l}"`).join(' ')}`,
          newApp.where(o.service),
          o.service,
        ),
      );
  }
  const stops = await session.wait(() => cvm.shutdown('graceful'));
  for (const o of stops.filter((s) => s.killed))
    session.addFinding(checks.sigtermIgnored(newApp, o, 'the stop after the upgrade'));
  const before = step.state().before ?? [];
  const after = await session.wait(() =>
    fingerprintAll(session.engine, cvm.projectName, oldApp, step.runId, upCfg, session.onOp, before),
  );
  step.emit({ type: 'fingerprint', phase: 'after', volumes: after });
  const mountedByNew = new Set(volumesOf(newApp, cvm.projectName).map((v) => v.volume));
  const diffs = before.map((b) =>
    compareVolume(
      b,
      after.find((a) => a.volume === b.volume),
      upCfg.expectChanges,
      mountedByNew.has(b.volume),
    ),
  );
  step.emit({ type: 'volume-diff', diffs });
  const userOf = (p: Project, key: string) =>
    Object.entries(p.model.services ?? {}).find(([, s]) =>
      (s.volumes ?? []).some((v) => v.type === 'volume' && v.source === key),
    )?.[0];
  for (const d of diffs) {
    const user = userOf(to, d.key);
    const f = filesChanged(d, user ? newApp.where(user) : oldApp.where(userOf(from, d.key) ?? oldApp.services[0]!));
    if (f) {
      session.addFinding(f);
      if (f.severity === 'error') outcome.ok = false;
    }
  }
  return { ok: outcome.ok, detail: notes.join('; ') };
});

const rollbackStep = shown('rollback', async (step) => {
  const { session, cvm, oldApp, config, actions, upCfg, secrets, providers } = step.ctx;
  const failed = (why: string): StepResult => {
    session.addFinding(
      upgradeFinding(
        'upgrade-rollback-failed',
        `after going back to OLD on the upgraded data: ${why}`,
        oldApp.where(whereWrites(step.ctx, oldApp)),
      ),
    );
    return { ok: false, detail: why };
  };
  const boot = await bootVersion(session, cvm, oldApp, 'the rollback to OLD', {
    onAgent: () => rebootAgent(step, 'OLD (after the rollback)', providers.old),
  });
  switchTo(step.ctx, 'old');
  if (!boot.ok)
    return failed(`OLD's boot stopped at ${boot.failed?.step}: ${maskSecrets(boot.failed?.reason ?? '', secrets)}`);
  const ready = await session.wait(() => probeAll(cvm, oldApp.services, config, actions, session.sleep));
  const down = ready.filter((r) => !r.ready);
  if (down.length) {
    const logs = await dataErrorsOf(cvm, secrets, upCfg);
    const why = down.map((r) => `${r.service}: ${r.detail}`).join(', ');
    return failed(`OLD did not become ready (${why})${logs.length ? `; its log says: ${logs[0]}` : ''}`);
  }
  if (!config.workload) return { ok: true, detail: 'OLD ready again (no workload to read back)' };
  const read = await session.wait(() => finalRead(config, actions, session.sleep));
  step.emit({ type: 'read', phase: 'rollback', ...read });
  if (!read.ok) return failed(`the read failed (${read.error})`);
  const check = checkSet(step.state().ops, read.ids!);
  if (!check.valid)
    return failed(
      `OLD reads back ${check.read} values; ${check.lost.length} of ${check.acknowledged} acknowledged writes ` +
        `are missing (e.g. ${check.lost.slice(0, 3).join(', ')})`,
    );
  return { ok: true, detail: `OLD ready again and reads back all ${check.acknowledged} acknowledged writes` };
});
