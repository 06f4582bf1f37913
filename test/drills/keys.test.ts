import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { loadProject, resolveTargets } from '../../src/compose/index.js';
import { drillLeftovers } from '../../src/docker/cleanup.js';
import { drillKeyProvider } from '../../src/drills/agent-socket.js';
import { keyChanges, keyFindings, type KeyPhase } from '../../src/drills/keys.js';
import { renderRestartText, type DrillReport } from '../../src/drills/report.js';
import { DRILL_RULES } from '../../src/drills/rules.js';
import { renderUpgradeText } from '../../src/drills/upgrade/report.js';
import { runUpgradeDrill } from '../../src/drills/upgrade/run.js';
import { preflightCatalogue } from '../../src/commands/catalogue.js';
import { PHALA_CLOUD_DEFAULTS } from '../../src/compose/deployment.js';
import { assertNoDrillLeftovers, describeDocker } from '../support/docker.js';
import { appDir, drillApp, envFileFor, ruleIds, scratch } from './helpers.js';

/**
 * Issue 6, the drill half: the drills run the app against the guest-agent stand-in, record the keys
 * it asks for in every phase, and report keys that change or cannot be stable. Test apps:
 * test/fixtures/drill-apps/key-* (key-lib/keystore.js encrypts each item with its key).
 */
const KEY_PATH = 'keystore/items';

function getKeyRecords(phases: readonly KeyPhase[] | undefined) {
  return (phases ?? []).map((p) => ({
    phase: p.phase,
    keys: p.keys.filter((k) => k.endpoint === '/GetKey' && k.path === KEY_PATH).map((k) => k.publicKeyHex),
  }));
}

async function assertNothingLeft(drillId: string): Promise<void> {
  assert.deepEqual(
    await drillLeftovers(undefined, drillId),
    { containers: [], volumes: [], networks: [] },
    `nothing of ${drillId} is left`,
  );
}

describe('drill key check (pure)', () => {
  const key = (publicKeyHex: string, path = KEY_PATH) => ({
    endpoint: '/GetKey',
    path,
    purpose: 'encryption',
    algorithm: 'secp256k1',
    publicKeyHex,
    stable: true,
    requests: 1,
  });
  const where = () => ({ file: 'compose.yaml', line: 3, column: 3 });

  it('reports a changed key once, with every phase after which it came back different', () => {
    const phases: KeyPhase[] = [
      { phase: 'the first start', provider: 'none', keys: [key('02aa'), key('02bb', 'other')] },
      { phase: 'fault 1 (reboot)', fault: 0, provider: 'none', keys: [key('02cc'), key('02bb', 'other')] },
      { phase: 'fault 2 (restart)', fault: 1, provider: 'none', keys: [key('02cc')] },
      { phase: 'fault 3 (reboot)', fault: 2, provider: 'none', keys: [key('02dd')] },
    ];
    const changes = keyChanges(phases);
    assert.equal(changes.length, 1);
    assert.deepEqual(changes[0]!.phases, ['fault 1 (reboot)', 'fault 3 (reboot)']);
    assert.deepEqual(changes[0]!.change.after, ['02cc', '02dd']);
    const fs = keyFindings(phases, {
      mounters: [{ service: 'web', targets: ['/var/run/dstack.sock'] }],
      where,
      providerSource: 'key_provider: none in .preflight.yml:4',
    });
    assert.deepEqual(
      fs.map((f) => [f.ruleId, f.section, f.severity, f.service]),
      [
        ['drill-key-changed', 'keys', 'error', 'web'],
        ['drill-keys-unstable', 'keys', 'error', 'web'],
      ],
    );
    assert.match(
      fs[0]!.message,
      /web asked the agent \(through \/var\/run\/dstack\.sock\) for key path "keystore\/items"/,
    );
    assert.match(fs[1]!.message, /key_provider: none in \.preflight\.yml:4/);
  });

  it('stable keys, per-call TLS keys and apps without the socket give no finding; several mounters are named', () => {
    const tls = { ...key('04aa'), endpoint: '/GetTlsKey', stable: false };
    const phases: KeyPhase[] = [
      { phase: 'a', provider: 'kms', keys: [key('02aa'), tls] },
      { phase: 'b', provider: 'kms', keys: [key('02aa'), { ...tls, publicKeyHex: '04bb' }] },
    ];
    assert.deepEqual(
      keyFindings(phases, {
        mounters: [{ service: 'web', targets: ['/var/run/dstack.sock'] }],
        where,
        providerSource: '',
      }),
      [],
    );
    assert.deepEqual(keyFindings(phases, { mounters: [], where, providerSource: '' }), []);
    const changed: KeyPhase[] = [phases[0]!, { ...phases[1]!, keys: [key('02ff')] }];
    const [f] = keyFindings(changed, {
      mounters: [
        { service: 'web', targets: ['/var/run/dstack.sock'] },
        { service: 'worker', targets: ['/var/run/tappd.sock'] },
      ],
      where,
      providerSource: '',
    });
    assert.equal(f?.service, undefined, 'not attributable to one service');
    assert.match(f!.message, /a service mounting the agent socket \(web, worker\)/);
  });

  it('the key provider the agent simulates follows the deployment settings', () => {
    assert.equal(drillKeyProvider(PHALA_CLOUD_DEFAULTS), 'kms');
    assert.equal(drillKeyProvider({ ...PHALA_CLOUD_DEFAULTS, kms_enabled: false }), 'none');
    assert.equal(
      drillKeyProvider({ ...PHALA_CLOUD_DEFAULTS, kms_enabled: false, local_key_provider_enabled: true }),
      'local',
    );
    assert.equal(drillKeyProvider({ ...PHALA_CLOUD_DEFAULTS, key_provider: 'none' }), 'none');
    assert.equal(drillKeyProvider({ ...PHALA_CLOUD_DEFAULTS, key_provider: 'tpm' }), 'local');
  });

  it('every drill rule id has catalogue metadata (title, rationale, fix hint)', () => {
    for (const id of Object.keys(DRILL_RULES)) {
      const m = preflightCatalogue().get(id);
      assert.ok(m && m.source === 'drill' && m.title && m.rationale && m.fixHint, id);
    }
  });
});

