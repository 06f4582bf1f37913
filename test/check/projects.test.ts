import assert from 'node:assert/strict';
import { symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { XMLValidator } from 'fast-xml-parser';
import { check } from '../../src/commands/check.js';
import { discoverRecursive } from '../../src/compose/discover.js';
import { renderReport } from '../../src/report/index.js';
import { InputError } from '../../src/util/errors.js';
import { catalogue } from '../support/catalogue.js';
import { runBuiltCli } from '../support/cli.js';
import { scratchDir } from '../support/project.js';
import { sarifErrors } from '../support/sarif.js';

/**
 * `check` on several projects (`-r`, or several paths): one project's input error is that
 * project's entry, the others are still checked, and the run exits 2; links are followed once;
 * a project given twice is checked once; the text report groups findings by project.
 */
const scratch = scratchDir('projects');
const GOOD = 'services:\n  web:\n    image: nginx:1.27\n';

describe('check on several projects', () => {
  const root = scratch.project('tree', {
    'a/compose.yaml': GOOD,
    'b/compose.yaml': 'services:\n  web:\n    image: nginx:1.27\n  db: [postgres]\n',
    'c/compose.yaml': 'services:\n  db:\n    image: postgres:16\n    restart: always\n',
  });

  it('a project that fails to load is its target’s error; every other project is still checked', () => {
    const report = check([root], { recursive: true, cwd: root });
    assert.deepEqual(
      report.targets.map((t) => [t.dir, t.error === undefined, t.services]),
      [
        ['a', true, 1],
        ['b', false, 0],
        ['c', true, 1],
      ],
    );
    const b = report.targets[1]!;
    assert.equal(b.error!.message, 'b/compose.yaml:4:3: service "db" must be a mapping, not a list');
    assert.equal(b.error!.file, 'b/compose.yaml');
    assert.equal(b.error!.line, 4);
    assert.deepEqual(b.files, ['b/compose.yaml']);
    assert.ok(report.findings.some((f) => f.target === 0) && report.findings.some((f) => f.target === 2));
    assert.ok(!report.findings.some((f) => f.target === 1));
  });

  it('JSON lists the error in targets; SARIF has an error result and a tool notification, and validates', () => {
    const report = check([root], { recursive: true, cwd: root });
    const json = JSON.parse(renderReport(report, 'json', { catalogue }));
    assert.equal(json.targets[1].error.line, 4);
    const sarif = JSON.parse(renderReport(report, 'sarif', { catalogue }));
    assert.deepEqual(sarifErrors(sarif), []);
    const run = sarif.runs[0];
    const result = run.results.find((r: { ruleId: string }) => r.ruleId === 'input-error');
    assert.equal(result.level, 'error');
    assert.equal(result.locations[0].physicalLocation.region.startLine, 4);
    assert.equal(run.invocations[0].executionSuccessful, false);
    assert.match(run.invocations[0].toolExecutionNotifications[0].message.text, /must be a mapping/);
    const junit = renderReport(report, 'junit', { catalogue });
    assert.equal(XMLValidator.validate(junit), true);
    assert.match(junit, /<testsuites [^>]*errors="1"/);
  });

  it('the CLI prints the report, names the error on stderr, and exits 2', () => {
    const r = runBuiltCli(['check', '-r', root, '--format', 'json', '--fail-on', 'never']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^preflight: .*b\/compose\.yaml:4:3: service "db" must be a mapping/m);
    assert.equal(JSON.parse(r.stdout).targets.length, 3);
  });

  it('a single project that fails to load is still one input error and no report', () => {
    const r = runBuiltCli(['check', join(root, 'b')]);
    assert.equal(r.code, 2);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /^preflight: .*compose\.yaml:4:3: service "db" must be a mapping, not a list\n$/);
  });

  it('text output groups findings by project, then gives the sections of the whole run', () => {
    const report = check([root], { recursive: true, cwd: root });
    const text = renderReport(report, 'text', { catalogue });
    const a = text.indexOf('a/compose.yaml');
    const b = text.indexOf('b/compose.yaml');
    const c = text.indexOf('c/compose.yaml');
    assert.ok(a >= 0 && a < b && b < c, 'projects in order, each with its header');
    assert.match(text.slice(b, c), /not loaded\n\s+error\s+b\/compose\.yaml:4:3/);
    const webFinding = text.indexOf('service "web"');
    assert.ok(webFinding > a && webFinding < b, 'a’s findings are under a');
    const dbFinding = text.indexOf('stateful-no-volume');
    assert.ok(dbFinding > c, 'c’s findings are under c');
    assert.match(text, /1 project not loaded/);
  });

  it('a symbolic link loop is not followed, and a linked project is found once', () => {
    const looped = scratch.project('loop', { 'app/compose.yaml': GOOD });
    symlinkSync(looped, join(looped, 'app', 'back'));
    symlinkSync(join(looped, 'app'), join(looped, 'again'));
    assert.deepEqual(
      discoverRecursive(looped).map((p) => p.dir.slice(looped.length + 1)),
      ['again'],
      'app and again are one directory',
    );
    assert.equal(check([looped], { recursive: true, cwd: looped }).targets.length, 1);
  });

  it('the same project given twice is checked once', () => {
    assert.equal(check([join(root, 'a'), join(root, 'a', '..', 'a')], { cwd: root }).targets.length, 1);
    assert.equal(check([root, join(root, 'c')], { recursive: true, cwd: root }).targets.length, 3);
    assert.equal(check([join(root, 'a', 'compose.yaml'), join(root, 'a')], { cwd: root }).targets.length, 1);
  });
});

