import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Project } from '../compose/project.js';
import type { PlannedFault } from '../findings/drill-report.js';
import type { Finding } from '../findings/types.js';
import type { StepContext, StepHandler, StepResult } from '../steps/index.js';
import { type ActionContext, parseReadIds, perform } from './actions.js';
import type { CvmApp, LocalCvm, StopOutcome } from '../cvm/index.js';
import { bootVersion } from './cvm-boot.js';
import * as checks from './checks.js';
import type { DrillConfig } from './config.js';
import { observeContainers } from './evidence.js';
import { checkSet } from './history.js';
import { type DrillEvent, HISTORY_FILE, type RestartDrillInput } from './journal.js';
import { keyFindings, keyProviderSource, phaseOf } from './keys.js';
import type { DrillSession } from './lifecycle.js';
import { probeAll } from './recovery.js';
import type { RestartState } from './restart-state.js';
import { formatMs } from '../util/format-ms.js';
import { Writer } from './writer.js';

/** The live handles of one process driving a restart drill. */
export interface RestartCtx {
  session: DrillSession;
  /** The local CVM the app runs on, and the app as it receives it. */
  cvm: LocalCvm;
  app: CvmApp;
  project: Project;
  config: DrillConfig;
  actions: ActionContext;
  mounters: { service: string; targets: string[] }[];
  /** What a CVM would not have (relative bind mounts), found when the compose inputs were written. */
  prepFindings: Finding[];
  /** The fault in progress, for the writer's history. */
  currentFault?: number;
  /** After a resume the agent is a new process: containers mounting its socket must start again. */
  remountAgent: boolean;
}

type Step = StepContext<RestartDrillInput, RestartState, RestartCtx, DrillEvent>;
type Handler = StepHandler<RestartDrillInput, RestartState, RestartCtx, DrillEvent>;

