/**
 * The rollout report: built from the run's journal alone (so a finished rollout's report is the
 * same every time it is rebuilt), with `.preflight.yml`'s severities and exemptions applied, and
 * its text rendering (the per-instance table, the load timeline drawn in characters, findings).
 */
import { gatesColumn, type RolloutLoadReport, type RolloutReport } from '../findings/rollout.js';
import { applyPolicy, type FindingPolicy } from '../findings/policy.js';
import { score } from '../findings/score.js';
import type { Report, Section } from '../findings/types.js';
import type { RunRecord } from '../steps/index.js';
import { VERSION } from '../util/version.js';
import { initialRunState, reduceRun, type RolloutInput } from './definition.js';
import type { RolloutEvent } from './events.js';
import { renderTimeline } from './load/index.js';
import { short, unavailableCount } from './plan.js';

/**
 * A rollout's findings in the model every command's SARIF, JUnit and GitHub output is rendered
 * from (src/report): the same renderers as `check`, so a CI job reads a rollout as it reads a check.
 * Only section `rollout` is checked; the rollout's own state (instances, load) has no place there
 * and stays in the text, JSON and HTML reports.
 */
export function rolloutFindingsReport(
  r: Pick<RolloutReport, 'tool' | 'findings' | 'suppressed'>,
  checkedSections: Section[] = ['rollout'],
): Report {
  return {
    tool: r.tool,
    targets: [],
    score: score(r.findings),
    findings: r.findings,
    suppressed: r.suppressed,
    checkedSections,
  };
}

export function buildRolloutReport(run: RunRecord, policy?: FindingPolicy): RolloutReport {
  let s = initialRunState();
  for (const e of run.events) s = reduceRun(s, e);
  const input = run.start.input as RolloutInput;
  const t0 = run.start.t;
  const lastT = run.events.at(-1)?.t ?? t0;
  const { findings, suppressed } = policy ? applyPolicy(policy, s.findings) : { findings: s.findings, suppressed: [] };
  return {
    tool: { name: 'preflight', version: VERSION },
    kind: 'rollout',
    runId: run.runId,
    backend: input.backend,
    planId: input.planId,
    status: run.end?.status ?? 'running',
    ...(s.paused && !run.end ? { paused: s.paused.reason } : {}),
    targetVersion: input.targetVersion,
    startedAt: new Date(t0).toISOString(),
    durationMs: lastT - t0,
    strategy: {
      maxUnavailable: unavailableCount(input.strategy.maxUnavailable, input.instances.length),
      minHealthyTimeMs: input.strategy.minHealthyTimeMs,
      healthyDeadlineMs: input.strategy.healthyDeadlineMs,
      progressDeadlineMs: input.strategy.progressDeadlineMs,
      onFailure: input.strategy.onFailure,
      ...(input.strategy.canary ? { canary: input.strategy.canary.count } : {}),
    },
    instances: s.order.map((id) => {
      const i = s.instances[id]!;
      return {
        id,
        name: i.name,
        versionBefore: i.versionBefore,
        version: i.version,
        phase: i.phase,
        upgradeRequests: i.upgradeRequests,
        phases: i.history.map((h) => ({
          phase: h.phase,
          t: round((h.at - t0) / 1000),
          ...(h.detail ? { detail: h.detail } : {}),
        })),
        gates: i.verdicts.map(({ at, ...v }) => ({ ...v, t: round((at - t0) / 1000) })),
      };
    }),
    maxOutOfRotation: s.maxOutOfRotation,
    ...(s.loads.length ? { load: mergeLoads(s.loads, t0) } : {}),
    ...(Object.keys(s.onChainTxs ?? {}).length
      ? {
          onChain: Object.entries(s.onChainTxs).map(([registered, t]) => ({
            registered,
            txHash: t.txHash,
            phase: t.phase,
          })),
        }
      : {}),
    findings,
    suppressed,
  };
}

