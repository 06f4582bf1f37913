import { bootSummaries, renderBoots } from './boot-report.js';
import { join } from 'node:path';
import type { DrillReport, DrillTimeline, FaultResult } from '../findings/drill-report.js';
import { isEngineEvent } from '../steps/index.js';
import { VERSION } from '../util/version.js';
import { checkSet } from './history.js';
import { type DrillEvent, type JournalLine, HISTORY_FILE, type RestartDrillInput } from './journal.js';
import { renderKeyPhases } from './keys.js';
import { eventsOf, findingLines, journalFacts, reportFailed, resultLine, writesPerSecond } from './report-common.js';
import { formatMs } from '../util/format-ms.js';

export type { DrillReport, FaultResult };

/** Rebuild the report of a run from its journal alone (a pure function: `drill report RUN` gives the same bytes). */
export function buildReport(events: readonly JournalLine[], runDir: string): DrillReport {
  const start = events[0];
  if (!start || !isEngineEvent(start, 'run-start')) throw new Error(`journal in ${runDir} has no run-start`);
  const input = start.input as RestartDrillInput;
  const facts = journalFacts(events);
  const boots = bootSummaries(events);
  // A fault redone after a crash counts once: its last attempt.
  const faultEnds = new Map<number, Extract<DrillEvent, { type: 'fault-end' }>>();
  const faultStarts = new Map<number, number>();
  for (const e of eventsOf(events, 'fault-end')) faultEnds.set(e.index, e);
  for (const e of eventsOf(events, 'fault-start')) faultStarts.set(e.index, e.t);
  const faults: FaultResult[] = [...faultEnds.values()]
    .sort((a, b) => a.index - b.index)
    .map((e) => ({
      index: e.index,
      kind: e.kind,
      service: e.service,
      injectMs: e.injectMs,
      recoverMs: e.recoverMs,
      ready: e.ready,
      ...(e.notReady ? { notReady: e.notReady } : {}),
      writes: { ok: 0, fail: 0, unknown: 0 },
    }));
  for (const op of facts.ops) {
    if (op.type === 'invoke' || op.fault === undefined) continue;
    const f = faults.find((x) => x.index === op.fault);
    if (f) f.writes[op.type]++;
  }
  const finalRead = eventsOf(events, 'final-read').at(-1);
  const check = finalRead?.ok && finalRead.ids ? checkSet(facts.ops, finalRead.ids) : undefined;
  const spans: DrillTimeline['spans'] = [
    ...faults.flatMap((f) => {
      const t = faultStarts.get(f.index);
      if (t === undefined) return [];
      const s = facts.at(t);
      const injected = round2(s + f.injectMs / 1000);
      return [
        {
          kind: 'fault' as const,
          label: `fault ${f.index + 1}: ${f.kind}${f.service ? ` ${f.service}` : ''}`,
          start: s,
          injected,
          end: round2(injected + f.recoverMs / 1000),
          ok: f.ready,
        },
      ];
    }),
    ...facts.gaps,
  ];
  return {
    tool: { name: 'preflight', version: VERSION },
    drill: 'restart',
    drillId: start.runId,
    status: facts.status,
    ...(facts.error ? { error: facts.error } : {}),
    project: facts.project,
    dir: input.dir,
    files: input.files,
    compose: facts.compose,
    seed: input.seed,
    plan: input.plan,
    services: input.services,
    faults,
    ...(check ? { check } : {}),
    ...(finalRead ? { finalRead: { ok: finalRead.ok, ...(finalRead.error ? { error: finalRead.error } : {}) } } : {}),
    historyFile: join(runDir, HISTORY_FILE),
    ...(facts.keys.length ? { keys: facts.keys } : {}),
    ...(boots.length ? { boots } : {}),
    findings: facts.findings,
    suppressed: facts.suppressed,
    timing: facts.timing,
    ...(facts.cleanup ? { cleanup: facts.cleanup } : {}),
    timeline: { writes: writesPerSecond(facts.ops), spans },
  };
}

const round2 = (v: number) => Math.round(v * 100) / 100;

/** Failed checks: any finding at warning or above. */
export function drillFailed(report: DrillReport): boolean {
  return reportFailed(report);
}

/** The restart drill's text report. */
export function renderRestartText(r: DrillReport): string {
  const out: string[] = [];
  out.push(`preflight drill ${r.drill} — ${r.files.join(', ')}`);
  out.push(
    `  compose ${r.compose.kind} (${r.compose.version}), project ${r.project}, seed ${r.seed}, ${r.plan.length} faults`,
  );
  out.push('');
  out.push('Faults');
  if (r.faults.length === 0) out.push('  (none ran)');
  for (const f of r.faults) {
    const target = f.service ? ` ${f.service}` : '';
    const w = f.writes;
    const state = f.ready ? 'ready again' : `NOT READY (${(f.notReady ?? []).join(', ')})`;
    out.push(
      `  ${String(f.index + 1).padStart(2)}. ${(f.kind + target).padEnd(24)} ` +
        `inject ${formatMs(f.injectMs).padStart(7)}  recover ${formatMs(f.recoverMs).padStart(7)}  ${state}  ` +
        `writes ok ${w.ok} / fail ${w.fail} / unknown ${w.unknown}`,
    );
  }
  out.push('');
  if (r.check) {
    const c = r.check;
    out.push(
      `Writes: ${c.attempted} attempted, ${c.acknowledged} acknowledged, ${c.failed} failed, ${c.unknown} ` +
        `unknown; final read ${c.read} values`,
    );
    out.push(
      `  lost ${c.lost.length}, unexpected ${c.unexpected.length}, recovered ${c.recovered.length} ` +
        `— ${c.valid ? 'no acknowledged write lost' : 'ACKNOWLEDGED WRITES LOST'}`,
    );
  } else if (r.finalRead && !r.finalRead.ok)
    out.push(`Writes: the final read failed (${r.finalRead.error ?? 'error'})`);
  else out.push('Writes: no workload configured (drill.workload in .preflight.yml), data not checked');
  out.push(`  history: ${r.historyFile}`);
  out.push('');
  if (r.keys) out.push(...renderKeyPhases(r.keys), '');
  if (r.boots) out.push(...renderBoots(r.boots), '');
  out.push(...findingLines(r.findings));
  const t = r.timing;
  out.push(
    `Time: ${formatMs(t.wallMs)} wall, drill overhead ${formatMs(t.overheadMs)} (excluding waiting on the ` +
      `engine and containers); compose ${t.composeOps} ops ${formatMs(t.composeMs)}, docker ${t.dockerOps} ` +
      `ops ${formatMs(t.dockerMs)}`,
  );
  out.push(resultLine(r));
  return out.join('\n') + '\n';
}
