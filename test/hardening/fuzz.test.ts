/**
 * A short seeded slice of `npm run fuzz` (scripts/fuzz/run.mjs): the same mutations, run in-process in
 * a fuzz worker and a few through the CLI, must produce no crash (an error that is not an input error,
 * a broken `fix` promise, exit > 2, a signal, a stack trace, "internal error") and no memory over
 * 500 MB. The 10 s limit per case is the full run's (`npm run fuzz`, ≥ 20,000 cases, numbers in the
 * README's development section): tests assert no timings.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, it } from 'node:test';
// @ts-expect-error: a plain .mjs script, no declaration file
import { runFuzz } from '../../scripts/fuzz/run.mjs';

const out = mkdtempSync(join(tmpdir(), 'preflight-fuzz-slice-'));
after(() => rmSync(out, { recursive: true, force: true }));

it('120 seeded fuzz cases: no crash, none over the memory limit', async () => {
  // One worker: the unit pass runs two test files at once on two cores.
  const stats = await runFuzz({
    cases: 120,
    seed: 20261201,
    cliEvery: 40,
    out,
    seconds: Infinity,
    slowMs: Infinity,
    workers: 1,
  });
  assert.equal(stats.cases, 120);
  for (const command of ['check', 'diff', 'plan', 'encrypt', 'fix', 'fix-write'])
    assert.ok(stats.byCommand[command]?.ok > 0, `${command} ran on valid input: ${JSON.stringify(stats.byCommand)}`);
  assert.deepEqual(
    stats.failures.map((f: { signature: string }) => f.signature),
    [],
    `reproducers in ${out}`,
  );
  assert.equal(stats.crashes + stats.memory, 0);
  assert.ok(stats.cliRuns >= 3);
});
