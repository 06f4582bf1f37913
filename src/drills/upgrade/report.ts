import { join } from 'node:path';
import type { Finding, SuppressedFinding } from '../../findings/types.js';
import { VERSION } from '../../util/version.js';
import { checkSet, type SetCheck } from '../history.js';
import { HISTORY_FILE, Journal, type JournalEvent, type WithoutTime } from '../journal.js';
import { formatMs } from '../timefmt.js';
import { renderKeyPhases, type KeyPhase } from '../keys.js';
import { describeVolumeDiff, type VolumeDiff } from './compare.js';
import type { VolumeFingerprint } from './fingerprint.js';

/** The upgrade drill's states, in order (the `rollback` step runs only with --rollback). */
export const UPGRADE_STEPS = ['plan', 'start-old', 'seed', 'fingerprint', 'upgrade', 'verify', 'rollback'] as const;
export type UpgradeStep = (typeof UPGRADE_STEPS)[number];

export const STEP_TITLES: Record<UpgradeStep, string> = {
  plan: 'static diff of OLD and NEW (preflight diff)',
  'start-old': 'start OLD with the old secrets, wait until ready',
  seed: 'seed sample data through the workload',
  fingerprint: 'stop OLD as the CVM does, fingerprint every named volume',
  upgrade: 'remove containers, prune anonymous volumes, start NEW with the new secrets',
  verify: 'NEW ready, acknowledged writes readable, volume files, logs',
  rollback: 'start OLD again on the upgraded data and verify',
};

/** Journal events of the upgrade drill, beside the common ones (run-start, op, finding, …). */
export type UpgradeEvent =
  | JournalEvent
  | ({ t: number } & (
      | {
          type: 'upgrade-start';
          from: { dir: string; files: string[] };
          to: { dir: string; files: string[] };
          rollback: boolean;
        }
      | { type: 'step-start'; step: UpgradeStep }
      | { type: 'step-end'; step: UpgradeStep; ok: boolean; ms: number; detail: string }
      | { type: 'diff'; findings: Finding[] }
      | { type: 'fingerprint'; phase: 'before' | 'after'; volumes: VolumeFingerprint[] }
      | { type: 'volume-diff'; diffs: VolumeDiff[] }
      | { type: 'read'; phase: 'verify' | 'rollback'; ok: boolean; ids?: string[]; error?: string }
    ));
export type NewUpgradeEvent = WithoutTime<UpgradeEvent>;

/** The upgrade drill's journal: the restart drill's format, with the upgrade's own events. */
export class UpgradeJournal extends Journal<UpgradeEvent> {}

export interface StepResult {
  step: UpgradeStep;
  title: string;
  status: 'ok' | 'failed' | 'skipped' | 'not reached';
  ms: number;
  detail: string;
}

export interface UpgradeReport {
  tool: { name: string; version: string };
  drill: 'upgrade';
  drillId: string;
  status: 'passed' | 'failed' | 'error' | 'interrupted' | 'running';
  error?: string;
  /** The step where the drill could not go on (e.g. NEW never ready), if any. */
  stoppedAt?: { step: UpgradeStep; detail: string };
  project: string;
  from: { dir: string; files: string[] };
  to: { dir: string; files: string[] };
  compose: { kind: string; version: string };
  steps: StepResult[];
  /** Findings of the static diff, run first (informational: they do not fail the drill). */
  diff: Finding[];
  volumes: VolumeDiff[];
  check?: SetCheck;
  rollbackCheck?: SetCheck;
  historyFile: string;
  /** Keys the app asked the guest agent for: OLD, after the upgrade, after the rollback. */
  keys?: KeyPhase[];
  findings: Finding[];
  /** Findings `.preflight.yml` exempts, with the reason. */
  suppressed: SuppressedFinding[];
  timing: {
    wallMs: number;
    waitMs: number;
    overheadMs: number;
    composeOps: number;
    composeMs: number;
    dockerOps: number;
    dockerMs: number;
  };
  cleanup?: { containers: number; volumes: number; networks: number };
}

