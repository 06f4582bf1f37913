import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { check } from '../../src/commands/check.js';
import { restartPolicy } from '../../src/rules/restart/restart-policy.js';
import { suppressionWithoutReason } from '../../src/rules/platform/suppression-without-reason.js';
import { load, scratchDir } from '../support/project.js';

/**
 * The manifest, deployment settings and suppressions, probed with one rule (restart-policy: a
 * long-running service without a restart policy) so the tests do not depend on the other rules.
 */
const scratch = scratchDir('deployment');
const PROBE = { rules: [restartPolicy, suppressionWithoutReason] };

const EMBEDDED = [
  'services:',
  '  web:',
  '    image: nginx:1.27',
  '  db:',
  '    image: postgres:16',
  '    restart: always',
  '',
].join('\n');

describe('app-compose.json input', () => {
  const dir = scratch.project('manifest', {
    'app-compose.json': JSON.stringify(
      {
        manifest_version: 2,
        name: 'shop',
        runner: 'docker-compose',
        docker_compose_file: EMBEDDED,
        public_logs: false,
        kms_enabled: true,
        allowed_envs: ['DB_PASSWORD'],
      },
      null,
      2,
    ),
  });

  it('findings point at lines of the embedded compose file', () => {
    const report = check([dir], { ...PROBE, cwd: dir });
    assert.deepEqual(report.targets[0]!.files, ['app-compose.json#docker_compose_file']);
    const f = report.findings.find((x) => x.ruleId === 'restart-policy')!;
    assert.equal(f.file, 'app-compose.json#docker_compose_file');
    assert.deepEqual([f.line, f.column, f.service], [2, 3, 'web']);
    assert.equal(report.findings.filter((x) => x.ruleId === 'restart-policy').length, 1, 'db has a restart policy');
  });

  it('takes the deployment settings from the manifest', () => {
    const p = load(dir);
    assert.equal(p.deployment.source, 'app-compose.json');
    assert.equal(p.deployment.settings.public_logs, false);
    assert.equal(p.deployment.settings.kms_enabled, true);
    assert.deepEqual(p.deployment.settings.allowed_envs, ['DB_PASSWORD']);
    assert.equal(p.deployment.locations.public_logs?.file, 'app-compose.json');
    assert.ok((p.deployment.locations.public_logs?.line ?? 0) > 1, 'each field is located in the manifest');
  });

  it('a file named explicitly also works, and fields the manifest omits take dstack defaults', () => {
    const bare = scratch.project('manifest-bare', {
      'deploy/app-compose.json': JSON.stringify({ docker_compose_file: EMBEDDED }),
    });
    const p = load(bare, { paths: ['deploy/app-compose.json'] });
    assert.equal(p.deployment.source, 'app-compose.json');
    assert.equal(p.deployment.settings.public_logs, false, 'dstack default');
    assert.deepEqual(p.deployment.settings.allowed_envs, []);
  });
});

describe('where deployment settings come from: app-compose.json > .preflight.yml > Phala Cloud defaults', () => {
  const config = 'deployment:\n  public_logs: true\n  kms_enabled: false\n';

  it('app-compose.json wins over .preflight.yml', () => {
    const dir = scratch.project('src-manifest', {
      'app-compose.json': JSON.stringify({ docker_compose_file: EMBEDDED, public_logs: false }),
      '.preflight.yml': config,
    });
    const report = check([dir], { ...PROBE, cwd: dir });
    assert.equal(report.targets[0]!.deploymentSource, 'app-compose.json');
    assert.equal(load(dir).deployment.settings.public_logs, false);
  });

  it('.preflight.yml when there is no manifest', () => {
    const dir = scratch.project('src-config', { 'compose.yaml': EMBEDDED, '.preflight.yml': config });
    const report = check([dir], { ...PROBE, cwd: dir });
    assert.equal(report.targets[0]!.deploymentSource, '.preflight.yml');
    const p = load(dir);
    assert.equal(p.deployment.settings.kms_enabled, false);
    assert.equal(p.deployment.settings.public_sysinfo, true, 'fields it omits keep the Phala Cloud defaults');
    assert.equal(p.deployment.locations.kms_enabled?.file, '.preflight.yml');
    assert.equal(p.deployment.locations.kms_enabled?.line, 3);
  });

  it('--config names another configuration file', () => {
    const dir = scratch.project('src-config-flag', { 'compose.yaml': EMBEDDED, 'ci/preflight.yml': config });
    assert.equal(load(dir).deployment.source, 'phala-cloud-defaults');
    assert.equal(load(dir, { configFile: 'ci/preflight.yml' }).deployment.source, '.preflight.yml');
  });

  it('Phala Cloud defaults otherwise (a .preflight.yml without deployment: does not count)', () => {
    const dir = scratch.project('src-defaults', {
      'compose.yaml': EMBEDDED,
      '.preflight.yml': 'rules:\n  restart-policy: error\n',
    });
    const report = check([dir], { ...PROBE, cwd: dir });
    assert.equal(report.targets[0]!.deploymentSource, 'phala-cloud-defaults');
    const p = load(dir);
    assert.equal(p.deployment.settings.public_logs, true);
    assert.equal(p.deployment.settings.kms_enabled, true);
    assert.equal(report.findings[0]!.severity, 'error', 'rules: sets the severity');
  });
});

