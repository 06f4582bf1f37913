/**
 * The step engine's vocabulary (the interface drills and rollouts code against: /STEP-ENGINE.md).
 * A run is a declared list of steps; its journal is the single source of truth; its state is the
 * fold of the journal; resume replays the journal and continues from the first unfinished step.
 */

/** One step of a run, declared up front: `id` is unique in the run (`fault:3`, `upgrade:cvm-2`). */
export interface StepDecl {
  id: string;
  /** Selects the handler (`RunDefinition.steps[kind]`). */
  kind: string;
  arg?: unknown;
  /** Runs even after an earlier step stopped the run (`stop: true`): checks, teardown. */
  always?: boolean;
}

export type RunStatus = 'passed' | 'failed' | 'error' | 'interrupted' | 'aborted';

/** How a run ended, as `run-end` records it. */
export interface RunOutcome {
  status: RunStatus;
  /** One line (the definition's `maskError` has run over it). */
  error?: string;
  /** The signal that interrupted the run, when one did. */
  signal?: NodeJS.Signals;
}

/** What `close` is told: the outcome, or `refused` when a resume stopped before touching anything. */
export type CloseReason = RunOutcome | { status: 'refused'; error: string };

export interface LockInfo {
  pid: number;
  host: string;
  startedAt: string;
  runId: string;
}

/** Events the engine itself appends. */
export type EngineEvent =
  | { type: 'run-start'; kind: string; version: number; runId: string; input: unknown; steps: StepDecl[] }
  | { type: 'step-start'; id: string; attempt: number }
  | {
      type: 'step-end';
      id: string;
      ok: boolean;
      detail?: string;
      /** Duration of the attempt that finished the step (0 when `resume` found it already done). */
      ms: number;
      /** Not run: an earlier step stopped the run, or the handler found nothing to do. */
      skipped?: boolean;
      /** This failure stops the steps that are not `always`. */
      stop?: boolean;
      /** The handler threw: the run ends with status `error` after this step. */
      error?: boolean;
    }
  | { type: 'run-end'; status: RunStatus; error?: string }
  | { type: 'resumed'; fromStep?: string; pid: number; host: string }
  | { type: 'lock-taken-over'; from: LockInfo };

export const ENGINE_EVENT_TYPES: ReadonlySet<string> = new Set([
  'run-start',
  'step-start',
  'step-end',
  'run-end',
  'resumed',
  'lock-taken-over',
]);

/** A definition's own events: anything with a `type` the engine does not use. */
export interface DomainEvent {
  type: string;
  [field: string]: unknown;
}

/**
 * One line of `journal.jsonl`: `seq` counts from 1 without gaps in one process's appends, `t` is
 * `Date.now()`. An event appended while a step runs carries that step's id and attempt.
 */
export type Journaled<E extends { type: string } = EngineEvent | DomainEvent> = E & {
  seq: number;
  t: number;
  step?: string;
  attempt?: number;
};

export type StepResult =
  | { ok: true; detail?: string; skipped?: boolean }
  | { ok: false; detail: string; stop?: boolean };

export interface EmitOptions {
  /** fsync after this append (the engine already does at every step boundary). */
  sync?: boolean;
}

/** What a run hands a definition outside steps (`open`, `verify`, `close`). */
export interface RunHandle<I, S, E extends DomainEvent = DomainEvent> {
  readonly runId: string;
  readonly runDir: string;
  readonly input: I;
  readonly mode: 'start' | 'resume';
  /** The current fold of the journal. */
  state(): S;
  emit(event: E, opts?: EmitOptions): void;
  /** Aborted on SIGINT/SIGTERM (with `handleSignals`) or by `RunControl.abort`. */
  readonly signal: AbortSignal;
}

export interface StepContext<I, S, C, E extends DomainEvent = DomainEvent> extends RunHandle<I, S, E> {
  readonly decl: StepDecl;
  /** 1 for the first attempt; higher when a resume redoes a step that started and did not end. */
  readonly attempt: number;
  readonly ctx: C;
}

export interface StepHandler<I, S, C, E extends DomainEvent = DomainEvent> {
  run(step: StepContext<I, S, C, E>): Promise<StepResult>;
  /**
   * A step that started but has no step-end: look at the journal and the world, and say whether it
   * is already done (`'done'`, or its result) or must run again. Without it, the step runs again.
   */
  resume?(step: StepContext<I, S, C, E>): Promise<'done' | 'redo' | StepResult>;
}

export interface RunDefinition<I, S, C, E extends DomainEvent = DomainEvent> {
  /** `drill-restart`, `drill-upgrade`, `rollout`. */
  kind: string;
  /** Of the journal format: resume refuses a journal of another version. */
  version: number;
  /** Deterministic: the same input gives the same steps (checked again on resume). */
  plan(input: I): StepDecl[];
  initial(input: I): S;
  /** The state is the fold of the journal: called for every event, engine events included. */
  reduce(state: S, event: Journaled<EngineEvent | E>): S;
  steps: Record<string, StepHandler<I, S, C, E>>;
  /** Live handles (engine, agent, load balancer…), opened after run-start or the journal replay. */
  open?(run: RunHandle<I, S, E>): Promise<C>;
  /** On resume, after `open`: does the world still match the journal? */
  verify?(run: RunHandle<I, S, E>, ctx: C): Promise<{ ok: true } | { ok: false; reason: string }>;
  /**
   * Last, once: release handles, and on `error`/`interrupted` undo what must not outlive the run.
   * Events it emits come before run-end. On `refused` it must not change the world or emit.
   */
  close?(ctx: C, reason: CloseReason, run: RunHandle<I, S, E>): Promise<void>;
  /** passed/failed from the final state; default: failed when a step failed. */
  status?(state: S): 'passed' | 'failed';
  /** Makes an error message safe for the journal (secret values masked). */
  maskError?(text: string): string;
}
