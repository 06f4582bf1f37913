import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, it } from 'node:test';
import { buildReport } from '../../src/drills/report.js';
import { JOURNAL_FILE } from '../../src/drills/journal.js';
import { readRun } from '../../src/steps/index.js';
import { FAULT_KINDS } from '../../src/drills/faults.js';
import { formatMs } from '../../src/util/format-ms.js';
import type { HistoryOp } from '../../src/drills/history.js';
import { assertNoDrillLeftovers, describeDocker } from '../support/docker.js';
import { drillApp } from './helpers.js';

await describeDocker('drill restart: an app done right', () => {
  after(async () => {
    await assertNoDrillLeftovers();
  });

  it('survives every fault with zero lost writes, and the report is rebuilt from the journal', async () => {
    const started = performance.now();
    const r = await drillApp('good', { seed: 'good-app' });
    const wall = performance.now() - started;
    const rep = r.report;
    process.stderr.write(
      `# good app drill: wall ${formatMs(wall)}, compose ${rep.timing.composeOps} ops ${formatMs(rep.timing.composeMs)}, docker ${rep.timing.dockerOps} ops ${formatMs(rep.timing.dockerMs)}, overhead ${formatMs(rep.timing.overheadMs)}\n`,
    );

    assert.equal(rep.status, 'passed', JSON.stringify(rep.findings));
    assert.equal(r.failed, false);
    assert.deepEqual(rep.findings, []);
    assert.deepEqual(rep.faults.map((f) => f.kind).sort(), [...FAULT_KINDS].sort(), 'every fault once by default');
    assert.ok(rep.faults.every((f) => f.ready));
    assert.ok(rep.check, 'set check ran');
    assert.equal(rep.check.lost.length, 0);
    assert.equal(rep.check.unexpected.length, 0);
    assert.ok(rep.check.acknowledged >= 50, `acknowledged ${rep.check.acknowledged}`);
    assert.ok(rep.check.read >= rep.check.acknowledged);
    assert.ok(rep.timing.composeOps >= 3 && rep.timing.composeMs > 0);
    assert.ok(rep.timing.overheadMs < rep.timing.wallMs);
    assert.equal(rep.cleanup?.containers, 1);

    // The history is saved as JSON, and the journal alone rebuilds the same report.
    const history = JSON.parse(readFileSync(rep.historyFile, 'utf8')) as HistoryOp[];
    assert.ok(history.some((o) => o.type === 'invoke') && history.some((o) => o.type === 'ok'));
    assert.ok(existsSync(join(r.runDir, JOURNAL_FILE)));
    assert.deepEqual(buildReport(readRun(r.runDir).events, r.runDir), rep);
  });
});
