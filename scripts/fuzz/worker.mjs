/**
 * A long-lived fuzz worker (forked by pool.mjs): imports the library once, then runs the cases it is
 * sent in its own directory and answers with each command's outcome, its CPU time and the memory the
 * process holds after it. Run with `--max-old-space-size`, so a case whose heap passes the ceiling
 * kills this worker (the pool reports it) instead of the whole run.
 */
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { rewriteCase, runCli, runTarget } from './targets.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const lib = await import(pathToFileURL(join(ROOT, 'dist', 'index.js')).href);
const dir = process.argv[2]; // made and removed by the pool
let done = 0;

process.on('disconnect', () => process.exit(0));

process.on('message', async (job) => {
  rewriteCase(dir, job.files, job.bytes);
  const results = [];
  let checked;
  for (const command of job.commands) {
    // fix starts with the same check: on input check refuses it refuses too, so it runs (and
    // counts) only where check accepted the case, and an input error of fix there is a crash.
    if (command.startsWith('fix') && checked !== 'ok') continue;
    const r = await runTarget(lib, command, dir, job.format);
    if (command === 'check') checked = r.kind;
    results.push({ command, ...r, rss: process.memoryUsage().rss });
  }
  const cli = job.cli ? runCli(job.cli, dir) : undefined;
  if (globalThis.gc && ++done % 100 === 0) globalThis.gc();
  process.send({ id: job.id, results, cli, maxRssKb: process.resourceUsage().maxRSS });
});
process.send({ ready: true });
