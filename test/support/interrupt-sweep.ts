import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { Engine } from '../../src/docker/engine.js';
import { DRILL_LABEL, OWNER_LABEL } from '../../src/docker/labels.js';
import { seededRandom } from '../../src/drills/faults.js';
import { isEngineEvent, readRun } from '../../src/steps/index.js';
import { goodRestartArgs, scratch, spawnDrillCli } from '../drills/helpers.js';

/**
 * Issue 11's interrupt sweep for the drills: a restart drill of the good test app is interrupted
 * at a random moment (seeded) by SIGINT or SIGKILL. After SIGINT the drill must have removed
 * everything itself and ended its journal as interrupted; after SIGKILL, `drill clean` (or, every
 * other trial, `drill resume`, which must finish the run) must leave nothing. Leftovers are what
 * carries the trial's drill id or the killed process as owner. Used by `npm run sweep:drills`
 * (scripts/sweep-drills.ts) and, as a small slice, by test/drills/interrupt-sweep.test.ts.
 */
const FAULTS = 'restart,kill-all';
/** A run that does not stop this long after its signal hangs: a failure of its own. */
const EXIT_DEADLINE_MS = 120_000;

export interface SweepOptions {
  /** Trials per signal. */
  trials: number;
  seed: string;
  /**
   * One trial in eight is signalled during start-up, after a delay drawn from [0, startupMs); the
   * others once the journal holds a number of lines drawn from [1, the lines of a whole run], so
   * the moments spread over the whole run however fast the machine is.
   */
  startupMs?: number;
  /** Trials per signal when not `trials` for each (the npm test slice runs one SIGINT, two SIGKILLs). */
  counts?: { SIGINT: number; SIGKILL: number };
  log?: (line: string) => void;
}

/**
 * When a trial sends its signal: after a delay, once the run's journal has this many lines, or once
 * it has this many lines after the start of a step (a step a random line rarely lands in, such as
 * the short teardown).
 */
export type InterruptPoint = { afterMs: number } | { afterLines: number } | { inStep: string; afterLines: number };

export interface TrialResult {
  signal: 'SIGINT' | 'SIGKILL';
  point: InterruptPoint;
  /** What the signal interrupted: a step id, `starting` (no journal yet), or `finished` (it came too late). */
  at: string;
  exit: { code: number | null; signal: string | null };
  /** After SIGKILL: what ran next. */
  after?: 'clean' | 'resume' | 'resume refused, then clean';
  /** Resources of the trial left once the run (SIGINT) or the follow-up (SIGKILL) was over. */
  leftovers: number;
  /** The run's journal has a run-end (false also when no run directory was made yet). */
  ended: boolean;
  /** Something went wrong beyond leftovers (a hang, an unexpected exit code, a refused resume). */
  problem?: string;
}

export interface SweepSummary {
  signal: string;
  trials: number;
  leftovers: number;
  unended: number;
  problems: number;
  at: Record<string, number>;
}

const run = spawnDrillCli;

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Containers, volumes and networks of a drill id, or owned by a pid (a run killed before it had an id on disk). */
async function leftoversOf(pid: number, drillId: string | undefined): Promise<number> {
  const engine = new Engine();
  const filters = [[`${OWNER_LABEL}=${hostname()}/${pid}`], ...(drillId ? [[`${DRILL_LABEL}=${drillId}`]] : [])];
  const found = new Set<string>();
  for (const labels of filters) {
    for (const id of await engine.containerIds(labels)) found.add(`c:${id}`);
    for (const v of await engine.volumes(labels)) found.add(`v:${v.Name}`);
    for (const n of await engine.networks(labels)) found.add(`n:${n.ID}`);
  }
  return found.size;
}

function stepInProgress(runDir: string | undefined): string {
  if (!runDir || !existsSync(join(runDir, 'journal.jsonl'))) return 'starting';
  try {
    const r = readRun(runDir);
    if (r.end)
      return r.end.error?.startsWith('SIG') || r.end.status === 'interrupted' ? lastStarted(r.events) : 'finished';
    return lastStarted(r.events);
  } catch {
    return 'starting';
  }
}

