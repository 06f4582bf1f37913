import type { Finding } from '../../src/findings/types.js';
import type { HistoryOp } from '../../src/drills/history.js';
import type { RestartDrillInput } from '../../src/drills/journal.js';
import type { UpgradeDrillInput } from '../../src/drills/upgrade/state.js';
import type { Journaled } from '../../src/steps/index.js';

/**
 * Journals as the drills write them (the same event shapes, in the order a run appends them), for
 * tests of what is built from a journal: the reports, their timelines, the HTML page. Times are
 * milliseconds from T0; each builder call appends one line.
 */
export const T0 = Date.UTC(2026, 11, 1, 9, 0, 0);

export class JournalBuilder {
  readonly events: Journaled<{ type: string; [k: string]: unknown }>[] = [];
  private step?: { step: string; attempt: number };

  add(ms: number, event: { type: string; [k: string]: unknown }): this {
    this.events.push({ seq: this.events.length + 1, t: T0 + ms, ...event, ...(this.step ?? {}) });
    return this;
  }

  /** step-start, the events `body` adds (stamped with the step), step-end. */
  stepRun(
    ms: number,
    id: string,
    body: (b: this) => void,
    end: { ok: boolean; detail?: string; ms: number; attempt?: number; skipped?: boolean },
  ): this {
    const attempt = end.attempt ?? 1;
    this.add(ms, { type: 'step-start', id, attempt });
    this.step = { step: id, attempt };
    body(this);
    this.step = undefined;
    return this.add(ms + end.ms, {
      type: 'step-end',
      id,
      ok: end.ok,
      ms: end.ms,
      ...(end.detail ? { detail: end.detail } : {}),
      ...(end.skipped ? { skipped: true } : {}),
    });
  }

  /** A step that started and never ended (the process died). */
  stepStart(ms: number, id: string, attempt = 1): this {
    return this.add(ms, { type: 'step-start', id, attempt });
  }

  inStep(id: string, attempt: number, body: (b: this) => void): this {
    this.step = { step: id, attempt };
    body(this);
    this.step = undefined;
    return this;
  }

  /** A write's invoke at `ms` and its completion `took` later. */
  write(ms: number, n: number, outcome: 'ok' | 'fail' | 'unknown', took = 5, fault?: number): this {
    const base = { f: 'add', value: `abc123-${n}` } as const;
    const op = (type: HistoryOp['type'], time: number): HistoryOp => ({
      ...base,
      type,
      time,
      ...(fault !== undefined ? { fault } : {}),
    });
    this.add(ms, { type: 'op', op: op('invoke', ms) });
    return this.add(ms + took, { type: 'op', op: op(outcome, ms + took) });
  }
}

export const WEB_AT: Pick<Finding, 'file' | 'line' | 'column' | 'service'> = {
  file: 'app/compose.yaml',
  line: 3,
  column: 3,
  service: 'web',
};

export function restartInput(plan: RestartDrillInput['plan']): RestartDrillInput {
  return {
    project: {
      target: { dir: '/work/app', files: ['/work/app/compose.yaml'], kind: 'compose' },
      cwd: '/work',
      strictRequired: true,
      fingerprint: { sources: { 'app/compose.yaml': '0'.repeat(64) }, envNames: ['PORT'] },
    },
    dir: '/work/app',
    files: ['app/compose.yaml'],
    seed: 's1',
    plan,
    services: ['web'],
    writeService: 'web',
  };
}

export function upgradeInput(rollback: boolean): UpgradeDrillInput {
  const ref = (dir: string) => ({
    target: { dir: `/work/${dir}`, files: [`/work/${dir}/compose.yaml`], kind: 'compose' as const },
    cwd: '/work',
    strictRequired: dir === 'old',
    fingerprint: { sources: {}, envNames: [] },
  });
  return {
    from: ref('old'),
    to: ref('new'),
    fromShown: { dir: '/work/old', files: ['old/compose.yaml'] },
    toShown: { dir: '/work/new', files: ['new/compose.yaml'] },
    rollback,
  };
}

const finding = (ruleId: string, message: string, severity: Finding['severity'] = 'error'): Finding => ({
  ruleId,
  severity,
  section: ruleId === 'drill-lost-writes' ? 'volumes' : 'restart',
  message,
  ...WEB_AT,
});

