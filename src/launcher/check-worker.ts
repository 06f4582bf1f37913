/**
 * The worker thread of `check -r` on several threads (commands/check-parallel.ts), as the CLI starts it
 * (short-run.ts): the bundle again, with a code cache of its own (a second writer of the main thread's
 * cache would race it).
 */
import { fileURLToPath } from 'node:url';
import { parentPort } from 'node:worker_threads';
import { compileCacheDir, loadBundle } from './compile-cache.js';
import { capOptimisation, type LaunchMessage } from './short-run.js';

const bundle = loadBundle(fileURLToPath(new URL('../cli-bundle/preflight.cjs', import.meta.url)), {
  cacheDir: compileCacheDir(),
  label: 'checkworker',
  importModule: (specifier) => import(specifier),
});
const port = parentPort!;
port.on('message', (m: LaunchMessage | { job: unknown }) => {
  if ('launch' in m) {
    // A run that writes this worker's cache keeps V8's flags as they were, as the main thread's does.
    if (m.launch.cap && !bundle.shouldSave) capOptimisation();
    return;
  }
  port.removeAllListeners('message');
  (bundle.exports.runCheckJob as (job: unknown) => Promise<unknown>)(m.job).then((results) => {
    // Before the results: once they are sent, the process may end without waiting for this thread.
    if (bundle.shouldSave) bundle.save();
    port.postMessage(results);
    port.unref();
  });
});
