/**
 * One instance's upgrade: drain → upgrade → wait until booted on the new version → gates hold for
 * min_healthy_time → enable. Every phase is journaled as it is reached; a redo after a crash reads
 * the journal and the world and never sends a second upgrade request for the same instance.
 */
import type { Finding } from '../findings/types.js';
import type { LoadBalancer } from './lb/index.js';
import type { BootOutcome, RolloutBackend } from './backend/types.js';
import type { Strategy } from './config.js';
import type { InstancePhase, InstanceState, RolloutEvent, RolloutState } from './events.js';
import { type Gate, type GateResult, type GateVerdict, type RolloutClock, watchGates } from './gates/index.js';
import { ROLLOUT_RULE_METAS } from './rules.js';
import { type OnChainOutcome, registerAndConfirm } from './onchain.js';
import { short } from './plan.js';

export interface FlowContext {
  backend: RolloutBackend;
  balancer?: LoadBalancer;
  gates: readonly Gate[];
  strategy: Strategy;
  clock: RolloutClock;
  signal: AbortSignal;
  emit(e: RolloutEvent, opts?: { sync?: boolean }): void;
  state(): RolloutState;
  /** Clock time at which the rollout's progress deadline passes (paused time added). */
  progressDeadlineAt(): number;
  /** Wait while the rollout is paused (`reason` is journaled); resolves with what the operator chose. */
  pause(reason: string): Promise<'resume' | 'abort'>;
  /** `rollout undo`: the version each instance goes back to (else every instance goes to the target). */
  undo?: Readonly<Record<string, string>>;
  /** Where findings point (the rollout settings). */
  where: { file: string; line: number; column: number };
  onGateResult?: (instance: string, gate: string, r: GateResult, phase: string) => void;
}

export type InstanceOutcome =
  | { ok: true; detail: string }
  | { ok: false; detail: string; aborted?: boolean; rolledBack?: boolean };

const severityOf = new Map(ROLLOUT_RULE_METAS.map((m) => [m.id, m.severity]));

export function rolloutFinding(ruleId: string, message: string, where: FlowContext['where']): Finding {
  return { ruleId, severity: severityOf.get(ruleId) ?? 'error', section: 'rollout', message, ...where };
}

export async function upgradeInstance(ctx: FlowContext, id: string): Promise<InstanceOutcome> {
  const inst = () => ctx.state().instances[id]!;
  const phase = (p: InstancePhase, detail?: string, version?: string, sync = false) =>
    ctx.emit({ type: 'instance', instance: id, phase: p, detail, version, at: ctx.clock.now() }, { sync });
  const find = (ruleId: string, message: string) =>
    ctx.emit({ type: 'finding', finding: rolloutFinding(ruleId, `${inst().name}: ${message}`, ctx.where) });
  if (inst().phase === 'done') return { ok: true, detail: 'already done' };

  // 1. Out of rotation.
  // (Already drained when a crash came at `upgrade-requesting` or later; drained again otherwise.)
  if (
    ctx.balancer &&
    !['upgrade-requesting', 'upgrade-requested', 'booted', 'healthy', 'enabled'].includes(inst().phase)
  ) {
    phase('draining');
    try {
      const d = await ctx.balancer.drain(id);
      phase(
        'drained',
        d.drained ? undefined : `${d.inFlight ?? '?'} request(s) still in flight after ${Math.round(d.waitedMs)} ms`,
      );
    } catch (e) {
      find('rollout-balancer-failed', `drain failed: ${(e as Error).message}`);
      phase('failed', 'drain failed');
      return { ok: false, detail: `drain failed: ${(e as Error).message}` };
    }
  }

  // 2. The upgrade request, at most once.
  if (!(await upgradeSent(ctx, id))) {
    phase('upgrade-requesting', undefined, undefined, true);
    const to = ctx.undo?.[id] ? { version: ctx.undo[id]! } : ('target' as const);
    let r: OnChainOutcome = await ctx.backend.upgrade(id, to, ctx.signal);
    if (r.kind === 'onchain-registration-required' && ctx.backend.onChain) r = await registerAndConfirm(ctx, id, r, to);
    if (r.kind === 'onchain-failed') {
      find(
        'rollout-onchain-registration-failed',
        `registering on chain as ${ctx.backend.onChain!.signer} failed: ${r.detail}; the upgrade was not confirmed`,
      );
      await reenable(ctx, id);
      phase('failed', 'on-chain registration failed');
      return { ok: false, detail: `on-chain registration failed: ${r.detail}` };
    }
    if (r.kind === 'onchain-registration-required') {
      find(
        'rollout-onchain-registration-required',
        `compose hash ${r.composeHash} must be allowed by app ` +
          `contract ${r.appId}${r.chain ? ` (${r.chain})` : ''} before the upgrade (addComposeHash), and ` +
          `device ${short(r.deviceId)} (addDevice) unless allowed; nothing was changed`,
      );
      await reenable(ctx, id);
      phase('failed', 'on-chain registration required');
      return { ok: false, detail: 'the compose hash must be registered on chain first' };
    }
    if (r.kind === 'refused') {
      find('rollout-boot-failed', `the platform refused the upgrade (${r.detail}); nothing was changed`);
      await reenable(ctx, id);
      phase('failed', r.detail);
      return { ok: false, detail: r.detail };
    }
    phase('upgrade-requested', r.operation, undefined, true);
  }

  // 3. Booted on the new version, 4. gates, then back in rotation.
  const healthyDeadline = () => (inst().requestedAt ?? ctx.clock.now()) + ctx.strategy.healthyDeadlineMs;
  for (;;) {
    const deadlineAt = Math.min(healthyDeadline(), ctx.progressDeadlineAt());
    const problem = await bootAndGates(ctx, id, deadlineAt);
    if (!problem) break;
    const choice = await onFailure(ctx, id, problem);
    if (choice === 'retry') continue;
    return choice;
  }
  if (ctx.balancer) {
    try {
      await ctx.balancer.enable(id);
    } catch (e) {
      find('rollout-balancer-failed', `enable failed: ${(e as Error).message}`);
      phase('failed', 'enable failed');
      return { ok: false, detail: `enable failed: ${(e as Error).message}` };
    }
    phase('enabled');
  }
  phase('done', undefined, inst().version, true);
  return { ok: true, detail: `on ${short(inst().version)}` };
}

