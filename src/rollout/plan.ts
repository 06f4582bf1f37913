/**
 * The order of a rollout: which instances go together (a batch is at most `max_unavailable`
 * instances out of rotation at once), the canary first, and the plan id that `rollout run
 * --plan-id` compares against the fleet it finds.
 */
import { createHash } from 'node:crypto';
import type { MaxUnavailable, Strategy } from './config.js';

/** One instance of the fleet as the plan sees it. */
export interface PlannedInstance {
  id: string;
  name: string;
  /** The version it runs now (compose hash). */
  version: string;
}

export interface Batch {
  /** 1-based, in rollout order. */
  index: number;
  /** Part of the canary (upgraded before the canary pause). */
  canary: boolean;
  instances: string[];
}

export interface RolloutOrder {
  /** How many instances may be out of rotation at once, as a count of this fleet. */
  maxUnavailable: number;
  batches: Batch[];
  /** Instances already on the target version: left alone. */
  skipped: string[];
}

/**
 * `max_unavailable` for a fleet of `n`: a count as given (at most n), a percentage of n rounded
 * down as Kubernetes does, but never below 1: a rollout that may take nothing out cannot proceed.
 */
export function unavailableCount(mu: MaxUnavailable, n: number): number {
  const raw = 'count' in mu ? mu.count : Math.floor((n * mu.percent) / 100);
  return Math.max(1, Math.min(n, raw));
}

/** Batches in fleet order: the canary's instances first (chunked by max_unavailable too), then the rest. */
export function planOrder(instances: readonly PlannedInstance[], targetVersion: string, s: Strategy): RolloutOrder {
  const todo = instances.filter((i) => i.version !== targetVersion).map((i) => i.id);
  const skipped = instances.filter((i) => i.version === targetVersion).map((i) => i.id);
  const maxUnavailable = unavailableCount(s.maxUnavailable, instances.length);
  const batches: Batch[] = [];
  const chunk = (ids: string[], canary: boolean) => {
    for (let i = 0; i < ids.length; i += maxUnavailable)
      batches.push({ index: batches.length + 1, canary, instances: ids.slice(i, i + maxUnavailable) });
  };
  const canaryCount = s.canary ? Math.min(s.canary.count, todo.length) : 0;
  chunk(todo.slice(0, canaryCount), true);
  chunk(todo.slice(canaryCount), false);
  return { maxUnavailable, batches, skipped };
}

/**
 * The plan id: a short hash of what the rollout will do — each instance and the version it runs
 * now, the target version, and the strategy. The same fleet and settings give the same id; any
 * instance that moved, appeared or went away gives another.
 */
export function planId(instances: readonly PlannedInstance[], targetVersion: string, s: Strategy): string {
  const h = createHash('sha256');
  h.update(JSON.stringify({ instances: instances.map((i) => [i.id, i.version]), targetVersion, strategy: s }));
  return h.digest('hex').slice(0, 12);
}

/** What differs between the fleet a plan was made for and the fleet now (for `rollout-fleet-changed`). */
export function fleetChanges(planned: readonly PlannedInstance[], now: readonly PlannedInstance[]): string[] {
  const before = new Map(planned.map((i) => [i.id, i]));
  const after = new Map(now.map((i) => [i.id, i]));
  const out: string[] = [];
  for (const [id, i] of before) {
    const n = after.get(id);
    if (!n) out.push(`${i.name} is no longer in the fleet`);
    else if (n.version !== i.version)
      out.push(`${i.name} now runs ${short(n.version)} (planned from ${short(i.version)})`);
  }
  for (const [id, n] of after) if (!before.has(id)) out.push(`${n.name} joined the fleet`);
  return out;
}

export function short(version: string): string {
  return version.length > 12 ? version.slice(0, 12) : version;
}