await describeDocker('drill keys (real engine)', () => {
  after(async () => {
    await assertNoDrillLeftovers();
  });

  it('an app encrypting with a key from the agent keeps reading its data after a reboot; its key is recorded and stable', async () => {
    const r = await drillApp('key-good', { faults: ['reboot'], rounds: 1 });
    const rep: DrillReport = r.report;
    assert.equal(rep.status, 'passed', renderRestartText(rep));
    assert.deepEqual(ruleIds(r), []);
    assert.ok(rep.check && rep.check.acknowledged > 0, 'writes acknowledged');
    assert.equal(rep.check.lost.length, 0);
    assert.ok(rep.check.read >= rep.check.acknowledged);
    const keys = getKeyRecords(rep.keys);
    assert.deepEqual(
      keys.map((k) => k.phase),
      ['the first start', 'fault 1 (reboot)'],
    );
    assert.equal(keys[0]!.keys.length, 1, 'the app asked for its key at the first start');
    assert.deepEqual(keys[1]!.keys, keys[0]!.keys, 'and got the same key after the reboot');
    assert.ok(rep.keys!.every((p) => p.provider === 'kms'));
    // The app also calls /prpc/Tappd.Info on tappd.sock at start (it exits when that fails): both sockets are mounted.
    assert.ok(
      rep.keys!.every((p) => p.keys.every((k) => k.endpoint === '/GetKey')),
      'only key requests are recorded',
    );
    assert.match(renderRestartText(rep), /Keys from the agent \(key provider kms\)/);
    await assertNothingLeft(rep.drillId);
  });

  it('the same app survives an upgrade to v2 and the rollback with the same key', async () => {
    const { file } = await envFileFor('key-good-upgrade');
    const load = (app: string) =>
      loadProject(resolveTargets([appDir(app)], {})[0]!, { envFiles: [file], strictRequired: true });
    const r = await runUpgradeDrill({
      from: load('key-good'),
      to: load('key-good-v2'),
      envFile: file,
      nextEnvFile: file,
      rollback: true,
      runRoot: join(scratch, 'runs'),
    });
    const rep = r.report;
    assert.equal(rep.status, 'passed', renderUpgradeText(rep));
    assert.deepEqual(
      rep.findings.map((f) => f.ruleId),
      [],
    );
    assert.ok(rep.check?.valid && rep.check.acknowledged >= 5, 'seeded writes read back by v2');

    assert.ok(rep.rollbackCheck?.valid, 'OLD reads everything back after the rollback');
    assert.deepEqual(
      rep.steps.map((s) => s.status),
      ['ok', 'ok', 'ok', 'ok', 'ok', 'ok', 'ok'],
    );
    const keys = getKeyRecords(rep.keys);
    assert.deepEqual(
      keys.map((k) => k.phase),
      ['OLD (first start)', 'NEW (after the upgrade)', 'OLD (after the rollback)'],
    );
    assert.equal(keys[0]!.keys.length, 1);
    assert.deepEqual(keys[1]!.keys, keys[0]!.keys);
    assert.deepEqual(keys[2]!.keys, keys[0]!.keys);
    await assertNothingLeft(rep.drillId);
  });

  it('an upgrade without a key provider restarts the agent with a new root: the key changes after the upgrade', async () => {
    const { file } = await envFileFor('key-none-upgrade');
    const load = () =>
      loadProject(resolveTargets([appDir('key-none')], {})[0]!, { envFiles: [file], strictRequired: true });
    const r = await runUpgradeDrill({
      from: load(),
      to: load(),
      envFile: file,
      nextEnvFile: file,
      runRoot: join(scratch, 'runs'),
    });
    const ids = r.report.findings.map((f) => f.ruleId);
    assert.ok(ids.includes('drill-key-changed') && ids.includes('drill-keys-unstable'), renderUpgradeText(r.report));
    assert.match(
      r.report.findings.find((f) => f.ruleId === 'drill-key-changed')!.message,
      /after NEW \(after the upgrade\)/,
    );
    const keys = getKeyRecords(r.report.keys);
    assert.deepEqual(
      keys.map((k) => k.phase),
      ['OLD (first start)', 'NEW (after the upgrade)'],
    );
    assert.notDeepEqual(keys[1]!.keys, keys[0]!.keys);
    assert.equal(r.failed, true);
    await assertNothingLeft(r.report.drillId);
  });

  it('an app with a random key made at start is caught after the reboot: its data is unreadable', async () => {
    const r = await drillApp('key-random', { faults: ['reboot'], rounds: 1 });
    const ids = ruleIds(r);
    // It refuses to start on data it cannot decrypt: not ready, and the final read finds nothing.
    assert.ok(ids.includes('drill-not-ready'), renderRestartText(r.report));
    assert.ok(ids.includes('drill-lost-writes'), renderRestartText(r.report));
    assert.ok(!ids.some((id) => id.startsWith('drill-key')), 'it never asked the agent for a key');
    assert.equal(r.report.keys, undefined, 'no agent socket mounted, no agent');
    assert.equal(r.failed, true);
    await assertNothingLeft(r.report.drillId);
  });

  it('the good app deployed without a key provider: new keys on reboot, drill-key-changed and drill-keys-unstable', async () => {
    const r = await drillApp('key-none', { faults: ['reboot'], rounds: 1 });
    const ids = ruleIds(r);
    assert.ok(ids.includes('drill-key-changed'), renderRestartText(r.report));
    assert.ok(ids.includes('drill-keys-unstable'), renderRestartText(r.report));
    const changed = r.report.findings.find((f) => f.ruleId === 'drill-key-changed')!;
    assert.equal(changed.service, 'web');
    assert.equal(changed.section, 'keys');
    assert.match(changed.message, /after fault 1 \(reboot\)/);
    assert.match(
      r.report.findings.find((f) => f.ruleId === 'drill-keys-unstable')!.message,
      /key_provider: none in .*\.preflight\.yml:\d+\)/,
    );
    const keys = getKeyRecords(r.report.keys);
    assert.equal(keys.length, 2);
    assert.notDeepEqual(keys[1]!.keys, keys[0]!.keys, 'another root after the reboot');
    assert.ok(r.report.keys!.every((p) => p.provider === 'none'));
    // And the data written before the reboot is gone with the key.
    assert.ok(ids.includes('drill-not-ready') || ids.includes('drill-lost-writes'));
    await assertNothingLeft(r.report.drillId);
  });
});
