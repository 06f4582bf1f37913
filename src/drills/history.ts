import type { SetCheck } from '../findings/drill-report.js';

/**
 * The writer's history, Jepsen style: every write is an `invoke` followed by `ok` (acknowledged),
 * `fail` (known not applied) or `unknown` (Jepsen's `info`: timeouts, connections cut by a fault).
 */
export interface HistoryOp {
  type: 'invoke' | 'ok' | 'fail' | 'unknown';
  f: 'add';
  value: string;
  /** Milliseconds since the drill started. */
  time: number;
  /** Fault in progress (index in the plan) when the op completed, if any. */
  fault?: number;
  error?: string;
}

export type { SetCheck };

export function checkSet(history: readonly HistoryOp[], finalRead: readonly string[]): SetCheck {
  const attempted = new Set<string>();
  const ok = new Set<string>();
  const failed = new Set<string>();
  const unknown = new Set<string>();
  for (const op of history) {
    if (op.type === 'invoke') attempted.add(op.value);
    else if (op.type === 'ok') ok.add(op.value);
    else if (op.type === 'fail') failed.add(op.value);
    else unknown.add(op.value);
  }
  const read = new Set(finalRead);
  const lost = [...ok].filter((v) => !read.has(v));
  const unexpected = [...read].filter((v) => !attempted.has(v));
  const recovered = [...unknown].filter((v) => read.has(v));
  return {
    attempted: attempted.size,
    acknowledged: ok.size,
    failed: failed.size,
    unknown: unknown.size,
    read: read.size,
    lost,
    unexpected,
    recovered,
    unknownAbsent: unknown.size - recovered.length,
    valid: lost.length === 0 && unexpected.length === 0,
  };
}
