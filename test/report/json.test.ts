import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import '../../scripts/gen-rule-docs.js';
import { check } from '../../src/commands/check.js';
import { catalogue, meta, ruleMeta } from '../support/catalogue.js';
const allRuleMeta = () => catalogue.all();
import type { Report } from '../../src/findings/types.js';
import { DOCS_BASE_URL, ruleDocsUrl } from '../../src/report/docs-url.js';
import { renderReport } from '../../src/report/index.js';
import { renderJson } from '../../src/report/json.js';

describe('JSON report', () => {
  const report = check(['examples/shop']);
  const json = JSON.parse(renderReport(report, 'json', { catalogue })) as Report & {
    findings: { fixHint?: string; docsUrl?: string }[];
  };

  it("keeps the findings object as it is and adds each finding fixHint (its own, else its rule's) and docsUrl", () => {
    assert.deepEqual(Object.keys(json), ['tool', 'targets', 'score', 'findings', 'suppressed', 'checkedSections']);
    assert.equal(json.findings.length, report.findings.length);
    report.findings.forEach((f, i) => {
      const out = json.findings[i]!;
      const { fixHint, docsUrl, ...rest } = out;
      assert.deepEqual(rest, JSON.parse(JSON.stringify(f)), 'existing fields unchanged');
      assert.equal(fixHint, f.fix?.description ?? ruleMeta(f.ruleId)!.fixHint);
      assert.equal(docsUrl, `${DOCS_BASE_URL}rules.md#${f.ruleId}`);
    });
  });

  it('says which sections were checked: every section a check rule covers, not rollout', () => {
    assert.deepEqual(json.checkedSections, [
      'restart',
      'volumes',
      'secrets',
      'keys',
      'upgrades',
      'observability',
      'logs',
      'platform',
    ]);
  });

  it('scores a section that was not checked null, not 100', () => {
    assert.equal(report.score.sections.rollout, 100, 'the model has no findings there');
    assert.equal(json.score.sections.rollout, null);
    assert.equal(json.score.sections.restart, report.score.sections.restart);
    assert.equal(json.score.overall, report.score.overall);
  });

  it('omits fixHint and docsUrl for a rule id the catalogue does not know, and reads the meta option', () => {
    // A finding without its own fix, so the catalogue's fixHint is what shows.
    const plain = report.findings.find((f) => !f.fix)!;
    const one: Report = { ...report, findings: [{ ...plain, ruleId: 'unknown-rule' }], suppressed: [] };
    const out = JSON.parse(renderJson(one, { meta })).findings[0];
    assert.equal(out.fixHint, undefined);
    assert.equal(out.docsUrl, undefined);
    const passed = JSON.parse(
      renderJson(one, { meta: () => ({ ...ruleMeta('restart-policy')!, fixHint: 'passed in' }) }),
    ).findings[0];
    assert.equal(passed.fixHint, 'passed in');
    assert.equal(passed.docsUrl, ruleDocsUrl('unknown-rule'));
  });

  it('docs URLs land on a heading: every rule id is its own GitHub anchor', () => {
    // gen-rule-docs (imported above) loads every module that registers rules: check, diff, drills, secrets.
    assert.ok(allRuleMeta().length > 40);
    for (const m of allRuleMeta()) assert.match(m.id, /^[a-z0-9-]+$/, `${m.id}: heading slug = id`);
    assert.match(DOCS_BASE_URL, /^https:\/\/.+\/docs\/$/);
  });
});
