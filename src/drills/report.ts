import { join } from 'node:path';
import type { Finding, SuppressedFinding } from '../findings/types.js';
import { VERSION } from '../util/version.js';
import type { PlannedFault } from './faults.js';
import { checkSet, type HistoryOp, type SetCheck } from './history.js';
import { HISTORY_FILE, type JournalEvent } from './journal.js';
import { renderKeyPhases, type KeyPhase } from './keys.js';
import { formatMs } from './timefmt.js';

export interface FaultResult {
  index: number;
  kind: string;
  service?: string;
  injectMs: number;
  recoverMs: number;
  ready: boolean;
  notReady?: string[];
  /** Writes during this fault: acknowledged, failed, unknown. */
  writes: { ok: number; fail: number; unknown: number };
}

export interface DrillReport {
  tool: { name: string; version: string };
  drill: string;
  drillId: string;
  status: 'passed' | 'failed' | 'error' | 'interrupted' | 'running';
  error?: string;
  project: string;
  dir: string;
  files: string[];
  compose: { kind: string; version: string };
  seed: string;
  plan: PlannedFault[];
  services: string[];
  faults: FaultResult[];
  /** Jepsen set-checker result; absent without a workload or when the final read failed. */
  check?: SetCheck;
  finalRead?: { ok: boolean; error?: string };
  historyFile: string;
  /** Keys the app asked the guest agent for, per phase (when a service mounts the agent socket). */
  keys?: KeyPhase[];
  findings: Finding[];
  /** Findings `.preflight.yml` exempts, with the reason. */
  suppressed: SuppressedFinding[];
  timing: {
    wallMs: number;
    /** The drill's own time: wall time minus time spent waiting on the engine and the containers. */
    overheadMs: number;
    waitMs: number;
    composeOps: number;
    composeMs: number;
    dockerOps: number;
    dockerMs: number;
  };
  cleanup?: { containers: number; volumes: number; networks: number };
}

/** Rebuild the report of a run from its journal alone. */
export function buildReport(events: readonly JournalEvent[], runDir: string): DrillReport {
  const start = events.find((e) => e.type === 'run-start');
  if (start?.type !== 'run-start') throw new Error(`journal in ${runDir} has no run-start`);
  const ops: HistoryOp[] = [];
  const faults: FaultResult[] = [];
  const findings: Finding[] = [];
  const suppressed: SuppressedFinding[] = [];
  const keys: KeyPhase[] = [];
  let finalRead: { ok: boolean; ids?: string[]; error?: string } | undefined;
  let timing = { wallMs: 0, waitMs: 0 };
  let cleanupEv: DrillReport['cleanup'];
  let end: Extract<JournalEvent, { type: 'run-end' }> | undefined;
  const engine = { composeOps: 0, composeMs: 0, dockerOps: 0, dockerMs: 0 };
  for (const e of events) {
    switch (e.type) {
      case 'op':
        ops.push(e.op);
        break;
      case 'fault-end':
        faults.push({
          index: e.index,
          kind: e.kind,
          service: e.service,
          injectMs: e.injectMs,
          recoverMs: e.recoverMs,
          ready: e.ready,
          ...(e.notReady ? { notReady: e.notReady } : {}),
          writes: { ok: 0, fail: 0, unknown: 0 },
        });
        break;
      case 'suppressed':
        suppressed.push(e.finding);
        break;
      case 'finding':
        findings.push(e.finding);
        break;
      case 'final-read':
        finalRead = e;
        break;
      case 'keys':
        keys.push(e.keys);
        break;
      case 'engine-op':
        if (e.op.kind === 'compose') {
          engine.composeOps++;
          engine.composeMs += e.op.ms;
        } else {
          engine.dockerOps++;
          engine.dockerMs += e.op.ms;
        }
        break;
      case 'timing':
        timing = { wallMs: e.wallMs, waitMs: e.waitMs };
        break;
      case 'cleanup':
        cleanupEv = { containers: e.containers, volumes: e.volumes, networks: e.networks };
        break;
      case 'run-end':
        end = e;
        break;
    }
  }
  for (const op of ops) {
    if (op.type === 'invoke' || op.fault === undefined) continue;
    const f = faults.find((x) => x.index === op.fault);
    if (f) f.writes[op.type]++;
  }
  const check = finalRead?.ok && finalRead.ids ? checkSet(ops, finalRead.ids) : undefined;
  return {
    tool: { name: 'preflight', version: VERSION },
    drill: start.drill,
    drillId: start.drillId,
    status: end?.status ?? 'running',
    ...(end?.error ? { error: end.error } : {}),
    project: start.project,
    dir: start.dir,
    files: start.files,
    compose: start.compose,
    seed: start.seed,
    plan: start.plan,
    services: start.services,
    faults,
    ...(check ? { check } : {}),
    ...(finalRead ? { finalRead: { ok: finalRead.ok, ...(finalRead.error ? { error: finalRead.error } : {}) } } : {}),
    historyFile: join(runDir, HISTORY_FILE),
    ...(keys.length ? { keys } : {}),
    findings,
    suppressed,
    timing: {
      wallMs: timing.wallMs,
      waitMs: timing.waitMs,
      overheadMs: Math.max(0, timing.wallMs - timing.waitMs),
      ...engine,
    },
    ...(cleanupEv ? { cleanup: cleanupEv } : {}),
  };
}