describe('a path that is not a compose project', () => {
  const dir = scratch.project('paths', { 'compose.yaml': GOOD });
  const inputError = (fn: () => unknown, message: RegExp) =>
    assert.throws(fn, (e: unknown) => e instanceof InputError && message.test(e.message));

  it('is an input error saying what it is instead', () => {
    inputError(
      () => check([], { cwd: dir, files: ['.'] }),
      /: is a directory; -f takes a compose file \(give a directory without -f\)$/,
    );
    inputError(() => check(['/dev/null'], { cwd: dir }), /^\/dev\/null: is not a regular file \(a character device\)/);
    inputError(() => check(['nope.yaml'], { cwd: dir }), /^nope\.yaml: no such file or directory$/);
    inputError(() => check([], { cwd: dir, files: ['nope.yaml'] }), /^nope\.yaml: no such file$/);
  });
});

describe('unused suppressions in CI', () => {
  const dir = scratch.project('unused-ci', {
    'compose.yaml':
      'services:\n  web:\n    image: nginx:1.27 # preflight-ignore restart-policy -- left over\n    restart: always\n',
  });
  const unused = (args: string[], env: Record<string, string | undefined>) =>
    JSON.parse(runBuiltCli(['check', dir, '--format', 'json', ...args], { env }).stdout).findings.filter(
      (f: { ruleId: string }) => f.ruleId === 'unused-suppression',
    ).length;

  it('must fire: a directive that suppressed nothing, when CI is set or the flag is given', () => {
    assert.equal(unused([], { CI: 'true' }), 1);
    assert.equal(unused([], { CI: '1' }), 1);
    assert.equal(unused(['--report-unused-suppressions'], { CI: undefined }), 1);
  });

  it('must not fire: outside CI, with CI=false, or with --no-report-unused-suppressions', () => {
    assert.equal(unused([], { CI: undefined }), 0);
    assert.equal(unused([], { CI: 'false' }), 0);
    assert.equal(unused(['--no-report-unused-suppressions'], { CI: 'true' }), 0);
  });
});

describe('what the report says about each project', () => {
  it('the override twin: merged or not', () => {
    const dir = scratch.project('override', {
      'compose.yaml': GOOD,
      'compose.override.yaml': 'services:\n  web:\n    restart: always\n',
    });
    const merged = check(['.'], { cwd: dir, withOverride: true });
    assert.deepEqual(merged.targets[0]!.override, { file: 'compose.override.yaml', merged: true });
    assert.deepEqual(merged.targets[0]!.files, ['compose.yaml', 'compose.override.yaml']);
    assert.match(renderReport(merged, 'text', { catalogue }), /compose\.override\.yaml merged: deploy the merged file/);
    const viaF = check([], { cwd: dir, files: ['compose.yaml', 'compose.override.yaml'] });
    assert.deepEqual(viaF.targets[0]!.override, { file: 'compose.override.yaml', merged: true });
    const not = check(['.'], { cwd: dir });
    assert.deepEqual(not.targets[0]!.override, { file: 'compose.override.yaml', merged: false });
    assert.deepEqual(not.targets[0]!.files, ['compose.yaml']);
    assert.ok(not.findings.some((f) => f.ruleId === 'override-not-shipped'));
    assert.ok(!merged.findings.some((f) => f.ruleId === 'override-not-shipped'));
    const json = JSON.parse(renderReport(not, 'json', { catalogue }));
    assert.deepEqual(json.targets[0].override, { file: 'compose.override.yaml', merged: false });
  });

  it('the CLI merges the twin with --with-override', () => {
    const dir = scratch.project('override-cli', {
      'compose.yaml': GOOD,
      'compose.override.yaml': 'services:\n  web:\n    restart: always\n',
    });
    const plain = JSON.parse(runBuiltCli(['check', dir, '--format', 'json']).stdout);
    const merged = JSON.parse(runBuiltCli(['check', dir, '--with-override', '--format', 'json']).stdout);
    assert.equal(plain.targets[0].files.length, 1);
    assert.equal(merged.targets[0].files.length, 2);
    const restart = (r: { findings: { ruleId: string }[] }) => r.findings.filter((f) => f.ruleId === 'restart-policy');
    assert.equal(restart(plain).length, 1, 'the CVM runs web without a restart policy');
    assert.equal(restart(merged).length, 0);
  });
});