describe('suppressions', () => {
  it('inline `# preflight-ignore rule -- reason` on the finding line or the line above', () => {
    const dir = scratch.project('inline', {
      'compose.yaml': [
        'services:',
        '  # preflight-ignore restart-policy -- batch job, exits by design',
        '  batch:',
        '    image: batch:1',
        '  web: # preflight-ignore restart-policy -- supervised by the host',
        '    image: web:1',
        '  api:',
        '    image: api:1',
        '',
      ].join('\n'),
    });
    const report = check([dir], { ...PROBE, cwd: dir });
    assert.deepEqual(
      report.findings.map((f) => f.service),
      ['api'],
    );
    assert.deepEqual(
      report.suppressed.map((s) => [s.service, s.suppression.kind, s.suppression.reason]),
      [
        ['batch', 'inline', 'batch job, exits by design'],
        ['web', 'inline', 'supervised by the host'],
      ],
    );
  });

  it('an inline directive for another rule, or two lines above, suppresses nothing', () => {
    const dir = scratch.project('inline-miss', {
      'compose.yaml': [
        'services:',
        '  # preflight-ignore restart-policy -- too far away',
        '',
        '  web:',
        '    image: web:1 # preflight-ignore image-unpinned -- other rule',
        '',
      ].join('\n'),
    });
    const report = check([dir], { ...PROBE, cwd: dir });
    assert.deepEqual(
      report.findings.map((f) => f.ruleId),
      ['restart-policy'],
    );
    assert.deepEqual(report.suppressed, []);
  });

  it('a directive without a reason suppresses nothing and is itself reported', () => {
    const dir = scratch.project('inline-noreason', {
      'compose.yaml': 'services:\n  web: # preflight-ignore restart-policy\n    image: web:1\n',
    });
    const report = check([dir], { ...PROBE, cwd: dir });
    assert.deepEqual(report.findings.map((f) => [f.ruleId, f.line]).sort(), [
      ['restart-policy', 2],
      ['suppression-without-reason', 2],
    ]);
    assert.deepEqual(report.suppressed, []);
  });

  it('exemptions in .preflight.yml, by rule and optionally service, keep their reason', () => {
    const dir = scratch.project('exempt', {
      'compose.yaml': 'services:\n  web:\n    image: web:1\n  api:\n    image: api:1\n',
      '.preflight.yml':
        'exemptions:\n  - rule: restart-policy\n    service: web\n    reason: restarted by the platform watchdog\n',
    });
    const report = check([dir], { ...PROBE, cwd: dir });
    assert.deepEqual(
      report.findings.map((f) => f.service),
      ['api'],
    );
    assert.deepEqual(
      report.suppressed.map((s) => [s.service, s.suppression.kind, s.suppression.reason]),
      [['web', 'config', 'restarted by the platform watchdog']],
    );
    const all = scratch.project('exempt-all', {
      'compose.yaml': 'services:\n  web:\n    image: web:1\n  api:\n    image: api:1\n',
      '.preflight.yml': 'exemptions:\n  - rule: restart-policy\n    reason: all one-shot\n',
    });
    assert.equal(check([all], { ...PROBE, cwd: all }).findings.length, 0);
  });

  it('suppressed findings cost no score', () => {
    const dir = scratch.project('exempt-score', {
      'compose.yaml': 'services:\n  web:\n    image: web:1\n',
      '.preflight.yml': 'exemptions:\n  - rule: restart-policy\n    reason: r\n',
    });
    const report = check([dir], { ...PROBE, cwd: dir });
    assert.equal(report.score.sections.restart, 100);
    assert.equal(report.suppressed.length, 1);
  });

  it('rules: off turns a rule off', () => {
    const dir = scratch.project('off', {
      'compose.yaml': 'services:\n  web:\n    image: web:1\n',
      '.preflight.yml': 'rules:\n  restart-policy: off\n',
    });
    assert.deepEqual(check([dir], { ...PROBE, cwd: dir }).findings, []);
  });
});
