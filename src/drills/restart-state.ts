import type { KeyPhase } from '../findings/drill-report.js';
import type { Finding } from '../findings/types.js';
import type { Journaled } from '../steps/index.js';
import type { HistoryOp } from './history.js';
import { isDrillEvent } from './report-common.js';
import type { DrillEvent } from './journal.js';

/**
 * The restart drill's state: the fold of its journal. A resumed process rebuilds it from the
 * journal alone; nothing else survives a crash.
 */
export interface RestartState {
  /** Wall-clock ms of run-start. */
  t0: number;
  compose?: { kind: string; version: string };
  started?: { ready: boolean; notReady: string[]; bootFailed?: true };
  faultEnds: Record<number, Extract<DrillEvent, { type: 'fault-end' }>>;
  /** A fault left a service not ready: later faults are skipped. */
  stopped: boolean;
  ops: HistoryOp[];
  /** Highest write number so far (values are `<tag>-<n>`). */
  writes: number;
  keys: { entries: number; open?: { phase: string; fault?: number }; phases: KeyPhase[] };
  finalRead?: { ok: boolean; ids?: string[]; error?: string };
  outside: Record<string, string[]>;
  secrets: Record<string, { names: string[]; patterns: string[] }>;
  findings: { finding: Finding; step?: string; attempt?: number }[];
  /** Highest attempt per step (a redone step's findings count from its last attempt). */
  attempts: Record<string, number>;
  tornDown: boolean;
}

export function initialRestartState(): RestartState {
  return {
    t0: 0,
    faultEnds: {},
    stopped: false,
    ops: [],
    writes: 0,
    keys: { entries: 0, open: { phase: 'the first start' }, phases: [] },
    outside: {},
    secrets: {},
    findings: [],
    attempts: {},
    tornDown: false,
  };
}

/** The number of a write value `<tag>-<n>`. */
export function writeNumber(value: string): number {
  const n = Number(value.slice(value.lastIndexOf('-') + 1));
  return Number.isInteger(n) ? n : 0;
}

/** Folds one journal line into the state (in place: the state is only ever the fold). */
export function reduceRestart(s: RestartState, e: Journaled<{ type: string }>): RestartState {
  if (e.type === 'run-start') s.t0 = e.t;
  else if (e.type === 'step-start') {
    const ev = e as unknown as { id: string; attempt: number };
    s.attempts[ev.id] = Math.max(s.attempts[ev.id] ?? 0, ev.attempt);
  } else if (isDrillEvent(e, 'drill-start')) s.compose = e.compose;
  else if (isDrillEvent(e, 'started'))
    s.started = { ready: e.ready, notReady: e.notReady ?? [], ...(e.bootFailed ? { bootFailed: true } : {}) };
  else if (isDrillEvent(e, 'fault-end')) {
    s.faultEnds[e.index] = e;
    if (!e.ready) s.stopped = true;
  } else if (isDrillEvent(e, 'op')) {
    s.ops.push(e.op);
    s.writes = Math.max(s.writes, writeNumber(e.op.value));
  } else if (isDrillEvent(e, 'keys')) {
    s.keys.entries += e.entries;
    s.keys.phases.push(e.keys);
    s.keys.open = e.next;
  } else if (isDrillEvent(e, 'final-read')) s.finalRead = { ok: e.ok, ids: e.ids, error: e.error };
  else if (isDrillEvent(e, 'outside-volume')) s.outside[e.service] = union(s.outside[e.service], e.paths);
  else if (isDrillEvent(e, 'secret-in-log')) {
    const was = s.secrets[e.service] ?? { names: [], patterns: [] };
    s.secrets[e.service] = { names: union(was.names, e.names), patterns: union(was.patterns, e.patterns) };
  } else if (isDrillEvent(e, 'finding')) s.findings.push({ finding: e.finding, step: e.step, attempt: e.attempt });
  else if (isDrillEvent(e, 'cleanup') && e.step === 'teardown') s.tornDown = true;
  return s;
}

function union(a: readonly string[] | undefined, b: readonly string[]): string[] {
  return [...new Set([...(a ?? []), ...b])].sort();
}

/** Findings that count: those outside steps, and those of each step's last attempt. */
export function countedFindings(s: Pick<RestartState, 'findings' | 'attempts'>): Finding[] {
  return s.findings
    .filter((f) => f.step === undefined || f.attempt === undefined || f.attempt === s.attempts[f.step])
    .map((f) => f.finding);
}

export function findingsFail(findings: readonly Finding[]): boolean {
  return findings.some((f) => f.severity === 'error' || f.severity === 'warning');
}
