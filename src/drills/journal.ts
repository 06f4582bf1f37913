import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Finding, SuppressedFinding } from '../findings/types.js';
import type { OpRecord } from '../docker/exec.js';
import type { HistoryOp } from './history.js';
import type { FaultKind, PlannedFault } from './faults.js';
import type { KeyPhase } from './keys.js';

/**
 * The drill's journal: one JSON object per line, appended as things happen, and the single source
 * of truth of a run. The report is rebuilt from it (report.ts), and `drill clean` reads it to find
 * runs that never reached `run-end`.
 */
export type DrillState = 'starting' | 'ready' | 'faults' | 'final-read' | 'checking' | 'teardown' | 'done';

export type JournalEvent = { t: number } & (
  | {
      type: 'run-start';
      drill: 'restart' | 'upgrade' | string;
      drillId: string;
      project: string;
      dir: string;
      files: string[];
      compose: { kind: string; version: string };
      seed: string;
      plan: PlannedFault[];
      services: string[];
      pid: number;
      owner: string;
    }
  | { type: 'state'; state: DrillState }
  | { type: 'fault-start'; index: number; kind: FaultKind; service?: string }
  | {
      type: 'fault-end';
      index: number;
      kind: FaultKind;
      service?: string;
      injectMs: number;
      recoverMs: number;
      ready: boolean;
      notReady?: string[];
    }
  | { type: 'op'; op: HistoryOp }
  | { type: 'final-read'; ok: boolean; ids?: string[]; error?: string }
  /** The keys the app asked the agent for during one phase (public keys only). */
  | { type: 'keys'; keys: KeyPhase }
  | { type: 'finding'; finding: Finding }
  /** A finding `.preflight.yml` exempts (`exemptions:`), kept with its reason. */
  | { type: 'suppressed'; finding: SuppressedFinding }
  | { type: 'engine-op'; op: OpRecord }
  | { type: 'timing'; wallMs: number; waitMs: number }
  | { type: 'cleanup'; containers: number; volumes: number; networks: number }
  | { type: 'run-end'; status: 'passed' | 'failed' | 'error' | 'interrupted'; error?: string }
);

/** Distributes `Omit` over a union of events so each event keeps its own fields. */
export type WithoutTime<E> = E extends { t: number } ? Omit<E, 't'> : never;
export type NewJournalEvent = WithoutTime<JournalEvent>;

export const JOURNAL_FILE = 'journal.jsonl';
export const HISTORY_FILE = 'history.json';

/** A drill's journal file; the upgrade drill journals more event kinds (`E`) in the same format. */
export class Journal<E extends { t: number } = JournalEvent> {
  constructor(readonly path: string) {
    mkdirSync(dirname(path), { recursive: true });
  }

  /** Appended synchronously, so a crash right after still finds the line on disk. */
  append(event: WithoutTime<E>): void {
    appendFileSync(this.path, JSON.stringify({ t: Date.now(), ...event }) + '\n');
  }

  read(): E[] {
    return readJournal(this.path) as unknown as E[];
  }
}

export function readJournal(path: string): JournalEvent[] {
  if (!existsSync(path)) return [];
  const out: JournalEvent[] = [];
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    try {
      out.push(JSON.parse(line) as JournalEvent);
    } catch {
      // A torn last line from a crash: everything before it still counts.
    }
  }
  return out;
}

/** Runs under a drills root (`.preflight-drills/`) whose journal has no `run-end`. */
export function unfinishedRuns(root: string): { drillId: string; dir: string; events: JournalEvent[] }[] {
  if (!existsSync(root)) return [];
  const out: { drillId: string; dir: string; events: JournalEvent[] }[] = [];
  for (const e of readdirSync(root, { withFileTypes: true })) {
    if (!e.isDirectory()) continue;
    const events = readJournal(join(root, e.name, JOURNAL_FILE));
    if (events.length && !events.some((ev) => ev.type === 'run-end'))
      out.push({ drillId: e.name, dir: join(root, e.name), events });
  }
  return out;
}
