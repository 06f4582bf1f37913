import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { InputError } from '../util/errors.js';
import { JOURNAL_FILE, readJournal } from './journal.js';
import { readRunLock } from './lock.js';
import type { DomainEvent, EngineEvent, Journaled, LockInfo } from './types.js';

export type RunStartEvent = Journaled<Extract<EngineEvent, { type: 'run-start' }>>;
export type RunEndEvent = Journaled<Extract<EngineEvent, { type: 'run-end' }>>;

/** A run as its journal tells it: what `report RUN` renders and `resume` replays. */
export interface RunRecord<E extends { type: string } = EngineEvent | DomainEvent> {
  runId: string;
  runDir: string;
  events: Journaled<E | EngineEvent>[];
  start: RunStartEvent;
  end?: RunEndEvent;
  /** Lines that were not events (a write torn by a crash). */
  unreadable: number;
  /** Who holds the run's lock now, if anyone. */
  lock?: LockInfo;
}

/** Read a run directory's journal. An InputError when it is not a run directory. */
export function readRun<E extends { type: string } = DomainEvent>(runDir: string): RunRecord<E> {
  const dir = resolve(runDir);
  const path = join(dir, JOURNAL_FILE);
  if (!existsSync(path)) throw new InputError(`not a run directory: no ${JOURNAL_FILE} in ${dir}`);
  const { events, unreadable } = readJournal<E | EngineEvent>(path);
  const start = events[0];
  if (start?.type !== 'run-start')
    throw new InputError(`the journal does not begin with run-start: not a run's journal`, { file: path });
  const end = events.find((e): e is RunEndEvent => e.type === 'run-end');
  const lock = readRunLock(dir);
  return {
    runId: (start as RunStartEvent).runId,
    runDir: dir,
    events,
    start: start as RunStartEvent,
    ...(end ? { end } : {}),
    unreadable,
    ...(lock ? { lock } : {}),
  };
}

/**
 * RUN as users give it: a run directory, or a run id under `runRoot`. An InputError saying where
 * it looked when neither exists.
 */
export function resolveRunDir(ref: string, runRoot: string): string {
  const asDir = resolve(ref);
  if (existsSync(join(asDir, JOURNAL_FILE))) return asDir;
  if (ref === basename(ref) && !ref.startsWith('.')) {
    const under = resolve(runRoot, ref);
    if (existsSync(join(under, JOURNAL_FILE))) return under;
  }
  throw new InputError(`no run "${ref}": not a run directory, and no run of that id in ${resolve(runRoot)}`);
}

/** Every run directory directly under `root` (those with a journal), oldest id first. */
export function listRunDirs(root: string): string[] {
  if (!existsSync(root)) return [];
  return readdirSync(root)
    .sort()
    .map((name) => join(root, name))
    .filter((p) => {
      try {
        return statSync(p).isDirectory() && existsSync(join(p, JOURNAL_FILE));
      } catch {
        return false;
      }
    });
}
