import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { check } from '../../src/commands/check.js';
import { exampleFiles, type RuleExample } from '../../src/findings/catalogue.js';
import { RULES } from '../../src/rules/index.js';

/**
 * Every check rule's example (`preflight explain`, docs/rules.md) does what it says, through the real
 * `check` of a project written to disk: `bad` draws the rule's finding, `good` none. So an example
 * cannot rot when the rule changes.
 */
describe('rule examples', () => {
  for (const rule of RULES) {
    describe(rule.id, () => {
      it('has an example with a fixed form', () => {
        assert.ok(rule.example, `${rule.id} has no example`);
        assert.notDeepEqual(exampleFiles(rule.example, 'good'), exampleFiles(rule.example, 'bad'));
        if (rule.example.repeat) assert.ok(rule.example.bad.includes(`${rule.example.repeat.line}\n`));
      });
      if (!rule.example) return;
      const example = rule.example;
      it('the example draws the finding', () => {
        assert.ok(findingsOf(rule.id, example, 'bad').length > 0, `${rule.id}: the bad example draws no finding`);
      });
      it('the fixed example draws none', () => {
        assert.deepEqual(findingsOf(rule.id, example, 'good'), []);
      });
    });
  }
});

function findingsOf(id: string, example: RuleExample, which: 'bad' | 'good'): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'preflight-example-'));
  try {
    for (const [name, text] of Object.entries(exampleFiles(example, which))) writeFileSync(join(dir, name), text);
    const report = check([dir], { cwd: dir, reportUnusedSuppressions: true });
    return report.findings.filter((f) => f.ruleId === id).map((f) => `${f.file}:${f.line} ${f.message}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
