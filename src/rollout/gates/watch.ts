import type { GateSpec } from '../config.js';
import { CommandGate } from './command.js';
import { HttpGate } from './http.js';
import { PrometheusGate } from './prometheus.js';
import type { Gate, GateResult, GateTarget } from './types.js';

/** Time as the rollout reads and spends it (a manual clock in simulations). */
export interface RolloutClock {
  now(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export function makeGates(specs: readonly GateSpec[], cwd?: string): Gate[] {
  return specs.map((s) =>
    s.kind === 'http' ? new HttpGate(s) : s.kind === 'command' ? new CommandGate(s, cwd) : new PrometheusGate(s),
  );
}

export type GatePhase = 'healthy' | 'min-healthy-time';

export interface GateWatchOptions {
  /** How long every gate must keep passing once all passed. */
  minHealthyTimeMs: number;
  /** Clock time by which every gate must have passed (the instance's healthy deadline). */
  deadlineAt: number;
  signal: AbortSignal;
  clock: RolloutClock;
  onResult?: (gate: string, result: GateResult, phase: GatePhase) => void;
}

export type GateVerdict =
  | { outcome: 'pass'; healthyAt: number; evaluations: number }
  | {
      outcome: 'fail' | 'inconclusive';
      gate: string;
      detail: string;
      phase: GatePhase;
      /** In `min-healthy-time`: how long after every gate passed this one failed. */
      afterHealthyMs?: number;
      /** In `healthy`: the healthy deadline passed before every gate passed. */
      deadline?: boolean;
      evaluations: number;
    };

/**
 * Evaluate every gate on its own interval until all have passed (each its number of consecutive
 * successes), then keep evaluating for `minHealthyTimeMs`: a version that passes and then fails
 * (a crash after warm-up, a leak) fails here. Before the first full pass a failure only resets
 * that gate's streak (the app is still starting) until the deadline; after it, any failure fails
 * the instance at once, and an inconclusive result stops the watch as inconclusive.
 */
export async function watchGates(
  gates: readonly Gate[],
  target: GateTarget,
  o: GateWatchOptions,
): Promise<GateVerdict> {
  const streak = gates.map(() => 0);
  const last: (GateResult | undefined)[] = gates.map(() => undefined);
  const nextDue = gates.map(() => o.clock.now());
  let healthyAt: number | undefined;
  let evaluations = 0;
  for (;;) {
    if (o.signal.aborted) throw o.signal.reason ?? new Error('aborted');
    const now = o.clock.now();
    const due = gates.map((_, i) => i).filter((i) => nextDue[i]! <= now);
    const phase: GatePhase = healthyAt === undefined ? 'healthy' : 'min-healthy-time';
    const results = await Promise.all(due.map((i) => gates[i]!.evaluate(target, o.signal)));
    const after = o.clock.now();
    for (const [k, i] of due.entries()) {
      const r = results[k]!;
      evaluations++;
      last[i] = r;
      o.onResult?.(gates[i]!.name, r, phase);
      nextDue[i] = now + gates[i]!.intervalMs;
      if (phase === 'min-healthy-time' && r.outcome !== 'pass') {
        return {
          outcome: r.outcome,
          gate: gates[i]!.name,
          detail: r.detail,
          phase,
          afterHealthyMs: after - healthyAt!,
          evaluations,
        };
      }
      streak[i] = r.outcome === 'pass' ? streak[i]! + 1 : 0;
    }
    if (healthyAt === undefined && gates.every((g, i) => streak[i]! >= g.successes)) healthyAt = after;
    if (healthyAt !== undefined && after - healthyAt >= o.minHealthyTimeMs)
      return { outcome: 'pass', healthyAt, evaluations };
    if (healthyAt === undefined && after >= o.deadlineAt) {
      const i = Math.max(
        0,
        gates.findIndex((g, j) => streak[j]! < g.successes),
      );
      const r = last[i];
      return {
        outcome: r?.outcome === 'inconclusive' ? 'inconclusive' : 'fail',
        gate: gates[i]!.name,
        detail: r?.detail ?? 'not evaluated',
        phase,
        deadline: true,
        evaluations,
      };
    }
    const wakeAt = Math.min(...nextDue, healthyAt !== undefined ? healthyAt + o.minHealthyTimeMs : o.deadlineAt);
    await o.clock.sleep(Math.max(0, wakeAt - o.clock.now()), o.signal);
  }
}
