/**
 * The rollout as a run of the step engine (src/steps): `fleet` (the world still matches the plan),
 * one `batch:N` per batch (the canary's first, then `canary-pause`), and `finish` (always: the
 * load summary). Every step can be redone after a crash: an instance already done is skipped, an
 * upgrade request already sent is not sent again (flow.ts).
 */
import { setMaxListeners } from 'node:events';
import {
  atBoundary,
  type RunDefinition,
  type RunHandle,
  type StepContext,
  type StepDecl,
  type StepResult,
} from '../steps/index.js';
import type { BalancerSpec, Strategy } from './config.js';
import type { RolloutBackend } from './backend/types.js';
import { runBatch } from './batch.js';
import type { ControlWatcher } from './control.js';
import { initialRolloutState, outOfRotation, reduceRollout, type RolloutEvent, type RolloutState } from './events.js';
import { type FlowContext, rollback, rolloutFinding } from './flow.js';
import type { Gate, RolloutClock } from './gates/index.js';
import type { LoadBalancer } from './lb/index.js';
import type { LoadRun } from './load/index.js';
import { type Batch, fleetChanges, type PlannedInstance } from './plan.js';
import type { ProgressSink } from './progress.js';

export const ROLLOUT_JOURNAL_VERSION = 1;

/** What `run-start` records: everything a resume needs to rebuild the run, and no secret. */
export interface RolloutInput {
  /** The settings file (`.preflight.yml` or `--fleet`), absolute. */
  settingsFile: string;
  fleetFile: boolean;
  planId: string;
  backend: 'phala' | 'local';
  instances: PlannedInstance[];
  targetVersion: string;
  batches: Batch[];
  strategy: Strategy;
  balancer?: BalancerSpec['kind'] | 'haproxy-managed';
  load?: { rate: number; url?: string };
  /** `rollout undo RUN`: per instance, the version it goes back to (what RUN found it running). */
  undo?: Record<string, string>;
  /** The run an undo reverses. */
  undoes?: string;
  /** sha256 of the encrypted env sent to every replica, when the secrets change (the blob itself is in the run dir). */
  encryptedEnvSha256?: string;
}

export interface RolloutCtx {
  backend: RolloutBackend;
  balancer?: LoadBalancer;
  gates: Gate[];
  clock: RolloutClock;
  control?: ControlWatcher;
  load?: LoadRun;
  progress?: ProgressSink;
  where: { file: string; line: number; column: number };
  /** Release what open() took (balancer, backend); the load is stopped by the definition. */
  release(): Promise<void>;
}

export interface RolloutRunState extends RolloutState {
  /** When the run started (ms since the epoch), for the progress deadline. */
  startedAt: number;
  /** Most instances out of rotation at once, over every state the journal went through. */
  maxOutOfRotation: number;
}

type Step = StepContext<RolloutInput, RolloutRunState, RolloutCtx, RolloutEvent>;
type Handle = RunHandle<RolloutInput, RolloutRunState, RolloutEvent>;

export function initialRunState(): RolloutRunState {
  return { ...initialRolloutState(), startedAt: 0, maxOutOfRotation: 0 };
}

/** The fold of a rollout's journal, engine events included (the report uses it too). */
export function reduceRun(s: RolloutRunState, e: { type: string; t?: number }): RolloutRunState {
  if (e.type === 'run-start') return { ...s, startedAt: e.t ?? 0 };
  if (e.type === 'run-end' || e.type.startsWith('step-') || e.type === 'resumed' || e.type === 'lock-taken-over')
    return s;
  const next = { ...s, ...reduceRollout(s, e as never) };
  return { ...next, maxOutOfRotation: Math.max(s.maxOutOfRotation, outOfRotation(next).length) };
}

export function rolloutSteps(input: RolloutInput): StepDecl[] {
  const steps: StepDecl[] = [{ id: 'fleet', kind: 'fleet' }];
  const canary = input.batches.filter((b) => b.canary);
  for (const b of canary) steps.push({ id: `batch:${b.index}`, kind: 'batch', arg: b.instances });
  if (canary.length && input.strategy.canary && input.batches.some((b) => !b.canary))
    steps.push({ id: 'canary-pause', kind: 'canary-pause' });
  for (const b of input.batches.filter((x) => !x.canary))
    steps.push({ id: `batch:${b.index}`, kind: 'batch', arg: b.instances });
  steps.push({ id: 'finish', kind: 'finish', always: true });
  return steps;
}