interface Problem {
  ruleId: 'rollout-boot-failed' | 'rollout-gate-failed' | 'rollout-deadline-exceeded' | 'rollout-gate-inconclusive';
  message: string;
}

async function bootAndGates(ctx: FlowContext, id: string, deadlineAt: number): Promise<Problem | undefined> {
  const inst = ctx.state().instances[id]!;
  const byProgress =
    deadlineAt === ctx.progressDeadlineAt() && deadlineAt < (inst.requestedAt ?? 0) + ctx.strategy.healthyDeadlineMs;
  const deadlineName = byProgress ? 'progress_deadline' : 'healthy_deadline';
  let boot: BootOutcome = { ok: true, version: inst.version, detail: '' };
  if (!['booted', 'healthy'].includes(inst.phase)) {
    const to = targetOf(ctx, id) || undefined;
    boot = await ctx.backend.waitBooted(id, { from: inst.versionBefore, to, deadlineAt, signal: ctx.signal });
    if (!boot.ok) {
      if (boot.reason === 'deadline')
        return { ruleId: 'rollout-deadline-exceeded', message: `not booted by the ${deadlineName}: ${boot.detail}` };
      return { ruleId: 'rollout-boot-failed', message: boot.detail };
    }
    ctx.emit({
      type: 'instance',
      instance: id,
      phase: 'booted',
      detail: boot.detail,
      version: boot.version,
      at: ctx.clock.now(),
    });
  }
  const target = { instance: id, name: inst.name, url: await ctx.backend.instanceUrl(id, ctx.signal) };
  const verdict = await watchGates(ctx.gates, target, {
    minHealthyTimeMs: ctx.strategy.minHealthyTimeMs,
    deadlineAt,
    signal: ctx.signal,
    clock: ctx.clock,
    onResult: (gate, r, p) => ctx.onGateResult?.(id, gate, r, p),
  });
  ctx.emit({ type: 'gate-verdict', instance: id, at: ctx.clock.now(), ...verdictFields(verdict) });
  if (verdict.outcome === 'pass') {
    ctx.emit({ type: 'instance', instance: id, phase: 'healthy', at: ctx.clock.now() });
    return undefined;
  }
  const { gate, detail } = verdict;
  if (verdict.outcome === 'inconclusive')
    return { ruleId: 'rollout-gate-inconclusive', message: `gate "${gate}" is inconclusive: ${detail}` };
  if (verdict.phase === 'min-healthy-time')
    return {
      ruleId: 'rollout-gate-failed',
      message:
        `gate "${gate}" failed ${seconds(verdict.afterHealthyMs ?? 0)} after every gate passed, within ` +
        `min_healthy_time ${seconds(ctx.strategy.minHealthyTimeMs)}: ${detail}`,
    };
  if (byProgress)
    return {
      ruleId: 'rollout-deadline-exceeded',
      message: `gates had not passed by the progress_deadline: "${gate}": ${detail}`,
    };
  return {
    ruleId: 'rollout-gate-failed',
    message:
      `gate "${gate}" did not pass within ` + `healthy_deadline ${seconds(ctx.strategy.healthyDeadlineMs)}: ${detail}`,
  };
}