function lastStarted(events: readonly { type: string }[]): string {
  const s = events.filter((e) => isEngineEvent(e, 'step-start')).at(-1);
  return s && isEngineEvent(s, 'step-start') ? s.id : 'run-start';
}

/** Lines in the run's journal so far (0 before it exists), or only those from the start of a step on. */
function journalLines(runDir: string | undefined, fromStep?: string): number {
  const path = runDir && join(runDir, 'journal.jsonl');
  if (!path || !existsSync(path)) return 0;
  const text = readFileSync(path, 'utf8');
  if (fromStep === undefined) return text.split('\n').length - 1;
  const start = text.indexOf(`"type":"step-start","id":${JSON.stringify(fromStep)}`);
  return start < 0 ? 0 : text.slice(start).split('\n').length - 1;
}

export async function runTrial(
  signal: 'SIGINT' | 'SIGKILL',
  point: InterruptPoint,
  n: number,
  /** After SIGKILL: `drill clean`, or `drill resume` (which must finish the run). */
  followUp: 'clean' | 'resume' = 'clean',
): Promise<TrialResult> {
  const runRoot = mkdtempSync(join(scratch, `sweep-${n}-`));
  const p = run(await goodRestartArgs(runRoot, '--faults', FAULTS, '--seed', `sweep-${n}`, '--quiet'));
  const pid = p.child.pid!;
  const runDirNow = () => {
    const ids = existsSync(runRoot) ? readdirSync(runRoot) : [];
    return ids.length ? join(runRoot, ids[0]!) : undefined;
  };
  let exited = false;
  const reached = async () => {
    if ('afterMs' in point) return sleep(point.afterMs);
    const step = 'inStep' in point ? point.inStep : undefined;
    while (!exited && journalLines(runDirNow(), step) < point.afterLines) await sleep(20);
  };
  const early = await Promise.race([p.exit.then(() => (exited = true)), reached().then(() => exited)]);
  if (!early) p.child.kill(signal);
  const hang = sleep(EXIT_DEADLINE_MS).then(() => 'hang' as const);
  let exit = await Promise.race([p.exit, hang]);
  let problem: string | undefined;
  if (exit === 'hang') {
    problem = `still running ${EXIT_DEADLINE_MS / 1000} s after ${signal}`;
    p.child.kill('SIGKILL');
    exit = await p.exit;
  }
  const runDir = runDirNow();
  const drillId = runDir?.split('/').pop();
  const at = early ? 'finished' : stepInProgress(runDir);
  const result: TrialResult = { signal, point, at, exit, leftovers: 0, ended: false };
  // Before the run exists (Node loading, the project read) and after it closed (the process on its
  // way out) nothing handles SIGINT: it simply ends the process, which is what a shell expects. A
  // signal after the last step ended interrupts nothing: the run ends as it would have (exit 0 or 1).
  const finished = at === 'finished' && (exit.signal === 'SIGINT' || exit.code === 0 || exit.code === 1);
  const sigintOk = exit.code === 130 || (at === 'starting' && exit.signal === 'SIGINT') || finished;
  if (signal === 'SIGINT' && !early && !problem && !sigintOk)
    problem = `exit ${exit.code ?? exit.signal} after SIGINT (expected 130)`;
  if (signal === 'SIGKILL' && !early) {
    const resume = followUp === 'resume' && drillId !== undefined;
    if (resume) {
      const r = run(['drill', 'resume', drillId!, '--run-dir', runRoot, '--quiet']);
      const e = await r.exit;
      if (e.code === 0 || e.code === 1) result.after = 'resume';
      else {
        result.after = 'resume refused, then clean';
        // Killed before the run had a journal with its first step, say: then clean is the way.
        if (!/^preflight: (cannot resume|not a run directory|the journal does not begin)/.test(r.stderr()))
          problem ??= `resume exited ${e.code}: ${r.stderr().trim().split('\n')[0]}`;
      }
    }
    if (result.after !== 'resume') {
      result.after ??= 'clean';
      const c = run(['drill', 'clean', '--run-dir', runRoot]);
      const e = await c.exit;
      if (e.code !== 0) problem ??= `drill clean exited ${e.code}: ${c.stderr().trim()}`;
    }
  }
  result.leftovers = await leftoversOf(pid, drillId);
  result.ended = runDir ? safeEnded(runDir) : false;
  if (problem) result.problem = problem;
  return result;
}

