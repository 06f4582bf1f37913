import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import type { DomainEvent, Journaled, RunDefinition, StepDecl } from '../../src/steps/index.js';

/**
 * A toy run for the engine's tests: each step appends one line to an effects file (its effect on
 * "the world") and journals it. `resume` of a step looks at the file: already applied means done,
 * so no effect is ever applied twice. Settings come from the input, so a child process gets them
 * from the journal when it resumes.
 */
export interface ToyInput {
  steps: { id: string; fail?: 'stop' | 'soft' | 'throw'; always?: boolean; waitMs?: number }[];
  effects: string;
  /** Step id after whose effect (before its event) the process SIGKILLs itself. */
  killAfterEffectOf?: string;
  /** verify() refuses with this reason. */
  refuse?: string;
}

export interface ToyState {
  applied: string[];
  ended: string[];
  closes: string[];
}

export type ToyEvent = DomainEvent & ({ type: 'applied'; id: string } | { type: 'closed'; status: string });

function effectsOf(path: string): string[] {
  return existsSync(path) ? readFileSync(path, 'utf8').split('\n').filter(Boolean) : [];
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(t);
        reject(new Error('aborted'));
      },
      { once: true },
    );
  });

export const toyRun: RunDefinition<ToyInput, ToyState, { opened: string }, ToyEvent> = {
  kind: 'toy',
  version: 1,
  plan: (input) =>
    input.steps.map((s): StepDecl => ({ id: s.id, kind: 'apply', ...(s.always ? { always: true } : {}) })),
  initial: () => ({ applied: [], ended: [], closes: [] }),
  reduce(state, e: Journaled<{ type: string; id?: string; status?: string }>) {
    if (e.type === 'applied') return { ...state, applied: [...state.applied, e.id!] };
    if (e.type === 'step-end') return { ...state, ended: [...state.ended, e.id!] };
    if (e.type === 'closed') return { ...state, closes: [...state.closes, e.status!] };
    return state;
  },
  async open(run) {
    return { opened: run.mode };
  },
  async verify(run) {
    return run.input.refuse ? { ok: false, reason: run.input.refuse } : { ok: true };
  },
  steps: {
    apply: {
      async run(step) {
        const spec = step.input.steps.find((s) => s.id === step.decl.id)!;
        if (spec.waitMs) await sleep(spec.waitMs, step.signal);
        if (spec.fail === 'throw') throw new Error(`step ${spec.id} blew up\nsecond line`);
        appendFileSync(step.input.effects, `${spec.id}\n`);
        if (step.input.killAfterEffectOf === spec.id) process.kill(process.pid, 'SIGKILL');
        step.emit({ type: 'applied', id: spec.id });
        if (spec.fail === 'stop') return { ok: false, detail: `${spec.id} failed`, stop: true };
        if (spec.fail === 'soft') return { ok: false, detail: `${spec.id} failed` };
        return { ok: true, detail: `${spec.id} applied` };
      },
      async resume(step) {
        // The world says whether the effect happened; the journal may not have heard of it.
        const id = step.decl.id;
        if (!effectsOf(step.input.effects).includes(id)) return 'redo';
        if (!step.state().applied.includes(id)) step.emit({ type: 'applied', id });
        return { ok: true, detail: `${id} applied` };
      },
    },
  },
  async close(_ctx, reason, run) {
    if (reason.status !== 'refused') run.emit({ type: 'closed', status: reason.status });
  },
  status: (state) => (state.applied.length ? 'passed' : 'failed'),
  maskError: (text) => text.replaceAll('blew', '<masked>'),
};

export { effectsOf };

/** What a toy run's report shows: a pure function of its journal, without times, sequence numbers or pids. */
export function toyReport(events: readonly Journaled<{ type: string; [k: string]: unknown }>[]): unknown {
  return events
    .filter((e) => !['resumed', 'lock-taken-over', 'step-start'].includes(e.type))
    .filter((e) => !(e.type === 'closed' && e.status !== events.find((x) => x.type === 'run-end')?.status))
    .map((e) => {
      const { seq: _s, t: _t, attempt: _a, ms: _m, input: _i, runId: _r, ...rest } = e as Record<string, unknown>;
      return rest;
    });
}
