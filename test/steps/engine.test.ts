import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import {
  eventsOfLatestAttempts,
  isEngineEvent,
  JOURNAL_FILE,
  KILL_HOOK_ENV,
  LOCK_FILE,
  listRunDirs,
  readRun,
  resolveRunDir,
  resumeRun,
  segmentsOf,
  startRun,
} from '../../src/steps/index.js';
import { InputError } from '../../src/util/errors.js';
import { effectsOf, type ToyInput, toyReport, toyRun } from './toy.js';

const CLI = join(dirname(fileURLToPath(import.meta.url)), 'toy-cli.ts');
const scratch = mkdtempSync(join(tmpdir(), 'pf-steps-test-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

let n = 0;
function fresh(steps: ToyInput['steps'], extra: Partial<ToyInput> = {}): { root: string; input: ToyInput } {
  const root = mkdtempSync(join(scratch, 'root-'));
  return { root, input: { steps, effects: join(root, `effects-${++n}.txt`), ...extra } };
}

const ABCD: ToyInput['steps'] = [{ id: 'a' }, { id: 'b' }, { id: 'c' }, { id: 'd', always: true }];

/** The toy CLI in a child process; resolves with its exit code or signal. */
function child(args: string[], env: Record<string, string> = {}) {
  const p = spawn(process.execPath, ['--import', 'tsx', '--', CLI, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  p.stdout.on('data', (b: Buffer) => (out += b));
  p.stderr.on('data', (b: Buffer) => (err += b));
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; out: string; err: string }>(
    (resolve) => p.on('close', (code, signal) => resolve({ code, signal, out, err })),
  );
  return { p, done };
}

describe('step engine: a run in one process', () => {
  it('journals run-start, each step with its events, close, run-end; seq without gaps; the lock is gone', async () => {
    const { root, input } = fresh(ABCD);
    const r = await startRun(toyRun, input, { runRoot: root, runId: 'toy-1' });
    assert.equal(r.outcome.status, 'passed');
    assert.deepEqual(effectsOf(input.effects), ['a', 'b', 'c', 'd']);
    const run = readRun(r.runDir);
    assert.deepEqual(
      run.events.map((e) => e.seq),
      run.events.map((_, i) => i + 1),
    );
    assert.deepEqual(
      run.events.map((e) => `${e.type}${'id' in e ? ` ${e.id}` : ''}`),
      [
        'run-start',
        ...['a', 'b', 'c', 'd'].flatMap((id) => [`step-start ${id}`, `applied ${id}`, `step-end ${id}`]),
        'closed',
        'run-end',
      ],
    );
    const applied = run.events.find((e) => e.type === 'applied')!;
    assert.equal(applied.step, 'a', 'an event emitted in a step carries its id and attempt');
    assert.equal(applied.attempt, 1);
    assert.equal(run.start.runId, 'toy-1');
    assert.deepEqual(run.start.input, input);
    assert.equal(existsSync(join(r.runDir, LOCK_FILE)), false);
    assert.deepEqual(r.state.closes, ['passed']);
  });

  it('a failure with stop skips the steps that are not `always`; the run fails', async () => {
    const { root, input } = fresh([{ id: 'a' }, { id: 'b', fail: 'stop' }, { id: 'c' }, { id: 'd', always: true }]);
    const r = await startRun(toyRun, { ...input }, { runRoot: root });
    assert.deepEqual(effectsOf(input.effects), ['a', 'b', 'd']);
    const ends = readRun(r.runDir).events.filter((e) => isEngineEvent(e, 'step-end'));
    assert.deepEqual(
      ends.map((e) => [e.id, e.ok, e.skipped ?? false, e.stop ?? false]),
      [
        ['a', true, false, false],
        ['b', false, false, true],
        ['c', true, true, false],
        ['d', true, false, false],
      ],
    );
    assert.equal(r.outcome.status, 'passed', "the definition's status() decides (toy: passed once anything applied)");
  });

  it('a step that throws ends the run with status error: masked one-line message, no later step, close told', async () => {
    const { root, input } = fresh([{ id: 'a' }, { id: 'b', fail: 'throw' }, { id: 'c', always: true }]);
    const r = await startRun(toyRun, input, { runRoot: root });
    assert.equal(r.outcome.status, 'error');
    assert.equal(r.outcome.error, 'step b <masked> up');
    assert.match(String((r.cause as Error).message), /blew up/);
    assert.deepEqual(effectsOf(input.effects), ['a']);
    const run = readRun(r.runDir);
    assert.deepEqual(run.end && [run.end.status, run.end.error], ['error', 'step b <masked> up']);
    const b = run.events.find((e) => e.type === 'step-end' && e.id === 'b');
    assert.equal(b?.type === 'step-end' && b.error, true);
    assert.deepEqual(r.state.closes, ['error']);
  });

  it('an external abort stops the running step: no step-end for it, close told, run-end aborted', async () => {
    const { root, input } = fresh([{ id: 'a' }, { id: 'b', waitMs: 60_000 }, { id: 'c' }]);
    const ac = new AbortController();
    const running = startRun(toyRun, input, { runRoot: root, signal: ac.signal });
    while (!effectsOf(input.effects).includes('a')) await new Promise((r) => setTimeout(r, 20));
    ac.abort();
    const r = await running;
    assert.equal(r.outcome.status, 'aborted');
    const run = readRun(r.runDir);
    assert.equal(
      run.events.some((e) => e.type === 'step-end' && e.id === 'b'),
      false,
    );
    assert.deepEqual(r.state.closes, ['aborted']);
  });

  it('refuses a plan with a duplicate step id before creating anything', async () => {
    const { root, input } = fresh([{ id: 'a' }, { id: 'a' }]);
    await assert.rejects(startRun(toyRun, input, { runRoot: root }), /step id "a" is declared twice/);
    assert.deepEqual(listRunDirs(root), []);
  });
});

describe('step engine: lock', () => {
  it('a live holder is refused with its pid, host and start; the journal is untouched', async () => {
    const { root, input } = fresh([{ id: 'a' }, { id: 'b', waitMs: 60_000 }]);
    const c = child(['start', root, 'held', JSON.stringify(input)]);
    const runDir = join(root, 'held');
    const journal = join(runDir, JOURNAL_FILE);
    while (!existsSync(journal) || !readFileSync(journal, 'utf8').includes('"type":"step-start","id":"b"'))
      await new Promise((r) => setTimeout(r, 20));
    const before = readFileSync(join(runDir, JOURNAL_FILE), 'utf8');
    await assert.rejects(
      resumeRun(toyRun, runDir),
      (e: unknown) =>
        e instanceof InputError &&
        e.message ===
          `run held is driven by pid ${c.p.pid} on host ${hostname()} since ${readRun(runDir).lock!.startedAt}`,
    );
    assert.equal(readFileSync(join(runDir, JOURNAL_FILE), 'utf8'), before);
    c.p.kill('SIGINT');
    const end = await c.done;
    assert.equal(end.code, 130, end.err);
    assert.equal(readRun(runDir).end?.status, 'interrupted');
    assert.equal(existsSync(join(runDir, LOCK_FILE)), false, 'released on SIGINT');
  });

  it('a stale holder (same host, pid gone) is taken over, and the journal says so', async () => {
    const { root, input } = fresh(ABCD);
    const c = child(['start', root, 'stale', JSON.stringify(input)], { [KILL_HOOK_ENV]: 'step-end:2' });
    const killed = await c.done;
    assert.equal(killed.signal, 'SIGKILL');
    const runDir = join(root, 'stale');
    assert.equal(readRun(runDir).lock?.pid, c.p.pid, 'SIGKILL leaves the lock behind');
    const r = await resumeRun(toyRun, runDir);
    assert.equal(r.outcome.status, 'passed');
    const taken = readRun(runDir).events.find((e) => isEngineEvent(e, 'lock-taken-over'));
    assert.equal(taken && isEngineEvent(taken, 'lock-taken-over') && taken.from.pid, c.p.pid);
    assert.deepEqual(effectsOf(input.effects), ['a', 'b', 'c', 'd']);
  });
});

describe('step engine: resume', () => {
  it('SIGKILLed at every step boundary and resumed each time: same report and state as an uninterrupted run, no effect twice', async () => {
    const steps: ToyInput['steps'] = [{ id: 'a' }, { id: 'b' }, { id: 'c', fail: 'soft' }, { id: 'd', always: true }];
    const ref = fresh(steps);
    const reference = await startRun(toyRun, ref.input, { runRoot: ref.root, runId: 'run' });

    // b's effect lands but the process dies before journaling it: resume must find it in the world.
    const { root, input } = fresh(steps, { killAfterEffectOf: 'b' });
    const runDir = join(root, 'run');
    const kills = ['run-start:1', 'resumed:1', 'step-start:1', 'step-end:1'];
    let last = await child(['start', root, 'run', JSON.stringify(input)], { [KILL_HOOK_ENV]: kills[0]! }).done;
    let processes = 1;
    for (let i = 1; last.signal === 'SIGKILL'; i++) {
      assert.ok(processes < 30, 'the run makes progress between kills');
      const at = i === 1 ? kills[1]! : kills[2 + (i % 2)]!;
      last = await child(['resume', runDir], { [KILL_HOOK_ENV]: at }).done;
      processes++;
    }
    assert.equal(last.code, 0, last.err);
    assert.ok(processes >= 2 * steps.length, `killed at each boundary (${processes} processes)`);

    assert.deepEqual(effectsOf(input.effects), ['a', 'b', 'c', 'd'], 'each effect exactly once');
    const run = readRun(runDir);
    const refRun = readRun(reference.runDir);
    assert.deepEqual(toyReport(run.events), toyReport(refRun.events));
    const fold = (events: typeof run.events) => {
      let s = toyRun.initial(input);
      for (const e of events) s = toyRun.reduce(s, e as never);
      return s;
    };
    assert.deepEqual(fold(run.events), fold(refRun.events));
    assert.equal(run.end?.status, reference.outcome.status);
    assert.ok(run.events.filter((e) => e.type === 'resumed').length >= processes - 1);
    assert.ok(segmentsOf(run.events).length === processes);
  });

  it('a torn last line is left as one unreadable line and the run resumes after it', async () => {
    const { root, input } = fresh(ABCD);
    const c = await child(['start', root, 'torn', JSON.stringify(input)], { [KILL_HOOK_ENV]: 'step-end:1' }).done;
    assert.equal(c.signal, 'SIGKILL');
    const runDir = join(root, 'torn');
    appendFileSync(join(runDir, JOURNAL_FILE), '{"seq":99,"t":1,"type":"appl');
    assert.equal(readRun(runDir).unreadable, 1);
    const r = await resumeRun(toyRun, runDir);
    assert.equal(r.outcome.status, 'passed');
    const run = readRun(runDir);
    assert.equal(run.unreadable, 1);
    assert.deepEqual(effectsOf(input.effects), ['a', 'b', 'c', 'd']);
    const seqs = run.events.map((e) => e.seq);
    assert.deepEqual(
      seqs,
      seqs.map((_, i) => i + 1),
      'seq continues from the last readable event',
    );
  });

  it('refuses, with the reason and without writing, a run that ended, another kind, another version, or a changed world', async () => {
    const { root, input } = fresh(ABCD);
    const done = await startRun(toyRun, input, { runRoot: root, runId: 'ended' });
    await assert.rejects(resumeRun(toyRun, done.runDir), /cannot resume run ended: it already ended \(passed\)/);
    await assert.rejects(
      resumeRun({ ...toyRun, kind: 'other' }, done.runDir),
      /cannot resume run ended: it is a toy run, not other/,
    );
    await assert.rejects(
      resumeRun({ ...toyRun, version: 2 }, done.runDir),
      /its journal has format version 1; this Preflight reads version 2/,
    );

    const killed = fresh(ABCD, { refuse: 'container web is gone' });
    await child(['start', killed.root, 'k', JSON.stringify(killed.input)], { [KILL_HOOK_ENV]: 'step-end:1' }).done;
    const runDir = join(killed.root, 'k');
    const before = readFileSync(join(runDir, JOURNAL_FILE), 'utf8');
    await assert.rejects(
      resumeRun(toyRun, runDir),
      (e: unknown) => e instanceof InputError && e.message === 'cannot resume run k: container web is gone',
    );
    assert.equal(readFileSync(join(runDir, JOURNAL_FILE), 'utf8'), before, 'nothing appended');
    assert.equal(readRun(runDir).lock, undefined, 'the lock taken over from the dead holder is released');

    const empty = mkdtempSync(join(scratch, 'empty-'));
    await assert.rejects(resumeRun(toyRun, empty), /not a run directory: no journal\.jsonl in/);
    writeFileSync(join(empty, JOURNAL_FILE), '{"seq":1,"t":1,"type":"applied"}\n');
    await assert.rejects(resumeRun(toyRun, empty), /does not begin with run-start/);
  });

  it('RUN is a run directory or a run id under the run root', async () => {
    const { root, input } = fresh([{ id: 'a' }]);
    const r = await startRun(toyRun, input, { runRoot: root, runId: 'toy-x' });
    assert.equal(resolveRunDir(r.runDir, '/nowhere'), r.runDir);
    assert.equal(resolveRunDir('toy-x', root), r.runDir);
    assert.throws(() => resolveRunDir('toy-y', root), /no run "toy-y": not a run directory, and no run of that id in /);
    assert.throws(() => resolveRunDir('../toy-x', join(root, 'sub')), /no run "\.\.\/toy-x"/);
    assert.deepEqual(listRunDirs(root), [r.runDir]);
  });
});

describe('step engine: replay helpers', () => {
  it('keeps only the latest attempt of each step for conclusions', () => {
    const ev = (seq: number, type: string, step?: string, attempt?: number) => ({
      seq,
      t: 0,
      type,
      ...(step ? { step, attempt } : {}),
    });
    const events = [ev(1, 'x'), ev(2, 'finding', 'a', 1), ev(3, 'finding', 'a', 2), ev(4, 'finding', 'b', 1)];
    assert.deepEqual(
      eventsOfLatestAttempts(events).map((e) => e.seq),
      [1, 3, 4],
    );
  });
});