/** Rebuild the report from the journal alone. */
export function buildUpgradeReport(events: readonly UpgradeEvent[], runDir: string): UpgradeReport {
  const start = events.find((e) => e.type === 'run-start');
  const up = events.find((e) => e.type === 'upgrade-start');
  if (start?.type !== 'run-start' || !up || up.type !== 'upgrade-start')
    throw new Error(`journal in ${runDir} has no run-start`);
  const ops = events.flatMap((e) => (e.type === 'op' ? [e.op] : []));
  const findings = events.flatMap((e) => (e.type === 'finding' ? [e.finding] : []));
  const suppressed = events.flatMap((e) => (e.type === 'suppressed' ? [e.finding] : []));
  const diff = events.flatMap((e) => (e.type === 'diff' ? e.findings : []));
  const keys = events.flatMap((e) => (e.type === 'keys' ? [e.keys] : []));
  const volumes = events.flatMap((e) => (e.type === 'volume-diff' ? e.diffs : []));
  const steps: StepResult[] = [];
  let stoppedAt: UpgradeReport['stoppedAt'];
  for (const step of UPGRADE_STEPS) {
    if (step === 'rollback' && !up.rollback) continue;
    const end = events.find((e) => e.type === 'step-end' && e.step === step) as
      | Extract<UpgradeEvent, { type: 'step-end' }>
      | undefined;
    const began = events.some((e) => e.type === 'step-start' && e.step === step);
    steps.push(
      end
        ? { step, title: STEP_TITLES[step], status: end.ok ? 'ok' : 'failed', ms: end.ms, detail: end.detail }
        : {
            step,
            title: STEP_TITLES[step],
            status: began ? 'failed' : 'not reached',
            ms: 0,
            detail: began ? 'interrupted' : '',
          },
    );
    if (!stoppedAt && end && !end.ok) stoppedAt = { step, detail: end.detail };
  }
  const read = (phase: 'verify' | 'rollback') => {
    const r = events.find((e) => e.type === 'read' && e.phase === phase) as
      | Extract<UpgradeEvent, { type: 'read' }>
      | undefined;
    if (!r?.ok || !r.ids) return undefined;
    const until = events.indexOf(r);
    return checkSet(
      events.slice(0, until).flatMap((e) => (e.type === 'op' ? [e.op] : [])),
      r.ids,
    );
  };
  const engine = { composeOps: 0, composeMs: 0, dockerOps: 0, dockerMs: 0 };
  let timing = { wallMs: 0, waitMs: 0 };
  let cleanup: UpgradeReport['cleanup'];
  let end: Extract<JournalEvent, { type: 'run-end' }> | undefined;
  for (const e of events) {
    if (e.type === 'engine-op') {
      if (e.op.kind === 'compose') {
        engine.composeOps++;
        engine.composeMs += e.op.ms;
      } else {
        engine.dockerOps++;
        engine.dockerMs += e.op.ms;
      }
    } else if (e.type === 'timing') timing = { wallMs: e.wallMs, waitMs: e.waitMs };
    else if (e.type === 'cleanup') cleanup = { containers: e.containers, volumes: e.volumes, networks: e.networks };
    else if (e.type === 'run-end') end = e;
  }
  void ops;
  const check = read('verify');
  const rollbackCheck = read('rollback');
  return {
    tool: { name: 'preflight', version: VERSION },
    drill: 'upgrade',
    drillId: start.drillId,
    status: end?.status ?? 'running',
    ...(end?.error ? { error: end.error } : {}),
    ...(stoppedAt ? { stoppedAt } : {}),
    project: start.project,
    from: up.from,
    to: up.to,
    compose: start.compose,
    steps,
    diff,
    volumes,
    ...(check ? { check } : {}),
    ...(rollbackCheck ? { rollbackCheck } : {}),
    historyFile: join(runDir, HISTORY_FILE),
    ...(keys.length ? { keys } : {}),
    findings,
    suppressed,
    timing: { ...timing, overheadMs: Math.max(0, timing.wallMs - timing.waitMs), ...engine },
    ...(cleanup ? { cleanup } : {}),
  };
}

