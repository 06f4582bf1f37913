import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { it } from 'node:test';
import { XMLValidator } from 'fast-xml-parser';
import { check } from '../../src/commands/check.js';
import { discoverRecursive } from '../../src/compose/discover.js';
import { preflightCatalogue } from '../../src/commands/catalogue.js';
import { SECTIONS, SEVERITIES, type Finding, type Report } from '../../src/findings/types.js';
import { renderReport } from '../../src/report/index.js';
import '../../src/rules/index.js';
import { REPO_ROOT } from '../support/cli.js';
import { CORPUS_DIR, describeCorpus } from '../support/corpus.js';
import { sarifErrors } from '../support/sarif.js';

/**
 * Every project of the shared corpus (real compose apps beside the repository, see
 * test/support/corpus.ts) must be checked without a crash or an internal error, and every report
 * must be well formed in every output format.
 */
const CORPUS = CORPUS_DIR;

function assertWellFormed(report: Report, label: string): void {
  const known = new Set(
    preflightCatalogue()
      .all()
      .map((m) => m.id),
  );
  const inRange = (n: number) => Number.isInteger(n) && n >= 0 && n <= 100;
  assert.ok(inRange(report.score.overall), `${label}: overall score ${report.score.overall}`);
  for (const s of SECTIONS)
    assert.ok(inRange(report.score.sections[s]), `${label}: ${s} score ${report.score.sections[s]}`);
  assert.deepEqual(Object.keys(report.score.sections).sort(), [...SECTIONS].sort());
  for (const t of report.targets) {
    assert.ok(t.files.length > 0, `${label}: target ${t.dir} has files`);
    for (const f of t.files)
      assert.ok(existsSync(resolve(REPO_ROOT, f.split('#')[0]!)), `${label}: target file ${f} exists`);
    assert.ok(['app-compose.json', '.preflight.yml', 'phala-cloud-defaults'].includes(t.deploymentSource ?? ''));
  }
  const all: Finding[] = [...report.findings, ...report.suppressed];
  for (const f of all) {
    const where = `${label}: ${f.ruleId} at ${f.file}:${f.line}:${f.column}`;
    assert.ok(known.has(f.ruleId), `${where}: rule id is in the catalog`);
    assert.ok((SECTIONS as readonly string[]).includes(f.section), `${where}: known section ${f.section}`);
    assert.ok((SEVERITIES as readonly string[]).includes(f.severity), `${where}: known severity ${f.severity}`);
    assert.ok(f.message.trim().length > 0, `${where}: has a message`);
    assert.ok(f.file.length > 0 && existsSync(resolve(REPO_ROOT, f.file.split('#')[0]!)), `${where}: file exists`);
    assert.ok(Number.isInteger(f.line) && f.line >= 1, `${where}: line ≥ 1`);
    assert.ok(Number.isInteger(f.column) && f.column >= 1, `${where}: column ≥ 1`);
    if (f.endLine !== undefined) assert.ok(f.endLine >= f.line, `${where}: endLine ≥ line`);
    assert.doesNotMatch(f.message, /\[object Object\]|undefined|NaN/, `${where}: message is rendered`);
  }
  for (const s of report.suppressed)
    assert.ok(s.suppression.reason.trim(), `${label}: suppressed ${s.ruleId} has a reason`);
}

describeCorpus('the shared corpus', { timeout: 300_000 }, () => {
  const projects = discoverRecursive(CORPUS);

  it('has projects to check', () => {
    assert.ok(projects.length >= 50, `found ${projects.length} projects`);
  });

  it('is checked in one recursive run, each project a target of its own', () => {
    const report = check([relative(REPO_ROOT, CORPUS)], { recursive: true, cwd: REPO_ROOT });
    assert.equal(report.targets.length, projects.length);
    assertWellFormed(report, 'whole corpus');
    assert.ok(report.findings.length > 0, 'real apps draw findings');
    assert.deepEqual(sarifErrors(JSON.parse(renderReport(report, 'sarif', { catalogue: preflightCatalogue() }))), []);
    assert.equal(XMLValidator.validate(renderReport(report, 'junit', { catalogue: preflightCatalogue() })), true);
  });

  for (const p of projects) {
    const name = relative(CORPUS, p.dir) || '.';
    it(`checks ${name}`, () => {
      const report = check([relative(REPO_ROOT, p.dir)], { recursive: true, cwd: REPO_ROOT });
      assert.ok(report.targets.length >= 1);
      assertWellFormed(report, name);
      assert.deepEqual(
        sarifErrors(JSON.parse(renderReport(report, 'sarif', { catalogue: preflightCatalogue() }))),
        [],
        `${name}: SARIF validates`,
      );
      assert.equal(
        XMLValidator.validate(renderReport(report, 'junit', { catalogue: preflightCatalogue() })),
        true,
        `${name}: JUnit is well-formed XML`,
      );
      const json = JSON.parse(renderReport(report, 'json', { catalogue: preflightCatalogue() })) as Report;
      assert.equal(json.findings.length, report.findings.length);
      assert.ok(
        renderReport(report, 'text', { catalogue: preflightCatalogue() }).includes('score'),
        `${name}: text report renders`,
      );
    });
  }

  it('covers an app-compose.json project, whose findings point into the embedded compose', () => {
    const manifestProject = projects.find((p) => p.kind === 'app-compose');
    assert.ok(manifestProject, 'the corpus has an app-compose.json');
    const report = check([relative(REPO_ROOT, manifestProject.dir)], { cwd: REPO_ROOT });
    assert.equal(report.targets[0]!.deploymentSource, 'app-compose.json');
    const embedded = report.findings.filter((f) => f.file.endsWith('app-compose.json#docker_compose_file'));
    assert.ok(embedded.length > 0, 'findings name the embedded compose file');
    assert.ok(existsSync(join(manifestProject.dir, 'app-compose.json')));
  });
});
