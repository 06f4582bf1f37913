import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { XMLValidator } from 'fast-xml-parser';
import { RULES } from '../../src/rules/index.js';
import { runBuiltCli } from '../support/cli.js';
import { sarifErrors } from '../support/sarif.js';

/** `preflight check` output through the built CLI: formats, --output, colour, --fail-on. */
const dir = mkdtempSync(join(tmpdir(), 'preflight-cli-output-'));
after(() => rmSync(dir, { recursive: true, force: true }));

// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;]*m/;

describe('check output formats', () => {
  it('--format sarif prints a SARIF log that validates', () => {
    const r = runBuiltCli(['check', 'examples/shop', '--format', 'sarif']);
    assert.equal(r.stderr, '');
    const log = JSON.parse(r.stdout);
    assert.deepEqual(sarifErrors(log), []);
    assert.ok(log.runs[0].results.length > 0);
    assert.doesNotMatch(r.stdout, ANSI);
  });

  it('--format junit prints well-formed JUnit XML', () => {
    const r = runBuiltCli(['check', 'examples/shop', '--format', 'junit']);
    assert.equal(XMLValidator.validate(r.stdout), true);
    assert.match(r.stdout, /<testsuites [^>]*failures="[1-9]/);
  });

  it('--output writes the report to the file and nothing to stdout', () => {
    const out = join(dir, 'report.sarif');
    const r = runBuiltCli(['check', 'examples/shop', '--format', 'sarif', '--output', out], {
      env: { FORCE_COLOR: '1' },
    });
    assert.equal(r.stdout, '');
    assert.deepEqual(sarifErrors(JSON.parse(readFileSync(out, 'utf8'))), []);
    const textOut = join(dir, 'report.txt');
    runBuiltCli(['check', 'examples/shop', '-o', textOut], { env: { FORCE_COLOR: '1' } });
    const text = readFileSync(textOut, 'utf8');
    assert.match(text, /score \d+\/100/);
    assert.doesNotMatch(text, ANSI, 'a file never gets colour codes');
  });

  it('rejects an unknown format with exit 2', () => {
    const r = runBuiltCli(['check', 'examples/shop', '--format', 'html5']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /sarif/);
  });
});

describe('colour', () => {
  it('piped output has no ANSI codes', () => {
    const r = runBuiltCli(['check', 'examples/shop']);
    assert.match(r.stdout, /score \d+\/100/);
    assert.doesNotMatch(r.stdout, ANSI);
  });

  it('FORCE_COLOR=1 colours piped text output', () => {
    const r = runBuiltCli(['check', 'examples/shop'], { env: { FORCE_COLOR: '1' } });
    assert.match(r.stdout, ANSI);
  });

  it('FORCE_COLOR=0 and NO_COLOR keep it plain', () => {
    assert.doesNotMatch(runBuiltCli(['check', 'examples/shop'], { env: { FORCE_COLOR: '0' } }).stdout, ANSI);
    assert.doesNotMatch(runBuiltCli(['check', 'examples/shop'], { env: { NO_COLOR: '1' } }).stdout, ANSI);
  });
});

describe('--fail-on exit codes', () => {
  it('exit 1 when a finding reaches the threshold, 0 when not (bundled example)', () => {
    const r = runBuiltCli(['check', 'examples/shop', '--format', 'json']);
    const report = JSON.parse(r.stdout) as { findings: { severity: string }[] };
    assert.ok(
      report.findings.some((f) => f.severity === 'error'),
      'the example has errors',
    );
    assert.equal(r.code, 1, 'default --fail-on error');
    assert.equal(runBuiltCli(['check', 'examples/shop', '--fail-on', 'never']).code, 0);
    assert.equal(runBuiltCli(['check', 'examples/shop', '--fail-on', 'warning']).code, 1);
    assert.equal(
      runBuiltCli(['check', 'examples/shop-fixed', '--fail-on', 'warning']).code,
      0,
      'the corrected twin draws no error or warning',
    );
  });

  // Every rule off but restart-policy, at the configured severity: the exit code follows --fail-on exactly.
  const project = join(dir, 'fail-on');
  mkdirSync(project, { recursive: true });
  writeFileSync(join(project, 'compose.yaml'), 'services:\n  web:\n    image: nginx:1.27\n');
  const only = (severity: string) =>
    writeFileSync(
      join(project, '.preflight.yml'),
      'rules:\n' + RULES.map((r) => `  ${r.id}: ${r.id === 'restart-policy' ? severity : 'off'}\n`).join(''),
    );
  const table: [severity: string, failOn: string, code: number][] = [
    ['error', 'error', 1],
    ['error', 'warning', 1],
    ['error', 'info', 1],
    ['error', 'never', 0],
    ['warning', 'error', 0],
    ['warning', 'warning', 1],
    ['warning', 'info', 1],
    ['warning', 'never', 0],
    ['info', 'error', 0],
    ['info', 'warning', 0],
    ['info', 'info', 1],
    ['info', 'never', 0],
  ];
  for (const [severity, failOn, code] of table) {
    it(`a lone ${severity} with --fail-on ${failOn} exits ${code}`, () => {
      only(severity);
      const r = runBuiltCli(['check', project, '--fail-on', failOn, '--format', 'json']);
      const report = JSON.parse(r.stdout) as { findings: { ruleId: string; severity: string }[] };
      assert.deepEqual(
        report.findings.map((f) => [f.ruleId, f.severity]),
        [['restart-policy', severity]],
      );
      assert.equal(r.code, code);
    });
  }

  it('an unknown --fail-on value is a usage error (exit 2)', () => {
    assert.equal(runBuiltCli(['check', 'examples/shop', '--fail-on', 'bogus']).code, 2);
  });
});