/** Steps of the restart drill: start, each planned fault, the final read, the checks, the teardown. */
export const RESTART_STEPS: Record<string, Handler> = {
  start: {
    async run(step) {
      const { session, cvm, app, config, actions } = step.ctx;
      step.ctx.prepFindings.forEach(session.addFinding);
      const services = step.input.services;
      session.progress.step(`starting ${services.length} service(s) with compose ${cvm.cli.kind}`);
      // The agent stand-in was started for this first boot already (open()).
      const boot = await bootVersion(session, cvm, app, 'the first start', { composeFile: step.input.files[0] });
      // A boot that stopped before `compose up` started nothing to probe: its finding says why.
      const ready = boot.ok ? await session.wait(() => probeAll(cvm, services, config, actions, session.sleep)) : [];
      if (!boot.ok) {
        step.emit({ type: 'started', ready: false, notReady: services, bootFailed: true });
        session.progress.done('the boot stopped before compose up', false);
        return { ok: false, detail: `the boot stopped at ${boot.failed?.step}`, stop: true };
      }
      const notReady = ready.filter((r) => !r.ready);
      for (const r of notReady) session.addFinding(checks.notReady(app, r.service, 'the first start', r.ms, r.detail));
      for (const r of ready)
        if (r.restarts >= checks.RESTART_LOOP_THRESHOLD)
          session.addFinding(checks.restartLoop(app, r.service, r.restarts, 'the first start'));
      step.emit({
        type: 'started',
        ready: !notReady.length,
        ...(notReady.length ? { notReady: notReady.map((r) => r.service) } : {}),
      });
      session.progress.done(
        `started (${notReady.length ? 'not ready: ' + notReady.map((r) => r.service).join(', ') : 'ready'})`,
        notReady.length === 0,
      );
      ensureWriter(step);
      return startResult(step.state());
    },
    async resume(step) {
      return step.state().started ? startResult(step.state()) : 'redo';
    },
  },

  fault: {
    async run(step) {
      const fault = step.decl.arg as PlannedFault;
      const { session, cvm, app, config, actions } = step.ctx;
      const plan = step.input.plan;
      const label = `${fault.index + 1}/${plan.length} ${fault.kind}${fault.service ? ' ' + fault.service : ''}`;
      ensureWriter(step);
      session.progress.step(`traffic before ${label}`);
      await session.wait(() => session.sleep(config.trafficMs));
      step.ctx.currentFault = fault.index;
      openKeyPhase(step, { phase: `fault ${fault.index + 1} (${fault.kind})`, fault: fault.index });
      step.emit({ type: 'fault-start', index: fault.index, kind: fault.kind, service: fault.service });
      session.progress.step(label);
      const t0 = performance.now();
      const stops = await session.wait(() => inject(step, fault));
      const injectMs = performance.now() - t0;
      for (const o of stops.filter((s) => s.killed)) session.addFinding(checks.sigtermIgnored(app, o, `${fault.kind}`));
      const t1 = performance.now();
      const ready = await session.wait(() => probeAll(cvm, step.input.services, config, actions, session.sleep));
      const recoverMs = performance.now() - t1;
      const notReady = ready.filter((r) => !r.ready);
      const after = `fault ${fault.index + 1} (${fault.kind})`;
      for (const r of notReady) session.addFinding(checks.notReady(app, r.service, after, r.ms, r.detail));
      for (const r of ready)
        if (r.restarts >= checks.RESTART_LOOP_THRESHOLD)
          session.addFinding(checks.restartLoop(app, r.service, r.restarts, after));
      step.emit({
        type: 'fault-end',
        index: fault.index,
        kind: fault.kind,
        service: fault.service,
        injectMs,
        recoverMs,
        ready: notReady.length === 0,
        ...(notReady.length ? { notReady: notReady.map((r) => r.service) } : {}),
      });
      session.progress.done(
        `${label}: injected in ${formatMs(injectMs)}, ` +
          (notReady.length
            ? 'NOT ready: ' + notReady.map((r) => r.service).join(', ')
            : `ready again in ${formatMs(recoverMs)}`),
        notReady.length === 0,
      );
      step.ctx.currentFault = undefined;
      return faultResult(step.state(), fault);
    },
    async resume(step) {
      const fault = step.decl.arg as PlannedFault;
      return step.state().faultEnds[fault.index] ? faultResult(step.state(), fault) : 'redo';
    },
  },

  'final-read': {
    async run(step) {
      const { session, config, actions, app } = step.ctx;
      const workload = config.workload;
      const writer = ensureWriter(step);
      if (writer) {
        session.progress.step('traffic after the last fault');
        await session.wait(() => session.sleep(config.trafficMs));
        await session.wait(() => writer.stop());
        writeHistory(step);
      }
      if (!workload) return { ok: true, detail: 'no workload: data not checked' };
      // The first boot stopped before `compose up`: nothing was written, and drill-boot-failed says why.
      if (step.state().started?.bootFailed) return { ok: true, detail: 'the app never started: data not checked' };
      session.progress.step('final read');
      const stopped = step.state().stopped || !step.state().started?.ready;
      const deadline = performance.now() + config.defaultReadyTimeoutMs;
      let last = 'not attempted';
      let ids: string[] | undefined;
      while (!ids) {
        const r = await session.wait(() => perform(workload.read, actions, undefined, workload.timeoutMs));
        if (r.outcome === 'ok') ids = parseReadIds(r.body ?? '');
        else if (performance.now() > deadline || stopped) {
          last = r.error ?? r.outcome;
          break;
        } else {
          last = r.error ?? r.outcome;
          await session.wait(() => session.sleep(500));
        }
      }
      step.emit(ids ? { type: 'final-read', ok: true, ids } : { type: 'final-read', ok: false, error: last });
      if (!ids) session.addFinding(checks.readFailed(app, step.input.writeService, last));
      return readResult(step.state());
    },
    async resume(step) {
      return step.state().finalRead ? readResult(step.state()) : 'redo';
    },
  },

  checks: {
    async run(step) {
      const { session, cvm, app, project, mounters } = step.ctx;
      closeKeyPhase(step);
      session.progress.step('checking the containers (diff, logs)');
      await session.wait(() => observeContainers(cvm, project.env, step.emit));
      const s = step.state();
      if (s.finalRead?.ok && s.finalRead.ids)
        checks.lostWrites(app, step.input.writeService, checkSet(s.ops, s.finalRead.ids)).forEach(session.addFinding);
      for (const [svc, paths] of Object.entries(s.outside))
        session.addFinding(checks.writeOutsideVolume(app, svc, [...paths].sort()));
      keyFindings(s.keys.phases, {
        mounters,
        where: (svc) => app.where(svc),
        providerSource: keyProviderSource(project.deployment),
      }).forEach(session.addFinding);
      for (const [svc, hit] of Object.entries(s.secrets))
        session.addFinding(
          checks.secretInLogs(
            app,
            svc,
            { names: [...hit.names].sort(), patterns: [...hit.patterns].sort() },
            project.deployment.settings.public_logs,
          ),
        );
      return { ok: true, detail: 'checked' };
    },
  },

  teardown: {
    async run(step) {
      step.ctx.session.progress.step('removing the containers, volumes and networks');
      await step.ctx.session.removeResources();
      return { ok: true, detail: 'removed' };
    },
  },
};

function startResult(s: RestartState): StepResult {
  const notReady = s.started?.notReady ?? [];
  return notReady.length
    ? { ok: false, detail: `not ready: ${notReady.join(', ')}`, stop: true }
    : { ok: true, detail: 'ready' };
}

