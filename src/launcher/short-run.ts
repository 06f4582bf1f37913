/**
 * `check -r`'s worker thread, started by the launcher (bin/preflight.js) before the bundle loads: a worker
 * takes ~40-80 ms to start and load the code, about as long as the main thread takes to load it and find
 * the projects, so both begin checking at about the same time (commands/check-parallel.ts).
 *
 * V8's flags: a short run caps V8 at its baseline compiler (`--max-opt=1`, cli/main.ts has why), and V8
 * refuses a code cache, ours or the one Node ships for its own modules, made under other flags. A worker
 * started after the cap compiles Node's bootstrap from source (~100 ms more on 2 busy cores), so the cap
 * waits: the worker sets it once it has loaded its bundle, and only in a run that saves no cache (a
 * cache is written under the flags it is read with, the defaults).
 */
import { setFlagsFromString } from 'node:v8';
import { Worker } from 'node:worker_threads';

/** The first message to a worker the launcher started: whether it may cap V8 (the main thread saves no cache). */
export interface LaunchMessage {
  launch: { cap: boolean };
}

/**
 * `check` with `-r` (alone or among short flags, as `-rq`), unless `--concurrency off` or `1`: a run
 * likely to check enough projects for a second thread. One the run does not use costs only the other
 * core's time.
 */
export function wantsCheckWorker(argv: readonly string[], label: string): boolean {
  if (label !== 'check') return false;
  const args = argv.slice(2);
  const end = args.indexOf('--');
  const options = end === -1 ? args : args.slice(0, end);
  const at = options.findIndex((a) => a === '--concurrency' || a.startsWith('--concurrency='));
  const value = at === -1 ? undefined : options[at]!.includes('=') ? options[at]!.split('=')[1] : options[at + 1];
  if (value === 'off' || value === '1') return false;
  return options.some((a) => a === '--recursive' || /^-[A-Za-z]*r[A-Za-z]*$/.test(a));
}

export interface CheckWorkerStarter {
  /** A worker for the run: the one started early first (referenced from now on), then new ones. */
  start(): Worker;
  /** Whether a worker was started early: it caps V8, not the main thread. */
  readonly early: boolean;
  /** Tells the workers whether they may cap V8, once the main thread knows whether it saves a cache. */
  launched(cap: boolean): void;
}

export function checkWorkerStarter(script: URL, early: boolean): CheckWorkerStarter {
  // Unreferenced until used, so an unused one does not keep the process alive; one that failed to start
  // (its error is the run's business only if the run uses it) is replaced by a new one.
  let waiting = early ? new Worker(script) : undefined;
  let failed = false;
  waiting?.unref();
  waiting?.on('error', () => {});
  waiting?.once('exit', () => {
    failed = true;
  });
  let cap: boolean | undefined;
  const tell = (w: Worker) => {
    if (cap !== undefined) w.postMessage({ launch: { cap } } satisfies LaunchMessage);
  };
  return {
    early,
    start() {
      const reuse = waiting && !failed ? waiting : undefined;
      const worker = reuse ?? new Worker(script);
      if (!reuse) tell(worker);
      waiting = undefined;
      worker.ref();
      return worker;
    },
    launched(value) {
      cap = value;
      if (waiting) tell(waiting);
    },
  };
}

/** Caps V8 at Sparkplug (`--max-opt=1`) for the rest of the process, every thread included. */
export function capOptimisation(): void {
  setFlagsFromString('--max-opt=1');
}
