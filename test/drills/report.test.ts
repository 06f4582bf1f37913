import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildReport, renderRestartText } from '../../src/drills/report.js';
import { buildUpgradeReport, renderUpgradeText } from '../../src/drills/upgrade/report.js';
import type { Finding } from '../../src/findings/types.js';
import { JournalBuilder, resumedRestartJournal, upgradeInput, WEB_AT } from './journal-fixtures.js';

const finding = (ruleId: string, message: string, severity: Finding['severity'] = 'error'): Finding => ({
  ruleId,
  severity,
  section: 'restart',
  message,
  ...WEB_AT,
});

describe('drill reports from their journal', () => {
  it('restart: a redone fault counts once, evidence and writes of every process count, the gap is on the timeline', () => {
    const events = resumedRestartJournal().events;
    const r = buildReport(events, '/runs/restart-1');
    assert.equal(r.status, 'failed');
    assert.equal(r.drillId, 'restart-1');
    assert.deepEqual(r.compose, { kind: 'v2', version: '2.26.1' });
    assert.deepEqual(
      r.faults.map((f) => [f.index, f.kind, f.ready]),
      [
        [0, 'restart', true],
        [1, 'reboot', true],
        [2, 'kill', false],
      ],
    );
    assert.deepEqual(r.faults[0]!.writes, { ok: 0, fail: 1, unknown: 1 }, "both processes' writes during the fault");
    assert.deepEqual(
      r.findings.map((f) => f.ruleId),
      ['drill-sigterm-ignored', 'drill-not-ready', 'drill-lost-writes'],
      'the first attempt of fault:1 is superseded',
    );
    assert.equal(r.check?.acknowledged, 10);
    assert.deepEqual(
      r.check?.lost.sort(),
      ['abc123-12', 'abc123-3', 'abc123-4', 'abc123-5', 'abc123-6', 'abc123-7', 'abc123-8'].sort(),
    );
    assert.deepEqual(r.check?.recovered, ['abc123-9']);
    assert.deepEqual(r.cleanup, { containers: 1, volumes: 1, networks: 1 });
    // The killed process journaled no timing: its wall time is the span of its events.
    assert.equal(r.timing.segments, 2);
    assert.equal(r.timing.wallMs, 6_400 + 8_000);
    assert.equal(r.timing.waitMs, 6_000);
    const gap = r.timeline.spans.find((s) => s.kind === 'gap');
    assert.deepEqual(gap && [gap.start, gap.end], [6.4, 10]);
    const first = r.timeline.spans.find((s) => s.kind === 'fault' && s.label.startsWith('fault 1'));
    assert.deepEqual(
      first && [first.start, first.injected, first.end, first.ok],
      [11, 12.2, 13, true],
      'the attempt that ended',
    );
    assert.equal(r.timeline.writes.length, 17, 'every second up to the last write, empty ones included');
    assert.deepEqual(r.timeline.writes[12], { t: 12, ok: 0, fail: 1, unknown: 0 });
    assert.deepEqual(r.timeline.writes[6], { t: 6, ok: 0, fail: 0, unknown: 1 });
  });

  it('is a pure function of the journal: the same bytes every time', () => {
    const events = resumedRestartJournal().events;
    const a = buildReport(events, '/runs/restart-1');
    const b = buildReport(structuredClone(events), '/runs/restart-1');
    assert.equal(JSON.stringify(a), JSON.stringify(b));
    assert.equal(renderRestartText(a), renderRestartText(b));
    assert.match(renderRestartText(a), /Result: FAILED/);
  });

  it('a run that has not ended reports status running', () => {
    const events = resumedRestartJournal().events.slice(0, 20);
    assert.equal(buildReport(events, '/runs/restart-1').status, 'running');
  });

  it('upgrade: steps in order with their outcome, a redone plan counts its diff once, not reached steps, the read checked', () => {
    const diff = [{ ...finding('volume-renamed', 'volume data renamed to store'), section: 'volumes' as const }];
    const b = new JournalBuilder()
      .add(0, {
        type: 'run-start',
        kind: 'drill-upgrade',
        version: 1,
        runId: 'upgrade-1',
        input: upgradeInput(true),
        steps: [],
      })
      .add(5, {
        type: 'drill-start',
        project: 'pf-upgrade-1',
        compose: { kind: 'v1', version: '1.29.2' },
        owner: 'h/1',
      })
      .stepStart(10, 'plan')
      .inStep('plan', 1, (s) => s.add(20, { type: 'diff', findings: diff }))
      .add(100, { type: 'resumed', fromStep: 'plan', pid: 2, host: 'h' })
      .stepRun(110, 'plan', (s) => s.add(120, { type: 'diff', findings: diff }), {
        ok: true,
        ms: 20,
        detail: '1 finding(s), 1 error(s)',
        attempt: 2,
      })
      .stepRun(200, 'start-old', () => {}, { ok: true, ms: 500, detail: 'ready (web 400ms)' });
    b.stepRun(800, 'seed', (s) => s.write(810, 1, 'ok').write(820, 2, 'ok'), {
      ok: true,
      ms: 50,
      detail: '2 write(s) acknowledged by OLD',
    })
      .stepRun(900, 'fingerprint', () => {}, { ok: true, ms: 100, detail: '1 volume(s)' })
      .stepRun(1_000, 'upgrade', () => {}, { ok: true, ms: 400, detail: 'NEW started' })
      .stepRun(
        1_500,
        'verify',
        (s) =>
          s.add(1_600, { type: 'read', phase: 'verify', ok: true, ids: ['abc123-1'] }).add(1_700, {
            type: 'finding',
            finding: finding('drill-lost-writes', '1 of 2 acknowledged writes were not read back'),
          }),
        { ok: false, ms: 300, detail: '1 of 2 acknowledged writes read back, 1 lost' },
      )
      .stepRun(1_900, 'rollback', () => {}, { ok: true, ms: 0, detail: '', skipped: true })
      .stepRun(2_000, 'checks', () => {}, { ok: true, ms: 1 })
      .stepRun(2_100, 'teardown', (s) => s.add(2_150, { type: 'cleanup', containers: 1, volumes: 1, networks: 1 }), {
        ok: true,
        ms: 60,
      })
      .add(2_200, { type: 'timing', wallMs: 2_100, waitMs: 1_500 })
      .add(2_300, { type: 'run-end', status: 'failed' });
    const r = buildUpgradeReport(b.events, '/runs/upgrade-1');
    assert.deepEqual(
      r.steps.map((s) => [s.step, s.status]),
      [
        ['plan', 'ok'],
        ['start-old', 'ok'],
        ['seed', 'ok'],
        ['fingerprint', 'ok'],
        ['upgrade', 'ok'],
        ['verify', 'failed'],
        ['rollback', 'not reached'],
      ],
    );
    assert.deepEqual(r.stoppedAt, { step: 'verify', detail: '1 of 2 acknowledged writes read back, 1 lost' });
    assert.equal(r.diff.length, 1, 'the diff of the redone plan counts once');
    assert.equal(r.check?.lost.length, 1);
    assert.equal(r.rollbackCheck, undefined);
    assert.deepEqual(r.from, { dir: '/work/old', files: ['old/compose.yaml'] });
    assert.equal(r.timeline.spans.filter((s) => s.kind === 'step').length, 6, 'one span per step that ran');
    assert.equal(r.timeline.spans.filter((s) => s.kind === 'gap').length, 1);
    assert.match(renderUpgradeText(r), /stopped at step "verify"/);
    assert.match(renderUpgradeText(r), /· 7\. rollback {4}not reached/);
  });
});