function faultResult(s: RestartState, fault: PlannedFault): StepResult {
  const e = s.faultEnds[fault.index]!;
  return e.ready
    ? { ok: true, detail: `ready again in ${formatMs(e.recoverMs)}` }
    : { ok: false, detail: `not ready: ${(e.notReady ?? []).join(', ')}`, stop: true };
}

function readResult(s: RestartState): StepResult {
  const r = s.finalRead!;
  return r.ok
    ? { ok: true, detail: `${r.ids?.length ?? 0} value(s) read` }
    : { ok: false, detail: `the final read failed (${r.error})` };
}

/**
 * The writer runs from the first start (when everything came up) to the final read, across steps
 * and across processes: a resumed run starts a new one numbering on from the journal.
 */
function ensureWriter(step: Step): Writer | undefined {
  const { session, config, actions } = step.ctx;
  const s = step.state();
  if (!config.workload || !s.started?.ready) return undefined;
  if (session.writer?.isRunning) return session.writer;
  session.writer = new Writer(
    config.workload,
    actions,
    step.runId.slice(-6),
    session.clock,
    () => step.ctx.currentFault,
    (op) => step.emit({ type: 'op', op }),
    s.writes + 1,
  );
  session.writer.start();
  return session.writer;
}

/** history.json: derived from the journal, rewritten whenever the history is complete so far. */
export function writeHistory(run: { runDir: string; state(): RestartState }): void {
  writeFileSync(join(run.runDir, HISTORY_FILE), JSON.stringify(run.state().ops, null, 1));
}

/** Close the key phase that is open (journaling the keys served in it) and open `next`. */
function openKeyPhase(step: Step, next: { phase: string; fault?: number }): void {
  if (step.state().keys.open?.phase === next.phase) return;
  closeKeyPhase(step, next);
}

function closeKeyPhase(step: Step, next?: { phase: string; fault?: number }): void {
  const agent = step.ctx.session.agent;
  const open = step.state().keys.open;
  if (!agent || !open) return;
  const entries = agent.takeKeyLog();
  step.emit({
    type: 'keys',
    keys: phaseOf(open.phase, agent.keyProvider, entries, open.fault),
    entries: entries.length,
    ...(next ? { next } : {}),
  });
}

/**
 * Inject one fault; returns how containers answered graceful stops (for the SIGTERM check). A CVM
 * boot (kill-all, reboot) looks at the containers before they go and restarts the guest agent.
 */
async function inject(step: Step, fault: PlannedFault): Promise<StopOutcome[]> {
  const { cvm, app, session, project } = step.ctx;
  const observe = () => observeContainers(cvm, project.env, step.emit);
  // The guest agent starts within the boot (after orphan removal, before dockerd).
  const boot = () =>
    bootVersion(session, cvm, app, `fault ${fault.index + 1} (${fault.kind})`, {
      onAgent: session.agent ? () => session.agent!.restart() : undefined,
    });
  switch (fault.kind) {
    case 'restart': {
      const stops = await cvm.stopService(fault.service!);
      await cvm.startService(fault.service!);
      return stops;
    }
    case 'kill':
      await cvm.crashService(fault.service!);
      await restartIfNoPolicy(cvm, fault.service!);
      return [];
    case 'kill-midwrite':
      await session.writer?.inFlightWrite(3, 10_000);
      await cvm.crashService(fault.service!);
      await restartIfNoPolicy(cvm, fault.service!);
      return [];
    case 'kill-all':
      await cvm.shutdown('forced');
      await observe();
      await boot();
      return [];
    case 'reboot': {
      const stops = await cvm.shutdown(step.input.stop ?? 'graceful');
      await observe();
      await boot();
      return stops;
    }
  }
}

/**
 * A crashed container comes back by its restart policy; without one it would stay down in a CVM
 * too (the static `check` reports that), so the drill starts it to go on with the other faults.
 * Also covers a policy the engine did not apply because the kill had to go through `docker kill`.
 */
async function restartIfNoPolicy(cvm: LocalCvm, service: string): Promise<void> {
  const deadline = Date.now() + 1_500;
  for (;;) {
    const down = (await cvm.containers(service)).filter((c) => !c.State.Running && !c.State.Restarting);
    const noPolicy = down.filter((c) => ['', 'no'].includes(c.HostConfig.RestartPolicy?.Name ?? ''));
    for (const c of noPolicy) await cvm.engine.start(c.Id);
    if (down.length === noPolicy.length) return;
    if (Date.now() > deadline) {
      for (const c of down) if (!noPolicy.includes(c)) await cvm.engine.start(c.Id);
      return;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}
