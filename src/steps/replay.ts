import type { EngineEvent, Journaled } from './types.js';

/**
 * Helpers for folds and reports over a journal that may hold several attempts of a step and
 * several processes (a resumed run).
 */

/**
 * Events to keep when a step's conclusions count once: drops what an earlier attempt of a step
 * appended when a later attempt of the same step exists (a step redone after a crash recomputes
 * them). Events outside steps are kept. Evidence (history, observations) should not be filtered
 * this way: what an interrupted attempt saw did happen.
 */
export function eventsOfLatestAttempts<E extends { type: string }>(events: readonly Journaled<E>[]): Journaled<E>[] {
  const latest = new Map<string, number>();
  for (const e of events)
    if (e.step !== undefined && e.attempt !== undefined)
      latest.set(e.step, Math.max(latest.get(e.step) ?? 0, e.attempt));
  return events.filter((e) => e.step === undefined || e.attempt === undefined || e.attempt === latest.get(e.step));
}

/** The journal cut at each `resumed`: one slice per process that drove the run. */
export function segmentsOf<E extends { type: string }>(events: readonly Journaled<E>[]): Journaled<E>[][] {
  const out: Journaled<E>[][] = [[]];
  for (const e of events) {
    if (e.type === 'resumed') out.push([]);
    out.at(-1)!.push(e);
  }
  return out;
}

/** Narrows a journal line to one engine event type (domain events share the `type` field). */
export function isEngineEvent<T extends EngineEvent['type']>(
  e: { type: string },
  type: T,
): e is Journaled<Extract<EngineEvent, { type: T }>> {
  return e.type === type;
}
