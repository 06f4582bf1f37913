import { hostname } from 'node:os';
import type { RunJournal } from './journal.js';
import { atBoundary } from './kill-hook.js';
import type { RunLock } from './lock.js';
import {
  type CloseReason,
  type DomainEvent,
  ENGINE_EVENT_TYPES,
  type EmitOptions,
  type EngineEvent,
  type Journaled,
  type RunDefinition,
  type RunHandle,
  type RunOutcome,
  type StepContext,
  type StepDecl,
  type StepResult,
} from './types.js';

/** How far a run's steps got: attempts per step, and each step's step-end. */
export class StepProgress {
  private readonly started = new Map<string, number>();
  readonly ended = new Map<string, Extract<EngineEvent, { type: 'step-end' }>>();

  note(e: { type: string }): void {
    if (e.type === 'step-start') {
      const s = e as Extract<EngineEvent, { type: 'step-start' }>;
      this.started.set(s.id, Math.max(this.attempts(s.id), s.attempt));
    } else if (e.type === 'step-end') {
      const s = e as Extract<EngineEvent, { type: 'step-end' }>;
      this.ended.set(s.id, s);
    }
  }

  attempts(id: string): number {
    return this.started.get(id) ?? 0;
  }

  anyFailed(): boolean {
    return [...this.ended.values()].some((e) => !e.ok);
  }

  stopped(): boolean {
    return [...this.ended.values()].some((e) => !e.ok && e.stop);
  }

  /** The detail of the step that threw, if one did (the run then only closes). */
  error(): string | undefined {
    return [...this.ended.values()].find((e) => e.error)?.detail ?? undefined;
  }
}

export interface RunOptions {
  /** SIGINT/SIGTERM abort the run (status `interrupted`); a second one exits at once. The CLI sets it. */
  handleSignals?: boolean;
  /** Aborting it ends the run with status `aborted` (a rollout's `abort`). */
  signal?: AbortSignal;
  /** How long an aborted step may take to stop before the run closes anyway. */
  stopGraceMs?: number;
}

export interface RunResult<S> {
  runId: string;
  runDir: string;
  outcome: RunOutcome;
  /** The final fold of the journal. */
  state: S;
  /** What a step threw, when the outcome is `error` (in this process only; the journal has its message). */
  cause?: unknown;
}

const DEFAULT_STOP_GRACE_MS = 30_000;

/**
 * One process driving one run: appends to the journal (folding every event into the state), runs
 * the steps from a given index, handles signals, closes. `startRun` and `resumeRun` set it up.
 */
export class Runner<I, S, C, E extends DomainEvent> {
  private stateNow: S;
  private current?: { id: string; attempt: number };
  private readonly controller = new AbortController();
  private interruptedBy?: NodeJS.Signals;
  private aborted = false;
  private finished = false;
  private cause?: unknown;
  ctx!: C;
  readonly handle: RunHandle<I, S, E>;

  constructor(
    readonly def: RunDefinition<I, S, C, E>,
    readonly input: I,
    readonly runId: string,
    readonly runDir: string,
    readonly steps: StepDecl[],
    private readonly journal: RunJournal,
    private readonly lock: RunLock,
    mode: 'start' | 'resume',
    state: S,
    private readonly opts: RunOptions,
  ) {
    this.stateNow = state;
    this.handle = {
      runId,
      runDir,
      input,
      mode,
      state: () => this.stateNow,
      emit: (e, o) => this.emit(e, o),
      signal: this.controller.signal,
    };
  }

  /** A domain event: journaled with the running step's id, folded into the state. */
  emit(event: E, opts: EmitOptions = {}): void {
    if (ENGINE_EVENT_TYPES.has(event.type)) throw new Error(`"${event.type}" is an engine event`);
    // A step still winding down after the run closed: the run's story is over.
    if (this.finished) return;
    this.append(event, opts.sync);
  }

  engine(event: EngineEvent, sync = true): void {
    this.append(event, sync);
  }

  private append(event: EngineEvent | E, sync?: boolean): void {
    const at = this.current ? { step: this.current.id, attempt: this.current.attempt } : {};
    const j = this.journal.append(event, { sync, ...at }) as Journaled<EngineEvent | E>;
    this.progress.note(j);
    this.stateNow = this.def.reduce(this.stateNow, j);
  }

  state(): S {
    return this.stateNow;
  }

  stepContext(decl: StepDecl, attempt: number): StepContext<I, S, C, E> {
    return { ...this.handle, state: this.handle.state, emit: this.handle.emit, decl, attempt, ctx: this.ctx };
  }

  private unwatch?: () => void;

  /**
   * Install signal handling until the run closes (once; from before `open`, so an interrupt while
   * the live handles open still ends the run as interrupted).
   */
  watchSignals(): void {
    if (this.unwatch) return;
    const offs: (() => void)[] = [];
    if (this.opts.signal) {
      const onAbort = () => this.abort();
      if (this.opts.signal.aborted) onAbort();
      this.opts.signal.addEventListener('abort', onAbort, { once: true });
      offs.push(() => this.opts.signal?.removeEventListener('abort', onAbort));
    }
    if (this.opts.handleSignals) {
      const onSignal = (sig: NodeJS.Signals) => {
        // The second Ctrl-C means now.
        if (this.interruptedBy) process.exit(sig === 'SIGINT' ? 130 : 143);
        this.interruptedBy = sig;
        this.abort();
      };
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
      offs.push(() => {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
      });
    }
    this.unwatch = () => {
      for (const off of offs) off();
    };
  }

  private abort(): void {
    if (this.aborted) return;
    this.aborted = true;
    this.controller.abort(this.interruptedBy ?? 'aborted');
  }

