/**
 * The step engine: a run is a declared list of steps; its append-only, fsync'd journal is the single
 * source of truth; its state is the fold of the journal; `resumeRun` continues a killed run from
 * its first unfinished step after checking the world; a lock file keeps one process per run.
 * Interface notes for the drills and the rollout: /STEP-ENGINE.md and docs/decisions.md.
 */
export { endAbandonedRun, newRunId, resumeRun, startRun, type RunOptions, type RunResult } from './engine.js';
export { JOURNAL_FILE, MAX_JOURNAL_BYTES, readJournal, RunJournal, type JournalRead } from './journal.js';
export { atBoundary, KILL_HOOK_ENV } from './kill-hook.js';
export { acquireRunLock, holderAlive, LOCK_FILE, pidAlive, readRunLock, type RunLock } from './lock.js';
export {
  listRunDirs,
  readRun,
  resolveRunDir,
  type RunEndEvent,
  type RunRecord,
  type RunStartEvent,
} from './read.js';
export { eventsOfLatestAttempts, isEngineEvent, segmentsOf } from './replay.js';
export type {
  CloseReason,
  DomainEvent,
  EmitOptions,
  EngineEvent,
  Journaled,
  LockInfo,
  RunDefinition,
  RunHandle,
  RunOutcome,
  RunStatus,
  StepContext,
  StepDecl,
  StepHandler,
  StepResult,
} from './types.js';
