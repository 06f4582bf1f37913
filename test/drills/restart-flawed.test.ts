import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, it } from 'node:test';
import { renderRestartText } from '../../src/drills/report.js';
import { assertNoDrillLeftovers, describeDocker } from '../support/docker.js';
import { drillApp, ruleIds } from './helpers.js';

/** Apps built to fail: each is caught by the check that names its flaw. */
await describeDocker('drill restart: flawed apps', () => {
  after(async () => {
    await assertNoDrillLeftovers();
  });

  it('state kept only in memory: acknowledged writes lost after a restart', async () => {
    const r = await drillApp('memory', { faults: ['restart'] });
    assert.equal(r.failed, true);
    assert.deepEqual(ruleIds(r), ['drill-lost-writes']);
    assert.ok(r.report.check && r.report.check.lost.length > 0);
    const f = r.report.findings[0]!;
    assert.equal(f.section, 'volumes');
    assert.equal(f.service, 'web');
    assert.match(f.file, /memory\/compose\.yaml$/);
    assert.equal(f.line, 3, 'points at the service definition (web:)');
  });

  it('data written outside the volume: found in the writable layer, which a reboot keeps (the container stays on the CVM disk)', async () => {
    const r = await drillApp('outside-volume', { faults: ['reboot'] });
    assert.deepEqual(ruleIds(r), ['drill-write-outside-volume']);
    const outside = r.report.findings.find((f) => f.ruleId === 'drill-write-outside-volume')!;
    assert.match(outside.message, /\/var\/lib\/app\/items\.log/);
    // The layer is lost when the container is recreated (an upgrade: test/drills/boot-upgrade.test.ts), not here.
    assert.equal(r.report.check!.lost.length, 0);
  });

  it('data in an anonymous volume: kept over a reboot (compose re-attaches it to the same container), not reported as outside a volume', async () => {
    const r = await drillApp('anon-volume', { faults: ['restart', 'reboot'] });
    assert.deepEqual(ruleIds(r), []);
    assert.ok(r.report.check!.valid && r.report.check!.lost.length === 0);
  });

  it('SIGTERM ignored: killed at the grace deadline', async () => {
    const r = await drillApp('sigterm-ignored', { faults: ['restart'] });
    assert.deepEqual(ruleIds(r), ['drill-sigterm-ignored']);
    const f = r.report.findings[0]!;
    assert.equal(f.section, 'restart');
    assert.match(f.message, /stop_grace_period \(1\.00s\)/);
    assert.match(f.message, /the engine killed it \(exit 137\)/);
  });

  it('a secret printed to stdout: reported by name, an error with public logs, value never shown', async () => {
    const secret = 'tok_9f8e7d6c5b4a39281706f5e4d3c2b1a0';
    const r = await drillApp('secret-logs', { faults: ['restart'], env: { API_TOKEN: secret } });
    assert.deepEqual(ruleIds(r), ['drill-secret-in-logs']);
    const f = r.report.findings[0]!;
    assert.equal(f.severity, 'error', 'Phala Cloud default: public_logs on');
    assert.equal(f.section, 'logs');
    assert.match(f.message, /API_TOKEN/);
    // Neither the report (text or JSON) nor anything in the run directory holds the value.
    assert.ok(!JSON.stringify(r.report).includes(secret));
    assert.ok(!renderRestartText(r.report).includes(secret));
    for (const file of readdirSync(r.runDir, { recursive: true, withFileTypes: true })) {
      if (file.isFile() && file.name !== 'drill.env')
        assert.ok(
          !readFileSync(join(file.parentPath, file.name), 'utf8').includes(secret),
          `${file.name} holds the secret`,
        );
    }
  });

  it('never healthy again: not ready within its deadline, and a restart loop', async () => {
    const r = await drillApp('never-healthy', { faults: ['restart', 'kill'] });
    assert.deepEqual(ruleIds(r), ['drill-not-ready', 'drill-restart-loop']);
    assert.equal(r.report.faults.length, 1, 'no further faults once a service stays down');
    assert.equal(r.report.faults[0]!.ready, false);
    const nr = r.report.findings.find((f) => f.ruleId === 'drill-not-ready')!;
    assert.match(nr.message, /web was not ready again/);
  });
});
