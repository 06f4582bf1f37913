import type { RolloutReport } from '../../../src/findings/rollout.js';

/** A rollout that rolled its first instance back, with 40 s of load and 3 failed requests at 12 s. */
export function sampleReport(): RolloutReport {
  const second = (s: number) => ({
    second: s,
    scheduled: 200,
    ok: s === 12 ? 197 : 200,
    failed: s === 12 ? 3 : 0,
    availability: s === 12 ? 0.985 : 1,
    p50Ms: 2,
    p99Ms: s === 12 ? 240 : 9,
  });
  const instance = (
    n: number,
    phase: string,
    phases: { phase: string; t: number }[],
    gates: RolloutReport['instances'][number]['gates'] = [],
  ) => ({
    id: `local-${n}`,
    name: `local-${n}`,
    versionBefore: 'a'.repeat(64),
    version: phase === 'done' ? 'b'.repeat(64) : 'a'.repeat(64),
    phase,
    upgradeRequests: phases.some((p) => p.phase === 'upgrade-requesting') ? 1 : 0,
    phases,
    gates,
  });
  return {
    tool: { name: 'preflight', version: '0.1.0' },
    kind: 'rollout',
    runId: 'rollout-20261201100000-abcdef',
    backend: 'local',
    planId: '524bd8968d63',
    status: 'failed',
    targetVersion: 'b'.repeat(64),
    startedAt: '2026-12-01T10:00:00.000Z',
    durationMs: 40_000,
    strategy: {
      maxUnavailable: 1,
      minHealthyTimeMs: 10_000,
      healthyDeadlineMs: 300_000,
      progressDeadlineMs: 900_000,
      onFailure: 'rollback',
    },
    instances: [
      instance(
        1,
        'rolled-back',
        [
          { phase: 'draining', t: 1 },
          { phase: 'upgrade-requesting', t: 1.2 },
          { phase: 'rolling-back', t: 20 },
          { phase: 'rolled-back', t: 30 },
        ],
        [{ outcome: 'fail', t: 19.5, gate: 'http /health', phase: 'healthy', detail: 'HTTP 503 (expected 200)' }],
      ),
      instance(2, 'pending', []),
      instance(3, 'pending', []),
    ],
    maxOutOfRotation: 1,
    load: {
      rate: 200,
      scheduled: 8000,
      ok: 7997,
      failed: 3,
      availability: 7997 / 8000,
      failures: { reset: 3 },
      latencyMs: { p50: 2, p99: 11, max: 300 },
      timeline: Array.from({ length: 40 }, (_, s) => second(s)),
    },
    findings: [
      {
        ruleId: 'rollout-gate-failed',
        severity: 'error',
        section: 'rollout',
        message: 'local-1: gate "http /health" did not pass within healthy_deadline 5 s: HTTP 503 (expected 200)',
        file: 'fleet.yml',
        line: 1,
        column: 1,
      },
    ],
    suppressed: [],
  };
}