export function upgradeFailed(r: UpgradeReport): boolean {
  return r.status !== 'passed' || r.findings.some((f) => f.severity === 'error' || f.severity === 'warning');
}

export function renderUpgradeText(r: UpgradeReport): string {
  const out: string[] = [];
  out.push(`preflight drill upgrade — ${r.from.files.join(', ')} → ${r.to.files.join(', ')}`);
  out.push(`  compose ${r.compose.kind} (${r.compose.version}), project ${r.project}, drill ${r.drillId}`);
  out.push('');
  out.push('Steps');
  r.steps.forEach((s, i) => {
    const mark = s.status === 'ok' ? '✓' : s.status === 'failed' ? '✗' : '·';
    out.push(
      `  ${mark} ${i + 1}. ${s.step.padEnd(11)} ${s.status === 'not reached' ? 'not reached'.padStart(7) : formatMs(s.ms).padStart(7)}  ${s.title}${s.detail ? ` — ${s.detail}` : ''}`,
    );
  });
  if (r.stoppedAt) out.push(`  stopped at step "${r.stoppedAt.step}": ${r.stoppedAt.detail}`);
  out.push('');
  out.push('Static diff (preflight diff OLD NEW)');
  if (!r.diff.length) out.push('  no findings');
  for (const f of r.diff) out.push(`  ${f.severity.padEnd(7)} ${f.ruleId}  ${f.file}:${f.line}  ${f.message}`);
  out.push('');
  out.push('Volumes (fingerprint before the upgrade → after NEW ran)');
  if (!r.volumes.length) out.push('  (no fingerprint comparison)');
  for (const v of r.volumes) {
    out.push(`  ${describeVolumeDiff(v)}`);
    for (const [label, list] of [
      ['deleted', v.deleted],
      ['shrunk', v.shrunk],
      ['rewritten', v.rewritten],
    ] as const)
      for (const p of list.slice(0, 10)) out.push(`      ${label.padEnd(9)} ${p}`);
    for (const e of v.expected.slice(0, 10)) out.push(`      expected  ${e.path} (${e.change}, ${e.pattern})`);
  }
  out.push('');
  const checkLine = (name: string, c: SetCheck | undefined) => {
    if (!c) return;
    out.push(
      `${name}: ${c.acknowledged} acknowledged writes, ${c.read} read back — lost ${c.lost.length}, unexpected ${c.unexpected.length}, recovered ${c.recovered.length}${c.valid ? '' : ' — ACKNOWLEDGED WRITES LOST'}`,
    );
  };
  checkLine('Writes after the upgrade', r.check);
  checkLine('Writes after the rollback', r.rollbackCheck);
  out.push(`  history: ${r.historyFile}`);
  if (r.keys) out.push('', ...renderKeyPhases(r.keys));
  out.push('');
  if (r.findings.length) {
    out.push('Findings');
    for (const f of r.findings)
      out.push(`  ${f.severity.padEnd(7)} ${f.ruleId}  ${f.file}:${f.line}:${f.column}  ${f.message}`);
    out.push('');
  }
  const t = r.timing;
  out.push(
    `Time: ${formatMs(t.wallMs)} wall, drill overhead ${formatMs(t.overheadMs)}; compose ${t.composeOps} ops ${formatMs(t.composeMs)}, docker ${t.dockerOps} ops ${formatMs(t.dockerMs)}`,
  );
  out.push(
    `Result: ${r.status === 'passed' && !upgradeFailed(r) ? 'PASSED' : r.status === 'passed' ? 'FAILED' : r.status.toUpperCase()}${r.error ? ` (${r.error})` : ''}`,
  );
  return out.join('\n') + '\n';
}