/** A restart drill killed in its first fault and resumed: the first attempt's conclusions must not count twice. */
export function resumedRestartJournal(): JournalBuilder {
  const plan = [
    { index: 0, kind: 'restart' as const, service: 'web' },
    { index: 1, kind: 'reboot' as const },
    { index: 2, kind: 'kill' as const, service: 'web' },
  ];
  const b = new JournalBuilder()
    .add(0, {
      type: 'run-start',
      kind: 'drill-restart',
      version: 1,
      runId: 'restart-1',
      input: restartInput(plan),
      steps: [],
    })
    .add(10, { type: 'drill-start', project: 'pf-restart-1', compose: { kind: 'v2', version: '2.26.1' }, owner: 'h/1' })
    .stepRun(20, 'start', (s) => s.add(900, { type: 'started', ready: true }), { ok: true, ms: 980 });
  for (let i = 0; i < 8; i++) b.write(1100 + i * 100, i + 1, 'ok');
  b.stepStart(2000, 'fault:1').inStep('fault:1', 1, (s) =>
    s
      .add(3000, { type: 'fault-start', index: 0, kind: 'restart', service: 'web' })
      .add(3500, { type: 'finding', finding: finding('drill-sigterm-ignored', 'web did not exit', 'warning') }),
  );
  b.write(3400, 9, 'unknown', 3000, 0).add(10_000, { type: 'resumed', fromStep: 'fault:1', pid: 2, host: 'h' });
  b.stepRun(
    10_100,
    'fault:1',
    (s) =>
      s
        .add(11_000, { type: 'fault-start', index: 0, kind: 'restart', service: 'web' })
        .add(12_200, { type: 'finding', finding: finding('drill-sigterm-ignored', 'web did not exit', 'warning') })
        .add(13_000, {
          type: 'fault-end',
          index: 0,
          kind: 'restart',
          service: 'web',
          injectMs: 1200,
          recoverMs: 800,
          ready: true,
        }),
    { ok: true, ms: 2900, attempt: 2 },
  );
  b.write(12_000, 10, 'fail', 10, 0).write(13_100, 11, 'ok');
  b.stepRun(
    13_200,
    'fault:2',
    (s) =>
      s
        .add(14_000, { type: 'fault-start', index: 1, kind: 'reboot' })
        .add(14_500, { type: 'outside-volume', service: 'web', paths: ['/var/lib/app/items.log'] })
        .add(16_000, { type: 'fault-end', index: 1, kind: 'reboot', injectMs: 1500, recoverMs: 500, ready: true }),
    { ok: true, ms: 2900 },
  );
  b.write(16_100, 12, 'ok');
  b.stepRun(
    16_200,
    'fault:3',
    (s) =>
      s
        .add(17_000, { type: 'fault-start', index: 2, kind: 'kill', service: 'web' })
        .add(18_000, { type: 'finding', finding: finding('drill-not-ready', 'web was not ready again') })
        .add(18_100, {
          type: 'fault-end',
          index: 2,
          kind: 'kill',
          service: 'web',
          injectMs: 100,
          recoverMs: 1000,
          ready: false,
          notReady: ['web'],
        }),
    { ok: false, ms: 1900, detail: 'not ready: web' },
  );
  b.stepRun(
    18_200,
    'final-read',
    (s) => s.add(18_300, { type: 'final-read', ok: true, ids: ['abc123-1', 'abc123-2', 'abc123-9', 'abc123-11'] }),
    { ok: true, ms: 100 },
  );
  b.stepRun(
    18_400,
    'checks',
    (s) =>
      s.add(18_500, {
        type: 'finding',
        finding: finding('drill-lost-writes', '6 of 10 acknowledged writes were not read back'),
      }),
    { ok: true, ms: 100 },
  );
  b.stepRun(18_600, 'teardown', (s) => s.add(18_700, { type: 'cleanup', containers: 1, volumes: 1, networks: 1 }), {
    ok: true,
    ms: 100,
  });
  return b
    .add(18_800, { type: 'timing', wallMs: 8_000, waitMs: 6_000 })
    .add(18_900, { type: 'run-end', status: 'failed' });
}
