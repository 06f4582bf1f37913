// The worker thread of `checkInParallel` when the library runs unbundled (commands/check-parallel.ts).
import { parentPort } from 'node:worker_threads';
import { runCheckJob, type CheckWorkerMessage } from './check-parallel.js';

parentPort!.once('message', (m: CheckWorkerMessage) => parentPort!.postMessage(runCheckJob(m.job)));
