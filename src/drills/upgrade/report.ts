import { bootSummaries, renderBoots } from '../boot-report.js';
import { join } from 'node:path';
import type { DrillTimeline, UpgradeReport, UpgradeStepName, UpgradeStepOutcome } from '../../findings/drill-report.js';
import { type EngineEvent, eventsOfLatestAttempts, isEngineEvent, type Journaled } from '../../steps/index.js';
import { VERSION } from '../../util/version.js';
import { checkSet, type SetCheck } from '../history.js';
import { type JournalLine, HISTORY_FILE } from '../journal.js';
import { renderKeyPhases } from '../keys.js';
import { eventsOf, findingLines, journalFacts, reportFailed, resultLine, writesPerSecond } from '../report-common.js';
import { formatMs } from '../../util/format-ms.js';
import { describeVolumeDiff } from './compare.js';
import type { UpgradeDrillInput, UpgradeOwnEvent } from './state.js';

/** The upgrade drill's states, in order (the `rollback` step runs only with --rollback). */
export const UPGRADE_STEPS = [
  'plan',
  'start-old',
  'seed',
  'fingerprint',
  'upgrade',
  'verify',
  'rollback',
] as const satisfies readonly UpgradeStepName[];
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

export type { UpgradeReport };

/** Rebuild the report from the journal alone (a pure function: `drill report RUN` gives the same bytes). */
export function buildUpgradeReport(events: readonly JournalLine[], runDir: string): UpgradeReport {
  const start = events[0];
  if (!start || !isEngineEvent(start, 'run-start')) throw new Error(`journal in ${runDir} has no run-start`);
  const input = start.input as UpgradeDrillInput;
  const facts = journalFacts(events);
  const boots = bootSummaries(events);
  // Conclusions of a redone step count once (its last attempt); evidence all counts.
  const latest = eventsOfLatestAttempts(events) as readonly { type: string }[];
  const own = <T extends UpgradeOwnEvent['type']>(list: readonly { type: string }[], type: T) =>
    list.filter((e): e is Journaled<Extract<UpgradeOwnEvent, { type: T }>> => e.type === type);
  const diff = own(latest, 'diff').flatMap((e) => e.findings);
  const volumes = own(latest, 'volume-diff').flatMap((e) => e.diffs);
  const steps: UpgradeStepOutcome[] = [];
  const spans: DrillTimeline['spans'] = [];
  let stoppedAt: UpgradeReport['stoppedAt'];
  for (const step of UPGRADE_STEPS) {
    if (step === 'rollback' && !input.rollback) continue;
    const end = events.find((e) => isEngineEvent(e, 'step-end') && e.id === step) as
      | Journaled<Extract<EngineEvent, { type: 'step-end' }>>
      | undefined;
    const began = events.filter((e) => isEngineEvent(e, 'step-start') && e.id === step).at(-1);
    const title = STEP_TITLES[step];
    if (end && !end.skipped) {
      steps.push({ step, title, status: end.ok ? 'ok' : 'failed', ms: end.ms, detail: end.detail ?? '' });
      if (!stoppedAt && !end.ok) stoppedAt = { step, detail: end.detail ?? '' };
      if (began) spans.push({ kind: 'step', label: step, start: facts.at(began.t), end: facts.at(end.t), ok: end.ok });
    } else if (!end && began) steps.push({ step, title, status: 'failed', ms: 0, detail: 'interrupted' });
    else steps.push({ step, title, status: 'not reached', ms: 0, detail: '' });
  }
  const read = (phase: 'verify' | 'rollback') => {
    const r = own(latest, 'read').find((e) => e.phase === phase);
    if (!r?.ok || !r.ids) return undefined;
    return checkSet(
      eventsOf(events, 'op')
        .filter((e) => e.seq < r.seq)
        .map((e) => e.op),
      r.ids,
    );
  };
  const check = read('verify');
  const rollbackCheck = read('rollback');
  return {
    tool: { name: 'preflight', version: VERSION },
    drill: 'upgrade',
    drillId: start.runId,
    status: facts.status,
    ...(facts.error ? { error: facts.error } : {}),
    ...(stoppedAt ? { stoppedAt } : {}),
    project: facts.project,
    from: input.fromShown,
    to: input.toShown,
    compose: facts.compose,
    steps,
    diff,
    volumes,
    ...(check ? { check } : {}),
    ...(rollbackCheck ? { rollbackCheck } : {}),
    historyFile: join(runDir, HISTORY_FILE),
    ...(facts.keys.length ? { keys: facts.keys } : {}),
    ...(boots.length ? { boots } : {}),
    findings: facts.findings,
    suppressed: facts.suppressed,
    timing: facts.timing,
    ...(facts.cleanup ? { cleanup: facts.cleanup } : {}),
    timeline: { writes: writesPerSecond(facts.ops), spans: [...spans, ...facts.gaps] },
  };
}

export function upgradeFailed(r: UpgradeReport): boolean {
  return reportFailed(r);
}

export function renderUpgradeText(r: UpgradeReport): string {
  const out: string[] = [];
  out.push(`preflight drill upgrade — ${r.from.files.join(', ')} → ${r.to.files.join(', ')}`);
  out.push(`  compose ${r.compose.kind} (${r.compose.version}), project ${r.project}, drill ${r.drillId}`);
  out.push('');
  out.push('Steps');
  r.steps.forEach((s, i) => {
    const mark = s.status === 'ok' ? '✓' : s.status === 'failed' ? '✗' : '·';
    const took = s.status === 'not reached' ? 'not reached'.padStart(7) : formatMs(s.ms).padStart(7);
    out.push(`  ${mark} ${i + 1}. ${s.step.padEnd(11)} ${took}  ${s.title}${s.detail ? ` — ${s.detail}` : ''}`);
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
      `${name}: ${c.acknowledged} acknowledged writes, ${c.read} read back — lost ${c.lost.length}, ` +
        `unexpected ${c.unexpected.length}, ` +
        `recovered ${c.recovered.length}${c.valid ? '' : ' — ACKNOWLEDGED WRITES LOST'}`,
    );
  };
  checkLine('Writes after the upgrade', r.check);
  checkLine('Writes after the rollback', r.rollbackCheck);
  out.push(`  history: ${r.historyFile}`);
  if (r.keys) out.push('', ...renderKeyPhases(r.keys));
  if (r.boots) out.push('', ...renderBoots(r.boots));
  out.push('');
  out.push(...findingLines(r.findings));
  const t = r.timing;
  out.push(
    `Time: ${formatMs(t.wallMs)} wall, drill overhead ${formatMs(t.overheadMs)}; compose ${t.composeOps} ` +
      `ops ${formatMs(t.composeMs)}, docker ${t.dockerOps} ops ${formatMs(t.dockerMs)}`,
  );
  out.push(resultLine(r));
  return out.join('\n') + '\n';
}