  /** Attempts per step id and how steps ended, from the replayed journal, then this process's appends. */
  readonly progress = new StepProgress();

  /**
   * Run `steps[from…]`. `stopped`: an earlier step stopped the run (only `always` steps run).
   * Returns once run-end is journaled and the lock released.
   */
  async drive(from: number, stopped: boolean, priorError?: string): Promise<RunResult<S>> {
    this.watchSignals();
    let outcome: RunOutcome | undefined = priorError ? { status: 'error', error: priorError } : undefined;
    try {
      for (let i = from; i < this.steps.length && !outcome && !this.aborted; i++) {
        const decl = this.steps[i]!;
        if (stopped && !decl.always) {
          this.engine({ type: 'step-end', id: decl.id, ok: true, ms: 0, skipped: true, detail: 'not reached' });
          continue;
        }
        const r = await this.runStep(decl);
        if (r === 'aborted') break;
        if ('error' in r) outcome = { status: 'error', error: r.error };
        else if (!r.ok && r.stop) stopped = true;
      }
      if (this.aborted)
        outcome = { status: this.interruptedBy ? 'interrupted' : 'aborted', signal: this.interruptedBy };
      outcome ??= { status: this.def.status?.(this.stateNow) ?? (this.anyStepFailed() ? 'failed' : 'passed') };
      await this.close(outcome);
      return { runId: this.runId, runDir: this.runDir, outcome, state: this.stateNow, cause: this.cause };
    } finally {
      this.unwatch?.();
    }
  }

  /** One attempt of one step: step-start, the handler, step-end (none when the run was aborted meanwhile). */
  private async runStep(decl: StepDecl): Promise<StepResult | { error: string } | 'aborted'> {
    const handler = this.def.steps[decl.kind]!;
    const attempt = this.progress.attempts(decl.id) + 1;
    this.engine({ type: 'step-start', id: decl.id, attempt });
    atBoundary('step-start');
    const t0 = performance.now();
    this.current = { id: decl.id, attempt };
    let result: StepResult | undefined;
    let thrown: unknown;
    const running = handler.run(this.stepContext(decl, attempt)).then(
      (r) => {
        result = r;
      },
      (e: unknown) => {
        thrown = e;
      },
    );
    await Promise.race([running, this.abortedThenGrace()]);
    this.current = undefined;
    if (this.aborted) return 'aborted';
    const ms = Math.round(performance.now() - t0);
    if (thrown !== undefined || !result) {
      this.cause = thrown;
      const error = this.oneLine(thrown);
      this.engine({ type: 'step-end', id: decl.id, ok: false, detail: error, ms, error: true });
      atBoundary('step-end');
      return { error };
    }
    this.endStep(decl.id, result, ms);
    return result;
  }

  /**
   * The first unfinished step of a resumed run, if it had started: its handler's `resume` says
   * whether it is done (its step-end is journaled now) or must run again. True when done.
   */
  async settleUnfinished(decl: StepDecl): Promise<boolean> {
    const attempt = this.progress.attempts(decl.id);
    const handler = this.def.steps[decl.kind]!;
    if (attempt === 0 || !handler.resume) return false;
    this.current = { id: decl.id, attempt };
    let verdict: Awaited<ReturnType<NonNullable<typeof handler.resume>>>;
    try {
      verdict = await handler.resume(this.stepContext(decl, attempt));
    } finally {
      this.current = undefined;
    }
    if (verdict === 'redo') return false;
    this.endStep(decl.id, verdict === 'done' ? { ok: true } : verdict, 0);
    return true;
  }

  endStep(id: string, r: StepResult, ms: number): void {
    this.engine({
      type: 'step-end',
      id,
      ok: r.ok,
      ...(r.detail !== undefined ? { detail: r.detail } : {}),
      ms,
      ...('skipped' in r && r.skipped ? { skipped: true } : {}),
      ...(!r.ok && r.stop ? { stop: true } : {}),
    });
    atBoundary('step-end');
  }

  private abortedThenGrace(): Promise<void> {
    const signal = this.controller.signal;
    return new Promise<void>((resolve) => {
      const later = () => setTimeout(resolve, this.opts.stopGraceMs ?? DEFAULT_STOP_GRACE_MS).unref();
      if (signal.aborted) later();
      else signal.addEventListener('abort', later, { once: true });
    });
  }

  private anyStepFailed(): boolean {
    return this.progress.anyFailed();
  }

  oneLine(e: unknown): string {
    const text = (e instanceof Error ? e.message : String(e)).split('\n')[0]!.slice(0, 500);
    return this.def.maskError ? this.def.maskError(text) : text;
  }

  /** close() (its events before run-end), run-end, release. Runs once. */
  async close(outcome: RunOutcome): Promise<void> {
    try {
      await this.def.close?.(this.ctx, outcome, this.handle);
    } catch (e) {
      if (outcome.status !== 'error') {
        outcome.status = 'error';
        outcome.error = this.oneLine(e);
        this.cause ??= e;
      }
    }
    this.engine({
      type: 'run-end',
      status: outcome.status,
      ...(outcome.error ? { error: outcome.error } : {}),
    });
    this.finished = true;
    this.journal.close();
    this.lock.release();
  }

  /** A resume that refused: handles released, nothing journaled. */
  async refuse(reason: string): Promise<void> {
    this.finished = true;
    this.unwatch?.();
    try {
      const closing: CloseReason = { status: 'refused', error: reason };
      if (this.ctx !== undefined) await this.def.close?.(this.ctx, closing, this.handle);
    } finally {
      this.journal.close();
      this.lock.release();
    }
  }

  /** The process and host, for `resumed`. */
  static here(): { pid: number; host: string } {
    return { pid: process.pid, host: hostname() };
  }
}