function safeEnded(runDir: string): boolean {
  try {
    return !!readRun(runDir).end;
  } catch {
    return false;
  }
}

/** A whole run, uninterrupted: how many journal lines a run has (and it too must leave nothing). */
async function calibrate(): Promise<{ lines: number; leftovers: number; code: number | null }> {
  const runRoot = mkdtempSync(join(scratch, 'sweep-calibration-'));
  const p = run(await goodRestartArgs(runRoot, '--faults', FAULTS, '--seed', 'calibration', '--quiet'));
  const { code } = await p.exit;
  const [id] = readdirSync(runRoot);
  return {
    lines: journalLines(id ? join(runRoot, id) : undefined),
    leftovers: await leftoversOf(p.child.pid!, id),
    code,
  };
}

export async function sweepDrills(
  opts: SweepOptions,
): Promise<{ trials: TrialResult[]; summary: SweepSummary[]; calibration: { lines: number; leftovers: number } }> {
  const rand = seededRandom(opts.seed);
  const startupMs = opts.startupMs ?? 4_000;
  const counts = opts.counts ?? { SIGINT: opts.trials, SIGKILL: opts.trials };
  const signals = (['SIGINT', 'SIGKILL'] as const).filter((sig) => counts[sig] > 0);
  const cal = await calibrate();
  if (cal.code !== 0) throw new Error(`the uninterrupted calibration run exited ${cal.code}`);
  opts.log?.(`  0 calibration: a whole run journals ${cal.lines} lines, ${cal.leftovers} left`);
  const trials: TrialResult[] = [];
  let n = 0;
  // Interleaved, so a slice of the sweep covers both signals.
  for (let i = 0; i < Math.max(counts.SIGINT, counts.SIGKILL); i++)
    for (const signal of signals) {
      if (i >= counts[signal]) continue;
      const r = rand();
      const point: InterruptPoint =
        rand() < 1 / 8 ? { afterMs: Math.round(r * startupMs) } : { afterLines: 1 + Math.floor(r * cal.lines) };
      // Every other killed run is resumed (it must finish and clean up after itself), the others cleaned.
      const t = await runTrial(signal, point, n++, i % 2 ? 'resume' : 'clean');
      trials.push(t);
      const when = 'afterMs' in point ? `${point.afterMs} ms` : `line ${point.afterLines}`;
      opts.log?.(
        `${String(trials.length).padStart(3)} ${signal.padEnd(7)} at ${when.padStart(9)} (${t.at.padEnd(11)}) exit ${t.exit.code ?? t.exit.signal}${t.after ? `, then ${t.after}` : ''}: ${t.leftovers} left, journal ${t.ended ? 'ended' : 'NOT ended'}${t.problem ? ` — ${t.problem}` : ''}`,
      );
    }
  const summary = signals.map((signal) => {
    const mine = trials.filter((t) => t.signal === signal);
    const at: Record<string, number> = {};
    for (const t of mine) at[t.at] = (at[t.at] ?? 0) + 1;
    return {
      signal,
      trials: mine.length,
      leftovers: mine.reduce((s, t) => s + t.leftovers, 0),
      // A trial that never made a run directory has no journal to end.
      unended: mine.filter((t) => !t.ended && t.at !== 'starting').length,
      problems: mine.filter((t) => t.problem).length,
      at,
    };
  });
  return { trials, summary, calibration: { lines: cal.lines, leftovers: cal.leftovers } };
}