/** The load of every process that drove the run, on one time axis from the rollout's start. */
function mergeLoads(loads: Extract<RolloutEvent, { type: 'load' }>['summary'][], t0: number): RolloutLoadReport {
  const timeline = new Map<number, RolloutLoadReport['timeline'][number]>();
  let scheduled = 0;
  let ok = 0;
  const failures: Record<string, number> = {};
  for (const l of loads) {
    scheduled += l.scheduled;
    ok += l.ok;
    for (const [k, n] of Object.entries(l.failures)) failures[k] = (failures[k] ?? 0) + (n ?? 0);
    const offset = Math.max(0, Math.round((Date.parse(l.startedAt) - t0) / 1000));
    for (const sec of l.timeline) timeline.set(sec.second + offset, { ...sec, second: sec.second + offset });
  }
  const last = loads.at(-1)!;
  return {
    rate: last.rate,
    scheduled,
    ok,
    failed: scheduled - ok,
    availability: scheduled ? ok / scheduled : 1,
    failures,
    // Run-wide percentiles of one segment; with several, the worst of them (never an average that hides one).
    latencyMs: {
      p50: maxOf(loads.map((l) => l.latencyMs.p50)),
      p99: maxOf(loads.map((l) => l.latencyMs.p99)),
      max: maxOf(loads.map((l) => l.latencyMs.max)),
    },
    timeline: [...timeline.values()].sort((a, b) => a.second - b.second),
  };
}

export function renderRolloutText(r: RolloutReport, opts: { ascii?: boolean } = {}): string {
  const lines: string[] = [];
  lines.push(
    `rollout ${r.runId} (${r.backend}, plan ${r.planId}): ${r.status}${r.paused ? ` — paused: ${r.paused}` : ''}`,
  );
  lines.push(
    `target ${short(r.targetVersion)}; max_unavailable ${r.strategy.maxUnavailable}, ` +
      `min_healthy_time ${r.strategy.minHealthyTimeMs / 1000} s, on_failure ${r.strategy.onFailure}; most out of ` +
      `rotation at once: ${r.maxOutOfRotation}; ${(r.durationMs / 1000).toFixed(1)} s`,
  );
  lines.push('');
  const w = Math.max(8, ...r.instances.map((i) => i.name.length));
  lines.push(
    `${'instance'.padEnd(w)}  ${'result'.padEnd(12)}  ${'before'.padEnd(12)}  ${'now'.padEnd(12)}  requests  gates`,
  );
  for (const i of r.instances)
    lines.push(
      `${i.name.padEnd(w)}  ${i.phase.padEnd(12)}  ${short(i.versionBefore).padEnd(12)} ` +
        ` ${short(i.version).padEnd(12)}  ${String(i.upgradeRequests).padEnd(8)}  ${gatesColumn(i)}`,
    );
  if (r.load) {
    const l = r.load;
    lines.push('');
    lines.push(
      `load: ${l.rate} req/s through the balancer, ${l.scheduled} requests, ${l.failed} failed, ` +
        `availability ${pct(l.availability)}, p50 ${ms(l.latencyMs.p50)}, p99 ${ms(l.latencyMs.p99)}`,
    );
    lines.push(renderTimeline(l.timeline, { ascii: opts.ascii }));
  }
  if (r.onChain?.length) {
    lines.push('');
    for (const t of r.onChain)
      lines.push(
        `on chain: ${t.registered} in transaction ${t.txHash}${t.phase === 'mined' ? '' : ' (not confirmed)'}`,
      );
  }
  lines.push('');
  if (!r.findings.length) lines.push('no findings');
  for (const f of r.findings) lines.push(`${f.severity.padEnd(7)} ${f.ruleId}  ${f.message}`);
  for (const f of r.suppressed) lines.push(`suppressed ${f.ruleId}  ${f.message} (${f.suppression.reason})`);
  return `${lines.join('\n')}\n`;
}

const round = (n: number) => Math.round(n * 10) / 10;
const pct = (a: number) => (a === 1 ? '100%' : `${(Math.floor(a * 100_000) / 1000).toFixed(3)}%`);
const ms = (v: number | null) => (v === null ? '–' : `${v.toFixed(1)} ms`);
function maxOf(vs: (number | null)[]): number | null {
  const n = vs.filter((v): v is number => v !== null);
  return n.length ? Math.max(...n) : null;
}
