import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { runBuiltCli } from '../support/cli.js';

/** `preflight fix` end to end: the diff, --write, exit codes (0 nothing left at --fail-on, 1 left, 2 bad input). */
const DB_ONLY = 'services:\n  db:\n    image: postgres:17 # the database\n    restart: always\n';
const DIGEST = `sha256:${'c'.repeat(64)}`;

const dirs: string[] = [];
function project(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'preflight-fix-cli-'));
  dirs.push(dir);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function assertOneLineError(r: { code: number | null; stderr: string }, pattern: RegExp): void {
  assert.equal(r.code, 2, r.stderr);
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 1, r.stderr);
  assert.match(lines[0]!, pattern);
  assert.doesNotMatch(r.stderr, /internal error|\n\s+at /);
}

describe('preflight fix (CLI)', () => {
  it('prints a unified diff with labelled fixes, writes nothing, exit 0 once no error is left', () => {
    const dir = project({ 'compose.yaml': DB_ONLY });
    const r = runBuiltCli(['fix', dir]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^# stateful-no-volume: mount named volume db-data at \/var\/lib\/postgresql\/data/m);
    assert.match(r.stdout, /\[changes behaviour: /);
    assert.match(r.stdout, /^\+\s+- db-data:\/var\/lib\/postgresql\/data$/m);
    assert.match(r.stdout, /^--- a\/.*compose\.yaml$/m);
    assert.match(r.stdout, /^--- \/dev\/null\n\+\+\+ b\/.*\.preflight\.yml$/m);
    assert.match(r.stderr, /fixes to apply \(dry run; --write applies them\)/);
    assert.equal(readFileSync(join(dir, 'compose.yaml'), 'utf8'), DB_ONLY, 'nothing written without --write');
    assert.deepEqual(readdirSync(dir), ['compose.yaml'], 'no file created without --write');
  });

  it('--write writes the fixes through the safe writer; check then no longer reports them', () => {
    const dir = project({ 'compose.yaml': DB_ONLY });
    const r = runBuiltCli(['fix', dir, '--write', '--rule', 'stateful-no-volume', '--rule', 'stop-grace-period']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, '');
    const fixed = readFileSync(join(dir, 'compose.yaml'), 'utf8');
    assert.equal(
      fixed,
      `${DB_ONLY}    volumes:\n      - db-data:/var/lib/postgresql/data\n    stop_grace_period: 1m\nvolumes:\n  db-data:\n`,
    );
    assert.deepEqual(readdirSync(dir), ['compose.yaml'], 'no temporary file left, no other file touched');
    const check = runBuiltCli(['check', dir, '--format', 'json']);
    const ids = (JSON.parse(check.stdout) as { findings: { ruleId: string }[] }).findings.map((f) => f.ruleId);
    assert.ok(!ids.includes('stateful-no-volume') && !ids.includes('stop-grace-period'), ids.join(', '));
  });

  it('exit 1 when an error no fix removes is left; refusals are reported with their reason', () => {
    const dir = project({
      'compose.yaml':
        'services:\n  db:\n    image: postgres:18\n    volumes: ["pg:/var/lib/postgresql/data"]\nvolumes:\n  pg:\n',
    });
    const r = runBuiltCli(['fix', dir, '--rule', 'stateful-no-volume']);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /compose\.yaml:3: stateful-no-volume: not fixed: .*data migration/);
    assert.equal(r.stdout, '');
  });

  it('pins digests from --digest and from a lock file', () => {
    const dir = project({
      'compose.yaml': 'services:\n  db:\n    image: postgres:16.4\n  cache:\n    image: redis:7.2.5\n',
      'images.lock': `# digests\nredis:7.2.5@${DIGEST}\n`,
    });
    const r = runBuiltCli([
      'fix',
      dir,
      '--rule',
      'image-no-digest',
      '--digest',
      `postgres:16.4=${DIGEST}`,
      '--lock',
      join(dir, 'images.lock'),
    ]);
    assert.match(r.stdout, new RegExp(`^\\+    image: postgres:16\\.4@${DIGEST}$`, 'm'));
    assert.match(r.stdout, new RegExp(`^\\+    image: redis:7\\.2\\.5@${DIGEST}$`, 'm'));
  });

  it('bad input: one line naming the file (and line), exit 2, nothing written', () => {
    const broken = project({ 'compose.yaml': 'services:\n  web: [\n' });
    assertOneLineError(runBuiltCli(['fix', broken, '--write']), /compose\.yaml:\d+(:\d+)?: /);
    assert.equal(readFileSync(join(broken, 'compose.yaml'), 'utf8'), 'services:\n  web: [\n');

    const dir = project({ 'compose.yaml': DB_ONLY, 'bad.lock': `redis:7@${DIGEST}\nnot a pin\n` });
    assertOneLineError(runBuiltCli(['fix', dir, '--digest', 'postgres:17=abc']), /--digest postgres:17=abc: expected/);
    assertOneLineError(runBuiltCli(['fix', dir, '--lock', join(dir, 'bad.lock')]), /bad\.lock:2: expected IMAGE=/);
    assertOneLineError(runBuiltCli(['fix', dir, '--rule', 'no-such-rule']), /--rule no-such-rule: no check rule/);
    assertOneLineError(runBuiltCli(['fix', dir, '--rule', 'privileged']), /--rule privileged: this rule has no fix/);
    assert.equal(readFileSync(join(dir, 'compose.yaml'), 'utf8'), DB_ONLY);
  });

  it('--write refuses a compose file that is a symbolic link, and writes no file at all', () => {
    const dir = project({ 'real.yaml': DB_ONLY });
    symlinkSync(join(dir, 'real.yaml'), join(dir, 'compose.yaml'));
    assertOneLineError(runBuiltCli(['fix', dir, '--write']), /compose\.yaml: is a symbolic link/);
    assert.equal(readFileSync(join(dir, 'real.yaml'), 'utf8'), DB_ONLY);
    assert.deepEqual(readdirSync(dir).sort(), ['compose.yaml', 'real.yaml'], 'no .preflight.yml either');
  });
});
