/**
 * A test hook, honoured only here: `PREFLIGHT_STEPS_KILL_AT=step-start:2,step-end:1` makes the
 * process SIGKILL itself at the 2nd step-start / 1st step-end it journals (counted per process,
 * after the boundary's fsync), so tests can crash a run exactly at a step boundary and resume it.
 * Boundaries: `run-start`, `resumed`, `step-start`, `step-end`, and a rollout's per-instance phases
 * (`instance-drained`, `instance-upgrade-requesting`, …). Unset, nothing happens.
 */
export const KILL_HOOK_ENV = 'PREFLIGHT_STEPS_KILL_AT';

/** The engine's boundaries, and a definition's own (a rollout's `instance-<phase>`, journaled before the hook runs). */
export type Boundary = 'run-start' | 'resumed' | 'step-start' | 'step-end' | `instance-${string}`;

const seen = new Map<Boundary, number>();

export function atBoundary(boundary: Boundary): void {
  const spec = process.env[KILL_HOOK_ENV];
  if (!spec) return;
  const n = (seen.get(boundary) ?? 0) + 1;
  seen.set(boundary, n);
  for (const part of spec.split(',')) {
    const [name, count] = part.trim().split(':');
    if (name === boundary && Number(count) === n) process.kill(process.pid, 'SIGKILL');
  }
}
