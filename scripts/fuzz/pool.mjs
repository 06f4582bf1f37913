/**
 * A small pool of long-lived fuzz workers (worker.mjs), one child process each: a case costs its
 * checks, not a Node start-up (spawning node per case ran ~5 cases/s here; a worker runs ~20 per core).
 * Child processes rather than worker threads, so each case's CPU time (process.cpuUsage) and memory
 * (rss) are the worker's own, and a heap over the ceiling ends one worker, not the run.
 */
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const WORKER = join(dirname(fileURLToPath(import.meta.url)), 'worker.mjs');

/**
 * `size` workers, each with a heap ceiling of `heapMb`; `run(job)` resolves with the worker's answer,
 * or `{ died }` naming why the worker ended (heap exhausted, a signal, no answer in `hangMs`), after
 * which a fresh worker takes its place.
 */
export function startPool({ size, heapMb, hangMs }) {
  const idle = [];
  const waiting = [];
  const all = new Set();

  const spawnWorker = () =>
    new Promise((ready, failed) => {
      // The pool owns the worker's case directory, so one killed mid-case leaves nothing behind.
      const dir = mkdtempSync(join(tmpdir(), 'preflight-fuzz-work-'));
      const child = fork(WORKER, [dir], {
        execArgv: ['--expose-gc', `--max-old-space-size=${heapMb}`],
        stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
        env: { ...process.env, NO_COLOR: '1', PREFLIGHT_DEBUG: '' },
      });
      const w = { child, stderr: '', job: undefined };
      child.stderr.on('data', (d) => {
        w.stderr = (w.stderr + d).slice(-4000);
      });
      child.on('message', (m) => {
        if (m.ready) return ready(w);
        const job = w.job;
        w.job = undefined;
        clearTimeout(job.timer);
        job.resolve(m);
        release(w);
      });
      child.on('exit', (code, signal) => {
        all.delete(w);
        rmSync(dir, { recursive: true, force: true });
        if (!w.job) return failed?.(new Error(`fuzz worker ended at start: ${code ?? signal}: ${w.stderr}`));
        const job = w.job;
        w.job = undefined;
        clearTimeout(job.timer);
        const died = job.hung
          ? `no answer in ${hangMs / 1000} s (a hang?)`
          : /heap out of memory|allocation failed/i.test(w.stderr)
            ? `heap over ${heapMb} MB`
            : `worker ended: ${signal ? `signal ${signal}` : `exit ${code}`}`;
        job.resolve({ id: job.id, died });
        spawnWorker().then(release, job.reject);
      });
      all.add(w);
    });

  const release = (w) => {
    const next = waiting.shift();
    if (next) send(w, next);
    else idle.push(w);
  };
  const send = (w, job) => {
    w.job = job;
    job.timer = setTimeout(() => {
      job.hung = true;
      w.child.kill('SIGKILL');
    }, hangMs);
    w.child.send(job.message);
  };

  const started = Promise.all(Array.from({ length: size }, spawnWorker)).then((ws) => ws.forEach(release));
  return {
    started,
    run: (message) =>
      new Promise((resolve, reject) => {
        const job = { id: message.id, message, resolve, reject };
        const w = idle.pop();
        if (w) send(w, job);
        else waiting.push(job);
      }),
    /** Ends every worker (each removes its case directory on disconnect). */
    stop: () =>
      Promise.all(
        [...all].map(
          (w) =>
            new Promise((done) => {
              w.child.once('exit', done);
              w.child.disconnect();
            }),
        ),
      ),
  };
}
