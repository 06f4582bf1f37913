import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { InputError } from '../util/errors.js';
import { JOURNAL_FILE, RunJournal } from './journal.js';
import { atBoundary } from './kill-hook.js';
import { acquireRunLock } from './lock.js';
import { type RunRecord, readRun } from './read.js';
import { type RunOptions, type RunResult, Runner } from './runner.js';
import type { DomainEvent, EngineEvent, Journaled, RunDefinition, RunOutcome, StepDecl } from './types.js';

export type { RunOptions, RunResult } from './runner.js';

/** `restart-20261127091500-a1b2c3`: sortable, and unique enough to label one run's resources. */
export function newRunId(prefix: string): string {
  const stamp = new Date().toISOString().replace(/[-:T]/g, '').slice(0, 14);
  return `${prefix}-${stamp}-${randomBytes(3).toString('hex')}`;
}

/**
 * Start a run: `<runRoot>/<runId>/` with its lock and a new journal; `run-start` records the input
 * and the declared steps; then `open`, every step in order, `close`, `run-end`.
 */
export async function startRun<I, S, C, E extends DomainEvent>(
  def: RunDefinition<I, S, C, E>,
  input: I,
  opts: RunOptions & { runRoot: string; runId?: string },
): Promise<RunResult<S>> {
  const steps = checkedPlan(def, input);
  const runId = opts.runId ?? newRunId(def.kind);
  const runDir = resolve(opts.runRoot, runId);
  mkdirSync(runDir, { recursive: true, mode: 0o700 });
  if (existsSync(join(runDir, JOURNAL_FILE))) throw new InputError(`run ${runId} already exists in ${runDir}`);
  const lock = acquireRunLock(runDir, runId);
  let journal: RunJournal;
  try {
    journal = RunJournal.create(join(runDir, JOURNAL_FILE));
  } catch (e) {
    lock.release();
    throw e;
  }
  const runner = new Runner(def, input, runId, runDir, steps, journal, lock, 'start', def.initial(input), opts);
  runner.watchSignals();
  runner.engine({ type: 'run-start', kind: def.kind, version: def.version, runId, input, steps });
  atBoundary('run-start');
  try {
    runner.ctx = (await def.open?.(runner.handle)) as C;
  } catch (e) {
    // Nothing ran: the run ends here, and the caller gets what open threw.
    const error = runner.oneLine(e);
    runner.engine({ type: 'run-end', status: 'error', error });
    await runner.refuse(error).catch(() => undefined);
    throw e;
  }
  return runner.drive(0, false);
}

/**
 * Resume a run that did not end (its process was killed): take the lock, replay the journal, open
 * the live handles, check the world against the journal (`verify`), then continue with the first
 * step that has no step-end (its `resume` says whether it is already done). Refuses with an
 * InputError naming the reason when the run cannot go on.
 */
export async function resumeRun<I, S, C, E extends DomainEvent>(
  def: RunDefinition<I, S, C, E>,
  runDir: string,
  opts: RunOptions = {},
): Promise<RunResult<S>> {
  const dir = resolve(runDir);
  // Refuse what can be refused without the lock (no journal, another kind) before creating a lock file.
  const first = readRun(dir);
  const lock = acquireRunLock(dir, first.runId);
  let runner: Runner<I, S, C, E> | undefined;
  try {
    const run = readRun(dir);
    const start = run.start;
    const refuse = (why: string) => new InputError(`cannot resume run ${run.runId}: ${why}`);
    if (start.kind !== def.kind) throw refuse(`it is a ${start.kind} run, not ${def.kind}`);
    if (start.version !== def.version)
      throw refuse(`its journal has format version ${start.version}; this Preflight reads version ${def.version}`);
    if (run.end) throw refuse(`it already ended (${run.end.status}); see its report`);
    const input = start.input as I;
    const steps = checkedPlan(def, input);
    if (!isDeepStrictEqual(steps, start.steps))
      throw refuse('the steps this Preflight plans for its input differ from the journal (another version?)');
    let state = def.initial(input);
    for (const e of run.events) state = def.reduce(state, e as Journaled<EngineEvent | E>);
    const journal = RunJournal.reopen(join(dir, JOURNAL_FILE), run.events.at(-1)?.seq ?? 0);
    runner = new Runner(def, input, run.runId, dir, steps, journal, lock, 'resume', state, opts);
    for (const e of run.events) runner.progress.note(e);
    runner.watchSignals();
    const r = runner;
    r.ctx = (await def.open?.(r.handle)) as C;
    const verdict = def.verify ? await def.verify(r.handle, r.ctx) : ({ ok: true } as const);
    if (!verdict.ok) {
      await r.refuse(verdict.reason);
      runner = undefined;
      throw refuse(verdict.reason);
    }
    const from = steps.findIndex((s) => !r.progress.ended.has(s.id));
    if (lock.takenOver) r.engine({ type: 'lock-taken-over', from: lock.takenOver });
    r.engine({ type: 'resumed', ...(from >= 0 ? { fromStep: steps[from]!.id } : {}), ...Runner.here() });
    atBoundary('resumed');
    const priorError = r.progress.error();
    if (priorError !== undefined || from < 0) return await r.drive(steps.length, false, priorError);
    const next = (await r.settleUnfinished(steps[from]!)) ? from + 1 : from;
    return await r.drive(next, r.progress.stopped());
  } catch (e) {
    if (runner) await runner.refuse(runner.oneLine(e)).catch(() => undefined);
    else lock.release();
    throw e;
  }
}

function checkedPlan<I, S, C, E extends DomainEvent>(def: RunDefinition<I, S, C, E>, input: I): StepDecl[] {
  const steps = def.plan(input);
  const ids = new Set<string>();
  for (const s of steps) {
    if (ids.has(s.id)) throw new Error(`${def.kind}: step id "${s.id}" is declared twice`);
    ids.add(s.id);
    if (!def.steps[s.kind]) throw new Error(`${def.kind}: no handler for step kind "${s.kind}"`);
  }
  return steps;
}

/**
 * End a run no process drives and none will resume (`drill clean` after a crash): under the run's
 * lock (taken over from a dead holder; refused while a live one holds it), append `events` and
 * run-end. False when the run had already ended.
 */
export async function endAbandonedRun(
  runDir: string,
  finish: (run: RunRecord) => Promise<DomainEvent[]>,
  outcome: RunOutcome,
): Promise<boolean> {
  const dir = resolve(runDir);
  const lock = acquireRunLock(dir, readRun(dir).runId);
  try {
    const run = readRun(dir);
    if (run.end) return false;
    const events = await finish(run);
    const journal = RunJournal.reopen(join(dir, JOURNAL_FILE), run.events.at(-1)?.seq ?? 0);
    try {
      if (lock.takenOver) journal.append({ type: 'lock-taken-over', from: lock.takenOver });
      for (const e of events) journal.append(e);
      journal.append({ type: 'run-end', status: outcome.status, ...(outcome.error ? { error: outcome.error } : {}) });
    } finally {
      journal.close();
    }
    return true;
  } finally {
    lock.release();
  }
}
