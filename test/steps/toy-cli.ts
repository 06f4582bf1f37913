// Drives the toy run in its own process (tests SIGKILL it): `start ROOT ID INPUT-JSON` or `resume RUN-DIR`.
import { resumeRun, startRun } from '../../src/steps/index.js';
import { toyRun } from './toy.js';

const [mode, a, b, c] = process.argv.slice(2);
try {
  const r =
    mode === 'start'
      ? await startRun(toyRun, JSON.parse(c!), { runRoot: a!, runId: b!, handleSignals: true, stopGraceMs: 2_000 })
      : await resumeRun(toyRun, a!, { handleSignals: true, stopGraceMs: 2_000 });
  process.stdout.write(`${r.outcome.status}\n`);
  process.exitCode = r.outcome.signal ? 130 : 0;
} catch (e) {
  process.stderr.write(`${(e as Error).message}\n`);
  process.exitCode = 2;
}
