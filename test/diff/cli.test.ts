import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

// `preflight diff` end to end through the CLI, on the upgrade test apps (test/fixtures/upgrade-apps).
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const APPS = join(ROOT, 'test', 'fixtures', 'upgrade-apps');
const CLI = join(ROOT, 'test', 'agent', 'run-cli.ts');

function preflight(args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--', CLI, ...args], {
    cwd: APPS,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('preflight diff (CLI)', () => {
  it('exits 1 and names the renamed volume in NEW at its line', () => {
    const r = preflight(['diff', 'old', 'rename-volume']);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stdout, /rename-volume\/docker-compose\.yml:10:9 .*volume-renamed/);
    assert.match(r.stdout, /fix: Keep the old volume name/);
  });
  it('exits 0 for a good upgrade (only the compose-hash note)', () => {
    const r = preflight(['diff', 'old', 'good', '--env-file', 'new.env', '--old-env-file', 'old.env']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /deployment-changed/);
  });
  it('--format json is the findings object; the secret plan flags the missing variable without printing values', () => {
    const r = preflight([
      'diff',
      'old',
      'needs-secret',
      '--env-file',
      'new.env',
      '--old-env-file',
      'old.env',
      '--format',
      'json',
    ]);
    assert.equal(r.code, 1);
    const report = JSON.parse(r.stdout) as {
      targets: unknown[];
      findings: { ruleId: string; message: string }[];
      score: { overall: number };
    };
    assert.equal(report.targets.length, 2);
    assert.ok(report.findings.some((f) => f.ruleId === 'secret-missing' && f.message.includes('API_TOKEN')));
    assert.ok(!r.stdout.includes('s3cr3t-old-Passw0rd'));
  });
  it('flags the moved data directory and the unreadable-format upgrade passes statically (only the drill can tell)', () => {
    assert.match(preflight(['diff', 'old', 'moved-datadir']).stdout, /data-dir-moved/);
    assert.equal(preflight(['diff', 'old', 'unreadable-format']).code, 0);
  });
  it('--fail-on never exits 0 even with errors; bad input exits 2 with one line', () => {
    assert.equal(preflight(['diff', 'old', 'rename-volume', '--fail-on', 'never']).code, 0);
    const r = preflight(['diff', 'old', 'no-such-dir']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^preflight: no-such-dir: no such file or directory\n$/);
  });
});
