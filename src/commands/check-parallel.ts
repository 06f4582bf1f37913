/**
 * `check` of many projects on several threads (`check -r --concurrency`), as ESLint's `--concurrency`
 * lints files on worker threads. Each thread claims the next unchecked target from one shared counter,
 * so a thread that starts late (a worker needs ~70 ms to start and load the code) or meets a large
 * project simply checks fewer; the report is assembled from the outcomes in target order, so it is
 * the same, byte for byte, as a run on one thread (test/commands/check-parallel.test.ts).
 *
 * Projects never cross threads (their parsed YAML is not plain data); a worker sends each outcome
 * without its project, plus what the command needs of the project: its input files and, for reports
 * with code excerpts, its source texts already masked. A target a worker did not report (it failed to
 * start, crashed, or met an error that is not an input error) is checked again on the main thread, so
 * a failure there is the same failure as without workers. docs/decisions.md "check -r on two threads".
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { DiscoveredProject } from '../compose/discover.js';
import type { Project } from '../compose/project.js';
import type { Report } from '../findings/types.js';
import type { MaskedSources } from '../report/excerpt.js';
import {
  assembleReport,
  checkContext,
  checkTarget,
  resolveCheckTargets,
  type CheckOptions,
  type TargetOutcome,
} from './check.js';
import { maskedSources, projectInputs } from './sources.js';

/** Threads in all (the main one included), `auto`, or `off` (one thread). */
export type Concurrency = number | 'auto' | 'off';

/** The job a worker thread is sent (structured-cloned); it may be started before there is one. */
export interface CheckWorkerJob {
  targets: DiscoveredProject[];
  options: CheckOptions;
  /** Int32Array over it: the index of the next target to claim. */
  next: SharedArrayBuffer;
  excerpts: boolean;
}

export type StartCheckWorker = () => Worker;

export interface ParallelCheckOptions {
  concurrency?: Concurrency;
  /** The report shows code excerpts (text, HTML): workers send their projects' sources masked. */
  excerpts?: boolean;
  /**
   * Starts a worker thread that runs `runCheckJob` on the job it is sent (the CLI's runs the bundle
   * with its code cache, src/launcher/check-worker.ts); by default commands/check-worker.js.
   */
  startWorker?: StartCheckWorker;
  /**
   * false: the calling thread only waits and every thread counted is a worker (a caller that keeps its
   * thread free; the tests, which must see every target sent through a worker). Default true.
   */
  mainThreadChecks?: boolean;
}

export interface CheckRun {
  report: Report;
  /** The projects' source texts for code excerpts, masked. */
  sources: MaskedSources;
  /** Every file the projects were read from, absolute: what the report must never replace. */
  inputs: string[];
  /** Threads the run used. */
  threads: number;
  /** How many targets worker threads checked (the others were checked on the calling thread). */
  checkedByWorkers: number;
}

/** A worker's report of one target it checked. */
interface WorkerOutcome {
  index: number;
  outcome: TargetOutcome;
  inputs: string[];
  sourceFiles: string[];
  masked: [string, string][];
}

/** A worker's report of one target: checked, or failed (checked again on the main thread). */
export type WorkerResult = WorkerOutcome | { index: number; failed: true };

/**
 * `auto`: below this many projects per thread a worker costs more than it saves (it starts in ~70 ms
 * and checks a project in ~4 ms once warm; measured on the corpus, docs/decisions.md).
 */
const MIN_TARGETS_PER_THREAD = 16;
/** A bound on `--concurrency N`: each thread holds a copy of the code and its own heap. */
export const MAX_THREADS = 16;

/** The threads a run of `targets` projects uses. */
export function threadCount(concurrency: Concurrency, targets: number, cores = availableParallelism()): number {
  if (concurrency === 'off') return 1;
  const wanted = concurrency === 'auto' ? Math.floor(targets / MIN_TARGETS_PER_THREAD) : concurrency;
  const cap = concurrency === 'auto' ? cores : MAX_THREADS;
  return Math.max(1, Math.min(wanted, cap, targets));
}

/**
 * Checks the targets of `paths` as `checkDetailed` does, on up to `concurrency` threads. Runs on this
 * thread alone when one is enough, or when the options hold what cannot be sent to a thread (standard
 * input, an overlay of edited texts, rule objects or a catalogue).
 */
