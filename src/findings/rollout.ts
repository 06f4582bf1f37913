/**
 * The report of one rollout, as `preflight rollout status|report` and every format render it. A
 * pure function of the run's journal (src/rollout/report.ts builds it), so a finished rollout's
 * report is rebuilt byte for byte. Types only: the HTML builder (report/html/rollout.ts) reads them.
 */
import type { Finding, SuppressedFinding } from './types.js';

export interface RolloutReportInstance {
  id: string;
  name: string;
  versionBefore: string;
  version: string;
  /** Where it ended (`done`, `rolled-back`, `failed`, `pending` …). */
  phase: string;
  upgradeRequests: number;
  /** Each phase it went through, in seconds from the rollout's start. */
  phases: { phase: string; t: number; detail?: string }[];
  /**
   * How the gates judged each boot, in seconds from the rollout's start: `gate` is the one that decided a
   * fail or inconclusive verdict, `phase` when (`min-healthy-time`: after every gate had passed once).
   */
  gates: {
    outcome: 'pass' | 'fail' | 'inconclusive';
    t: number;
    gate?: string;
    phase?: string;
    afterHealthyMs?: number;
    detail?: string;
  }[];
}

/** The report's gates column: each verdict in order, `–` when no boot got that far. */
export function gatesColumn(i: RolloutReportInstance): string {
  if (!i.gates.length) return '–';
  return i.gates
    .map((v) => {
      if (v.outcome === 'pass') return 'pass';
      const within = v.phase === 'min-healthy-time' ? ' (min_healthy_time)' : '';
      return `${v.outcome} ${v.gate ?? ''}${within}`.trimEnd();
    })
    .join(', ');
}

export interface RolloutLoadSecond {
  second: number;
  scheduled: number;
  ok: number;
  failed: number;
  availability: number | null;
  p50Ms: number | null;
  p99Ms: number | null;
}

export interface RolloutLoadReport {
  rate: number;
  scheduled: number;
  ok: number;
  failed: number;
  availability: number;
  failures: Record<string, number>;
  latencyMs: { p50: number | null; p99: number | null; max: number | null };
  /** Per second, from the rollout's start (several load segments when the run was resumed). */
  timeline: RolloutLoadSecond[];
}

export interface RolloutReport {
  tool: { name: string; version: string };
  kind: 'rollout';
  runId: string;
  backend: 'phala' | 'local';
  planId: string;
  /** `passed`, `failed`, `aborted`, `error`, `interrupted`, or `running` (no run-end yet). */
  status: string;
  paused?: string;
  targetVersion: string;
  startedAt: string;
  durationMs: number;
  strategy: {
    maxUnavailable: number;
    minHealthyTimeMs: number;
    healthyDeadlineMs: number;
    progressDeadlineMs: number;
    onFailure: string;
    canary?: number;
  };
  instances: RolloutReportInstance[];
  /** Most instances out of rotation at once (never above `strategy.maxUnavailable`). */
  maxOutOfRotation: number;
  load?: RolloutLoadReport;
  /** On-chain registrations the rollout sent (on-chain KMS, given the owner's key): what, and in which transaction. */
  onChain?: { registered: string; txHash: string; phase: 'sending' | 'mined' }[];
  findings: Finding[];
  suppressed: SuppressedFinding[];
}