/**
 * `abort`: the controller whose signal the run was started with (RunOptions.signal); `rollout
 * abort` from another process aborts it, so a batch in progress stops at once (not only a pause).
 */
export function rolloutDefinition(
  open: (run: Handle) => Promise<RolloutCtx>,
  opts: { abort?: AbortController } = {},
): RunDefinition<RolloutInput, RolloutRunState, RolloutCtx, RolloutEvent> {
  return {
    kind: 'rollout',
    version: ROLLOUT_JOURNAL_VERSION,
    plan: rolloutSteps,
    initial: initialRunState,
    reduce: reduceRun,
    steps: {
      fleet: { run: fleetStep },
      batch: { run: batchStep },
      'canary-pause': { run: canaryPause },
      finish: { run: finish },
    },
    async open(run) {
      setMaxListeners(0, run.signal);
      const ctx = await open(run);
      ctx.control?.start(() => opts.abort?.abort());
      return ctx;
    },
    async verify(run, ctx) {
      // Each instance must run what the journal says it may: its version before, or the target.
      const now = await ctx.backend.fleet(run.signal);
      const s = run.state();
      for (const id of s.order) {
        const inst = s.instances[id]!;
        const real = now.find((i) => i.id === id);
        if (!real) return { ok: false, reason: `${inst.name} is no longer in the fleet` };
        if (real.version && real.version !== inst.versionBefore && real.version !== s.targetVersion)
          return {
            ok: false,
            reason: `${inst.name} now runs ${real.version.slice(0, 12)}, which this rollout did not put there`,
          };
        if (inst.phase === 'done' && real.version !== s.targetVersion)
          return {
            ok: false,
            reason: `${inst.name} was upgraded by this rollout but runs ${real.version.slice(0, 12)} now`,
          };
      }
      return { ok: true };
    },
    async close(ctx, reason, run) {
      if (!ctx) return;
      ctx.control?.stop();
      if (reason.status !== 'refused') {
        if (reason.status === 'aborted') await abortInFlight(ctx, run);
        await stopLoad(ctx, run);
      }
      await ctx.progress?.close();
      await ctx.release();
    },
  };
}

function flowContext(step: Step | Handle, ctx: RolloutCtx, signal: AbortSignal): FlowContext {
  const emit: FlowContext['emit'] = (e, o) => {
    step.emit(e, o);
    // Each instance phase is a boundary a crash test can stop the process at (it is journaled by now).
    if (e.type === 'instance') atBoundary(`instance-${e.phase}`);
    if (e.type === 'onchain-tx') atBoundary(`instance-onchain-${e.phase}`);
    ctx.progress?.event(e, step.state());
  };
  const progressDeadlineAt = () => {
    const s = step.state();
    return (
      s.startedAt + step.input.strategy.progressDeadlineMs + s.pausedMs + (s.paused ? ctx.clock.now() - s.paused.at : 0)
    );
  };
  return {
    backend: ctx.backend,
    balancer: ctx.balancer,
    gates: ctx.gates,
    strategy: step.input.strategy,
    clock: ctx.clock,
    signal,
    emit,
    state: () => step.state(),
    progressDeadlineAt,
    pause: (reason) => pauseRun(step, ctx, emit, reason),
    where: ctx.where,
    ...(step.input.undo ? { undo: step.input.undo } : {}),
    onGateResult: (instance, gate, r) => ctx.progress?.gate?.(instance, gate, r.outcome, r.detail),
  };
}

async function pauseRun(
  step: Step | Handle,
  ctx: RolloutCtx,
  emit: FlowContext['emit'],
  reason: string,
  untilMs?: number,
): Promise<'resume' | 'abort'> {
  const at = ctx.clock.now();
  if (!step.state().paused) emit({ type: 'paused', reason, at }, { sync: true });
  const since = step.state().paused?.at ?? at;
  let choice: 'resume' | 'abort';
  if (untilMs !== undefined) {
    const waitFor = Math.max(0, since + untilMs - ctx.clock.now());
    choice = await Promise.race([
      ctx.clock.sleep(waitFor, step.signal).then(() => 'resume' as const),
      ctx.control ? ctx.control.next(step.signal) : new Promise<never>(() => {}),
    ]).catch(() => 'abort' as const);
  } else if (ctx.control) choice = await ctx.control.next(step.signal);
  else choice = 'abort';
  if (choice === 'resume')
    emit({ type: 'unpaused', at: ctx.clock.now(), pausedMs: ctx.clock.now() - since }, { sync: true });
  return choice;
}