export async function checkInParallel(
  paths: string[],
  options: CheckOptions = {},
  parallel: ParallelCheckOptions = {},
): Promise<CheckRun> {
  const targets = resolveCheckTargets(paths, options);
  const sendable = !options.stdin && !options.overlay && !options.rules && !options.catalogue;
  const threads = sendable ? threadCount(parallel.concurrency ?? 'auto', targets.length) : 1;
  const context = checkContext(targets, options);
  const outcomes: (TargetOutcome | undefined)[] = new Array(targets.length);
  const remote = new Map<number, WorkerOutcome>();
  const next = new Int32Array(new SharedArrayBuffer(4));
  const workers: Promise<WorkerResult[]>[] = [];
  if (threads > 1) {
    const job: CheckWorkerJob = {
      targets,
      options: { ...options, cwd: context.cwd },
      next: next.buffer as SharedArrayBuffer,
      excerpts: parallel.excerpts === true,
    };
    const start = parallel.startWorker ?? defaultStartWorker;
    const here = parallel.mainThreadChecks === false ? 0 : 1;
    for (let i = here; i < threads; i++) workers.push(runWorker(start, job));
  }
  if (threads === 1 || parallel.mainThreadChecks !== false)
    for (let i = Atomics.add(next, 0, 1); i < targets.length; i = Atomics.add(next, 0, 1))
      outcomes[i] = checkTarget(targets[i]!, context);
  for (const results of await Promise.all(workers)) for (const r of results) if ('outcome' in r) remote.set(r.index, r);
  for (let i = 0; i < targets.length; i++) {
    const r = remote.get(i);
    if (r) outcomes[i] = r.outcome;
    else outcomes[i] ??= checkTarget(targets[i]!, context);
  }
  const all = outcomes as TargetOutcome[];
  return {
    report: assembleReport(all, options),
    ...projectDigest(all, remote, context.cwd),
    threads,
    checkedByWorkers: remote.size,
  };
}

/** The message that gives a worker thread its job. */
export interface CheckWorkerMessage {
  job: CheckWorkerJob;
}

/**
 * The body of a worker thread (commands/check-worker.ts, launcher/check-worker.ts): checks targets until
 * none is left and returns what the worker sends back (`postMessage`). Once it is sent the worker is done:
 * the main thread does not wait for it to exit.
 */
export function runCheckJob(job: CheckWorkerJob): WorkerResult[] {
  const next = new Int32Array(job.next);
  const context = checkContext(job.targets, job.options);
  const results: WorkerResult[] = [];
  for (let i = Atomics.add(next, 0, 1); i < job.targets.length; i = Atomics.add(next, 0, 1)) {
    let outcome: TargetOutcome;
    try {
      outcome = checkTarget(job.targets[i]!, context);
    } catch {
      // Not an input error: the main thread checks this target again and fails as a one-thread run would.
      results.push({ index: i, failed: true });
      continue;
    }
    const { project, ...plain } = outcome;
    const sourceFiles = project ? [...project.sources.keys()] : [];
    const masked: [string, string][] = [];
    if (project && job.excerpts) {
      const sources = maskedSources([project]);
      for (const file of sourceFiles) {
        const text = sources.get(file);
        if (text !== undefined) masked.push([file, text]);
      }
    }
    const inputs = project ? projectInputs([project], context.cwd) : [];
    results.push({ index: i, outcome: plain, inputs, sourceFiles, masked });
  }
  return results;
}

/** A worker's results; none (its targets are checked again here) when it fails or exits without them. */
function runWorker(start: StartCheckWorker, job: CheckWorkerJob): Promise<WorkerResult[]> {
  return new Promise((resolve) => {
    let worker: Worker;
    try {
      worker = start();
      worker.postMessage({ job } satisfies CheckWorkerMessage);
    } catch {
      resolve([]);
      return;
    }
    // A worker that sent its results is done (it writes its code cache before): the process need not wait for it.
    worker.once('message', (results: WorkerResult[]) => {
      worker.unref();
      resolve(results);
    });
    worker.once('error', () => resolve([]));
    worker.once('exit', () => resolve([]));
  });
}

function defaultStartWorker(): Worker {
  return new Worker(new URL('./check-worker.js', import.meta.url));
}

/**
 * The masked sources and input files of the projects, those checked here and those a worker sent: a
 * file two projects read is masked as its first project (in target order) masks it, as in
 * `maskedSources` of all the projects.
 */
function projectDigest(
  outcomes: readonly TargetOutcome[],
  remote: ReadonlyMap<number, WorkerOutcome>,
  cwd: string,
): { sources: MaskedSources; inputs: string[] } {
  const owner = new Map<string, number>();
  const inputs = new Set<string>();
  const local = new Map<number, MaskedSources>();
  const remoteText = new Map<number, Map<string, string>>();
  outcomes.forEach((o, i) => {
    const r = remote.get(i);
    const files = r ? r.sourceFiles : [...(o.project?.sources.keys() ?? [])];
    for (const f of files) if (!owner.has(f)) owner.set(f, i);
    for (const f of r ? r.inputs : o.project ? projectInputs([o.project], cwd) : []) inputs.add(f);
    if (r) remoteText.set(i, new Map(r.masked));
  });
  const masker = (i: number, project: Project) => {
    let m = local.get(i);
    if (!m) local.set(i, (m = maskedSources([project])));
    return m;
  };
  return {
    sources: {
      get: (file) => {
        const i = owner.get(file);
        if (i === undefined) return undefined;
        const project = outcomes[i]!.project;
        return project && !remote.has(i) ? masker(i, project).get(file) : remoteText.get(i)?.get(file);
      },
    },
    inputs: [...inputs],
  };
}
