import type { DrillRunStatus, DrillTimeline, DrillTiming, KeyPhase } from '../findings/drill-report.js';
import type { Finding, SuppressedFinding } from '../findings/types.js';
import { eventsOfLatestAttempts, isEngineEvent, segmentsOf } from '../steps/index.js';
import type { HistoryOp } from './history.js';
import type { DrillEvent, JournalLine } from './journal.js';

/** Narrows a journal line to one of the drills' own event types. */
export function isDrillEvent<T extends DrillEvent['type']>(
  e: { type: string },
  type: T,
): e is Extract<DrillEvent, { type: T }> & { seq: number; t: number; step?: string; attempt?: number } {
  return e.type === type;
}

export function eventsOf<T extends DrillEvent['type']>(events: readonly JournalLine[], type: T) {
  return events.filter((e) => isDrillEvent(e, type));
}

/** What both drill reports read the same way from a journal. */
export interface JournalFacts {
  status: DrillRunStatus;
  error?: string;
  compose: { kind: string; version: string };
  project: string;
  ops: HistoryOp[];
  /** A redone step's conclusions count once: those of its last attempt. */
  findings: Finding[];
  suppressed: SuppressedFinding[];
  keys: KeyPhase[];
  timing: DrillTiming;
  cleanup?: { containers: number; volumes: number; networks: number };
  /** Seconds between the run's start and `t`. */
  at(t: number): number;
  /** Spans when no process drove the run (between a crash and `drill resume`). */
  gaps: DrillTimeline['spans'];
}

export function journalFacts(events: readonly JournalLine[]): JournalFacts {
  const t0 = events[0]?.t ?? 0;
  const at = (t: number) => Math.round((t - t0) / 10) / 100;
  const conclusions = eventsOfLatestAttempts(events);
  const start = eventsOf(events, 'drill-start')[0];
  const end = events.find((e) => isEngineEvent(e, 'run-end'));
  const engine = { composeOps: 0, composeMs: 0, dockerOps: 0, dockerMs: 0 };
  for (const e of eventsOf(events, 'engine-op')) {
    if (e.op.kind === 'compose') {
      engine.composeOps++;
      engine.composeMs += e.op.ms;
    } else {
      engine.dockerOps++;
      engine.dockerMs += e.op.ms;
    }
  }
  // Each process journals its own timing as it closes; a process that was killed did not, so its
  // wall time is the span of its events and its waiting is unknown (counted as none).
  let wallMs = 0;
  let waitMs = 0;
  const segments = segmentsOf(events);
  for (const seg of segments) {
    const timing = seg.filter((e) => isDrillEvent(e, 'timing')).at(-1);
    if (timing && isDrillEvent(timing, 'timing')) {
      wallMs += timing.wallMs;
      waitMs += timing.waitMs;
    } else if (seg.length) wallMs += seg.at(-1)!.t - seg[0]!.t;
  }
  let cleanup: JournalFacts['cleanup'];
  for (const c of eventsOf(events, 'cleanup')) {
    cleanup ??= { containers: 0, volumes: 0, networks: 0 };
    cleanup.containers += c.containers;
    cleanup.volumes += c.volumes;
    cleanup.networks += c.networks;
  }
  const gaps: DrillTimeline['spans'] = [];
  events.forEach((e, i) => {
    if (e.type === 'resumed' && i > 0)
      gaps.push({
        kind: 'gap',
        label: 'Preflight not running (resumed later)',
        start: at(events[i - 1]!.t),
        end: at(e.t),
      });
  });
  return {
    status: end && isEngineEvent(end, 'run-end') ? end.status : 'running',
    ...(end && isEngineEvent(end, 'run-end') && end.error ? { error: end.error } : {}),
    compose: start?.compose ?? { kind: 'unknown', version: '' },
    project: start?.project ?? '',
    ops: eventsOf(events, 'op').map((e) => e.op),
    findings: eventsOf(conclusions, 'finding').map((e) => e.finding),
    suppressed: eventsOf(conclusions, 'suppressed').map((e) => e.finding),
    keys: eventsOf(events, 'keys').map((e) => e.keys),
    timing: { wallMs, waitMs, overheadMs: Math.max(0, wallMs - waitMs), ...engine, segments: segments.length },
    ...(cleanup ? { cleanup } : {}),
    at,
    gaps,
  };
}

/** Write outcomes per second of the run, every second from the first to the last completed write. */
export function writesPerSecond(ops: readonly HistoryOp[]): DrillTimeline['writes'] {
  const done = ops.filter((o) => o.type !== 'invoke');
  if (!done.length) return [];
  const last = Math.floor(Math.max(...done.map((o) => o.time)) / 1000);
  const out = Array.from({ length: last + 1 }, (_, t) => ({ t, ok: 0, fail: 0, unknown: 0 }));
  for (const o of done) {
    const slot = out[Math.floor(Math.max(0, o.time) / 1000)]!;
    if (o.type === 'ok') slot.ok++;
    else if (o.type === 'fail') slot.fail++;
    else slot.unknown++;
  }
  return out;
}

/** Failed checks: a status other than passed, or any finding at warning or above. */
export function reportFailed(r: { status: DrillRunStatus; findings: readonly Finding[] }): boolean {
  return r.status !== 'passed' || r.findings.some((f) => f.severity === 'error' || f.severity === 'warning');
}

/** The last line of both text reports. */
export function resultLine(r: { status: DrillRunStatus; findings: readonly Finding[]; error?: string }): string {
  const word =
    r.status === 'passed' && !reportFailed(r) ? 'PASSED' : r.status === 'passed' ? 'FAILED' : r.status.toUpperCase();
  return `Result: ${word}${r.error ? ` (${r.error})` : ''}`;
}

/** A drill report's findings block (nothing when there are none), a blank line after it. */
export function findingLines(findings: readonly Finding[]): string[] {
  if (!findings.length) return [];
  return [
    'Findings',
    ...findings.map((f) => `  ${f.severity.padEnd(7)} ${f.ruleId}  ${f.file}:${f.line}:${f.column}  ${f.message}`),
    '',
  ];
}
