/**
 * One batch: at most `max_unavailable` instances upgraded side by side. The batch fails when any
 * of its instances failed (the others are finished first: they are out of rotation, and leaving
 * them half-upgraded would be worse); the rollout then stops.
 */
import { type FlowContext, type InstanceOutcome, upgradeInstance } from './flow.js';

export interface BatchOutcome {
  ok: boolean;
  detail: string;
  outcomes: Record<string, InstanceOutcome>;
  /** An operator chose `abort` while an instance was paused. */
  aborted: boolean;
}

export async function runBatch(ctx: FlowContext, ids: readonly string[]): Promise<BatchOutcome> {
  const results = await Promise.all(
    ids.map(async (id) => {
      try {
        return [id, await upgradeInstance(ctx, id)] as const;
      } catch (e) {
        if (ctx.signal.aborted) throw e;
        const detail = oneLine(e);
        ctx.emit({ type: 'instance', instance: id, phase: 'failed', detail, at: ctx.clock.now() }, { sync: true });
        return [id, { ok: false, detail } as InstanceOutcome] as const;
      }
    }),
  );
  const outcomes = Object.fromEntries(results);
  const failed = results.filter(([, o]) => !o.ok);
  const name = (id: string) => ctx.state().instances[id]?.name ?? id;
  return {
    ok: failed.length === 0,
    aborted: failed.some(([, o]) => !o.ok && o.aborted),
    outcomes,
    detail: failed.length
      ? failed.map(([id, o]) => `${name(id)}: ${o.detail}`).join('; ')
      : `${ids.map(name).join(', ')} upgraded`,
  };
}

function oneLine(e: unknown): string {
  return String((e as Error)?.message ?? e)
    .split('\n')[0]!
    .slice(0, 300);
}