async function fleetStep(step: Step): Promise<StepResult> {
  const { ctx, input } = step;
  const now = await ctx.backend.fleet(step.signal);
  const changes = fleetChanges(
    input.instances,
    now.map((i) => ({ id: i.id, name: i.name, version: i.version })),
  );
  if (changes.length) {
    const finding = rolloutFinding(
      'rollout-fleet-changed',
      `the fleet changed since plan ${input.planId}: ${changes.join('; ')}`,
      ctx.where,
    );
    step.emit({ type: 'finding', finding });
    return { ok: false, detail: changes.join('; '), stop: true };
  }
  const e: RolloutEvent = { type: 'fleet', instances: input.instances, targetVersion: input.targetVersion };
  step.emit(e, { sync: true });
  ctx.progress?.event(e, step.state());
  return { ok: true, detail: `${now.length} instance(s), plan ${input.planId}` };
}

async function batchStep(step: Step): Promise<StepResult> {
  const { ctx } = step;
  const flow = flowContext(step, ctx, step.signal);
  if (ctx.control?.pauseRequested && !step.state().paused) {
    if ((await pauseRun(step, ctx, flow.emit, 'paused by rollout pause')) === 'abort')
      return { ok: false, detail: 'aborted while paused', stop: true };
  }
  if (ctx.clock.now() >= flow.progressDeadlineAt()) {
    const s = step.input.strategy;
    step.emit({
      type: 'finding',
      finding: rolloutFinding(
        'rollout-deadline-exceeded',
        `the rollout did not finish within progress_deadline ${s.progressDeadlineMs / 1000} s (paused time not ` +
          `counted)`,
        ctx.where,
      ),
    });
    return { ok: false, detail: 'progress_deadline exceeded', stop: true };
  }
  const out = await runBatch(flow, step.decl.arg as string[]);
  return out.ok ? { ok: true, detail: out.detail } : { ok: false, detail: out.detail, stop: true };
}

async function canaryPause(step: Step): Promise<StepResult> {
  const { ctx, input } = step;
  const pause = input.strategy.canary?.pause ?? 'manual';
  const flow = flowContext(step, ctx, step.signal);
  const reason =
    pause === 'manual'
      ? 'canary upgraded: `preflight rollout resume RUN` to go on'
      : `canary upgraded: waiting ${pause.ms / 1000} s`;
  const choice = await pauseRun(step, ctx, flow.emit, reason, pause === 'manual' ? undefined : pause.ms);
  return choice === 'resume'
    ? { ok: true, detail: 'resumed' }
    : { ok: false, detail: 'aborted at the canary pause', stop: true };
}

async function finish(step: Step): Promise<StepResult> {
  await stopLoad(step.ctx, step);
  return { ok: true };
}

async function stopLoad(ctx: RolloutCtx, run: Step | Handle): Promise<void> {
  const load = ctx.load;
  if (!load) return;
  ctx.load = undefined;
  const summary = await load.stop();
  run.emit({ type: 'load', summary: { ...summary, timeline: summary.timeline } }, { sync: true });
  if (summary.failed > 0)
    run.emit({
      type: 'finding',
      finding: rolloutFinding(
        'rollout-requests-failed',
        `${summary.failed} of ${summary.scheduled} requests through the balancer failed (${Object.entries(
          summary.failures,
        )
          .map(([k, n]) => `${n} ${k}`)
          .join(', ')}); availability ${(summary.availability * 100).toFixed(3)}%`,
        ctx.where,
      ),
    });
}

/** `rollout abort`: instances caught mid-upgrade go back to the version they ran, and into rotation. */
async function abortInFlight(ctx: RolloutCtx, run: Handle): Promise<void> {
  const s = run.state();
  const live = new AbortController();
  setMaxListeners(0, live.signal);
  const flow = flowContext(run, ctx, live.signal);
  const inFlight = s.order.filter((id) =>
    // A rollback the abort interrupted is done again (a second request while one runs is retried on 409).
    ['upgrade-requesting', 'upgrade-requested', 'booted', 'healthy', 'rolling-back'].includes(s.instances[id]!.phase),
  );
  await Promise.all(inFlight.map((id) => rollback(flow, id).catch(() => undefined)));
  for (const id of s.order.filter((x) => ['draining', 'drained'].includes(s.instances[x]!.phase)))
    await ctx.balancer?.enable(id).catch(() => undefined);
}