/** What on_failure says (inconclusive gates always pause). */
async function onFailure(ctx: FlowContext, id: string, p: Problem): Promise<InstanceOutcome | 'retry'> {
  const name = ctx.state().instances[id]!.name;
  ctx.emit({ type: 'finding', finding: rolloutFinding(p.ruleId, `${name}: ${p.message}`, ctx.where) });
  const action = p.ruleId === 'rollout-gate-inconclusive' ? 'pause' : ctx.strategy.onFailure;
  if (action === 'pause') {
    const choice = await ctx.pause(`${name}: ${p.message}`);
    if (choice === 'resume') {
      // A new chance for the gates, with a fresh healthy deadline.
      ctx.emit({
        type: 'instance',
        instance: id,
        phase: 'booted',
        detail: 'gates retried after resume',
        at: ctx.clock.now(),
      });
      return 'retry';
    }
    return { ...(await rollback(ctx, id)), aborted: true };
  }
  if (action === 'halt') {
    ctx.emit({ type: 'instance', instance: id, phase: 'failed', detail: p.message, at: ctx.clock.now() });
    return { ok: false, detail: p.message };
  }
  return rollback(ctx, id);
}

/** Put the version it ran before back; enable it once it is healthy on it again. */
export async function rollback(ctx: FlowContext, id: string): Promise<Extract<InstanceOutcome, { ok: false }>> {
  const inst = ctx.state().instances[id]!;
  const phase = (p: InstancePhase, detail?: string, version?: string) =>
    ctx.emit({ type: 'instance', instance: id, phase: p, detail, version, at: ctx.clock.now() }, { sync: true });
  const fail = (why: string) => {
    ctx.emit({
      type: 'finding',
      finding: rolloutFinding('rollout-rollback-failed', `${inst.name}: ${why}`, ctx.where),
    });
    phase('failed', why);
    return { ok: false as const, detail: why };
  };
  phase('rolling-back');
  const started = ctx.clock.now();
  const to = { version: inst.versionBefore };
  let r: OnChainOutcome = await ctx.backend.upgrade(id, to, ctx.signal);
  // On an on-chain KMS the version it ran is allowed already: a confirmation, no transaction.
  if (r.kind === 'onchain-registration-required' && ctx.backend.onChain) r = await registerAndConfirm(ctx, id, r, to);
  if (r.kind !== 'started')
    return fail(
      `the rollback to ${short(inst.versionBefore)} was not accepted` +
        (r.kind === 'onchain-failed' ? ` (${r.detail})` : ''),
    );
  const deadlineAt = started + ctx.strategy.healthyDeadlineMs;
  const boot = await ctx.backend.waitBooted(id, {
    from: targetOf(ctx, id),
    to: inst.versionBefore,
    deadlineAt,
    signal: ctx.signal,
  });
  if (!boot.ok) return fail(`after the rollback: ${boot.detail}`);
  const url = await ctx.backend.instanceUrl(id, ctx.signal);
  const verdict = await watchGates(
    ctx.gates,
    { instance: id, name: inst.name, url },
    {
      minHealthyTimeMs: 0,
      deadlineAt,
      signal: ctx.signal,
      clock: ctx.clock,
    },
  );
  if (verdict.outcome !== 'pass') return fail(`after the rollback, gate "${verdict.gate}": ${verdict.detail}`);
  await reenable(ctx, id);
  phase('rolled-back', undefined, boot.version);
  ctx.emit({
    type: 'finding',
    finding: rolloutFinding(
      'rollout-rolled-back',
      `${inst.name}: rolled back to ${short(inst.versionBefore)}, healthy again`,
      ctx.where,
    ),
  });
  return { ok: false, detail: `rolled back to ${short(inst.versionBefore)}`, rolledBack: true };
}

async function reenable(ctx: FlowContext, id: string): Promise<void> {
  if (!ctx.balancer) return;
  try {
    await ctx.balancer.enable(id);
  } catch (e) {
    ctx.emit({
      type: 'finding',
      finding: rolloutFinding(
        'rollout-balancer-failed',
        `${ctx.state().instances[id]!.name}: enable failed: ${(e as Error).message}`,
        ctx.where,
      ),
    });
  }
}

/**
 * Whether the upgrade request for `id` went out: the journal says so, or — when the process died
 * between writing `upgrade-requesting` and the answer — the platform shows it under way or done.
 */
async function upgradeSent(ctx: FlowContext, id: string): Promise<boolean> {
  const inst: InstanceState = ctx.state().instances[id]!;
  if (['upgrade-requested', 'booted', 'healthy', 'enabled'].includes(inst.phase)) return true;
  const now = await ctx.backend.snapshot(id, ctx.signal);
  if (!now) return false;
  const moved = now.inProgress || (now.version !== inst.versionBefore && now.version !== '');
  if (moved) {
    ctx.emit(
      {
        type: 'instance',
        instance: id,
        phase: 'upgrade-requested',
        detail: 'found under way or done on resume',
        at: ctx.clock.now(),
      },
      { sync: true },
    );
  }
  return moved;
}

/** The version the instance is rolled out to: the target, or (undo) the version it ran before. */
export function targetOf(ctx: Pick<FlowContext, 'undo' | 'state'>, id: string): string {
  return ctx.undo?.[id] ?? ctx.state().targetVersion;
}

function verdictFields(v: GateVerdict) {
  if (v.outcome === 'pass') return { outcome: v.outcome };
  return { outcome: v.outcome, gate: v.gate, detail: v.detail, phase: v.phase, afterHealthyMs: v.afterHealthyMs };
}

function seconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(1)} s`;
}