/** Failed checks: any finding at warning or above. */
export function drillFailed(report: DrillReport): boolean {
  return report.status !== 'passed' || report.findings.some((f) => f.severity === 'error' || f.severity === 'warning');
}

export function renderText(r: DrillReport): string {
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
      `  ${String(f.index + 1).padStart(2)}. ${(f.kind + target).padEnd(24)} inject ${formatMs(f.injectMs).padStart(7)}  recover ${formatMs(f.recoverMs).padStart(7)}  ${state}  writes ok ${w.ok} / fail ${w.fail} / unknown ${w.unknown}`,
    );
  }
  out.push('');
  if (r.check) {
    const c = r.check;
    out.push(
      `Writes: ${c.attempted} attempted, ${c.acknowledged} acknowledged, ${c.failed} failed, ${c.unknown} unknown; final read ${c.read} values`,
    );
    out.push(
      `  lost ${c.lost.length}, unexpected ${c.unexpected.length}, recovered ${c.recovered.length} — ${c.valid ? 'no acknowledged write lost' : 'ACKNOWLEDGED WRITES LOST'}`,
    );
  } else if (r.finalRead && !r.finalRead.ok)
    out.push(`Writes: the final read failed (${r.finalRead.error ?? 'error'})`);
  else out.push('Writes: no workload configured (drill.workload in .preflight.yml), data not checked');
  out.push(`  history: ${r.historyFile}`);
  out.push('');
  if (r.keys) out.push(...renderKeyPhases(r.keys), '');
  if (r.findings.length) {
    out.push('Findings');
    for (const f of r.findings)
      out.push(`  ${f.severity.padEnd(7)} ${f.ruleId}  ${f.file}:${f.line}:${f.column}  ${f.message}`);
    out.push('');
  }
  const t = r.timing;
  out.push(
    `Time: ${formatMs(t.wallMs)} wall, drill overhead ${formatMs(t.overheadMs)} (excluding waiting on the engine and containers); compose ${t.composeOps} ops ${formatMs(t.composeMs)}, docker ${t.dockerOps} ops ${formatMs(t.dockerMs)}`,
  );
  out.push(
    `Result: ${r.status === 'passed' && !drillFailed(r) ? 'PASSED' : r.status === 'passed' ? 'FAILED' : r.status.toUpperCase()}${r.error ? ` (${r.error})` : ''}`,
  );
  return out.join('\n') + '\n';
}
