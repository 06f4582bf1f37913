// `npm run sweep:drills [-- --trials N] [--seed S]`: issue 11's interrupt sweep of the drills
// (test/support/interrupt-sweep.ts). SIGINT and SIGKILL, N trials each (default 20), at seeded random points of a
// restart drill (one in eight during start-up, the others at a random line of the run's journal) of the good test app;
// after each, 0 leftovers once the run (SIGINT) or `drill clean` / `drill resume`
// (SIGKILL) is done, and an ended journal. Needs a Docker engine. Exit 1 on any leftover, unended journal or problem.
import { parseArgs } from 'node:util';
import { sweepDrills } from '../test/support/interrupt-sweep.js';

const { values } = parseArgs({
  options: {
    trials: { type: 'string', default: '20' },
    seed: { type: 'string', default: 'sweep' },
  },
});
const trials = Number(values.trials);
if (!Number.isInteger(trials) || trials < 1 || trials > 1000) {
  process.stderr.write('sweep:drills: --trials must be an integer from 1 to 1000\n');
  process.exit(2);
}
const started = performance.now();
process.stdout.write(`interrupt sweep: ${trials} trial(s) per signal, seed ${values.seed}\n`);
const { summary, calibration } = await sweepDrills({
  trials,
  seed: values.seed!,
  log: (line) => process.stdout.write(`${line}\n`),
});
let bad = calibration.leftovers;
for (const s of summary) {
  bad += s.leftovers + s.unended + s.problems;
  const at = Object.entries(s.at)
    .sort()
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  process.stdout.write(
    `${s.signal}: ${s.trials} trials, ${s.leftovers} leftover(s), ${s.unended} unended ` +
      `journal(s), ${s.problems} problem(s); interrupted at: ${at}\n`,
  );
}
process.stdout.write(`${bad ? 'FAILED' : 'ok'} in ${Math.round((performance.now() - started) / 1000)} s\n`);
process.exit(bad ? 1 : 0);
