import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { RULES_DOC, renderRuleDocs } from '../../scripts/gen-rule-docs.js';
import { preflightCatalogue } from '../../src/commands/catalogue.js';
import { OVERALL_PENALTY, PENALTY, score } from '../../src/findings/score.js';
import { SEVERITIES, type Finding } from '../../src/findings/types.js';
import { RULES } from '../../src/rules/index.js';
import { REPO_ROOT } from '../support/cli.js';

describe('docs/rules.md', () => {
  const onDisk = readFileSync(RULES_DOC, 'utf8');

  it('is up to date with the rule catalogue (run `npm run docs` when this fails)', () => {
    assert.equal(onDisk, renderRuleDocs());
  });

  it('has one entry per rule id, with its section, severity, title, rationale and fix hint', () => {
    const headings = [...onDisk.matchAll(/^### (.+)$/gm)].map((m) => m[1]);
    assert.equal(new Set(headings).size, headings.length, 'no id twice');
    for (const rule of RULES) assert.ok(headings.includes(rule.id), `${rule.id} is documented`);
    for (const m of preflightCatalogue().all()) {
      const start = onDisk.indexOf(`### ${m.id}\n`);
      assert.ok(start >= 0, `${m.id} is documented`);
      const next = onDisk.indexOf('\n### ', start + 1);
      const body = onDisk.slice(start, next < 0 ? undefined : next);
      assert.ok(body.includes(m.title), `${m.id}: title`);
      assert.ok(body.includes(`Section: \`${m.section}\``), `${m.id}: section`);
      const severity = m.optIn ? `opt-in, severity when on: \`${m.severity}\`` : `default severity: \`${m.severity}\``;
      assert.ok(body.includes(severity), `${m.id}: severity`);
      assert.ok(body.includes(m.rationale), `${m.id}: rationale`);
      assert.ok(body.includes(m.fixHint), `${m.id}: fix hint`);
    }
  });
});

describe('docs/scoring.md', () => {
  const doc = readFileSync(join(REPO_ROOT, 'docs', 'scoring.md'), 'utf8');

  it('states the penalties the code uses', () => {
    for (const s of SEVERITIES) {
      assert.ok(
        doc.includes(`| ${s} | ${PENALTY[s]} | ${OVERALL_PENALTY[s]} |`),
        `row for ${s}: ${PENALTY[s]} / ${OVERALL_PENALTY[s]}`,
      );
    }
  });

  it('its worked example is what score() computes', () => {
    const f = (severity: Finding['severity'], section: Finding['section']): Finding => ({
      ruleId: 'x',
      severity,
      section,
      message: 'm',
      file: 'f',
      line: 1,
      column: 1,
    });
    const s = score([f('error', 'volumes'), f('warning', 'volumes'), f('warning', 'volumes'), f('info', 'upgrades')]);
    assert.equal(s.sections.volumes, 59);
    assert.equal(s.sections.upgrades, 98);
    assert.equal(s.sections.restart, 100);
    assert.equal(s.overall, 76);
    assert.ok(doc.includes('| volumes | 100 − 25 − 8 − 8 | 59 |'));
    assert.ok(doc.includes('| overall | 100 − 15 − 4 − 4 − 1 | 76 |'));
  });

  it('scores never drop below 0', () => {
    const many = Array.from(
      { length: 20 },
      (): Finding => ({ ruleId: 'x', severity: 'error', section: 'keys', message: 'm', file: 'f', line: 1, column: 1 }),
    );
    const s = score(many);
    assert.equal(s.sections.keys, 0);
    assert.equal(s.overall, 0);
  });
});
