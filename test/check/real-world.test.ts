import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { check } from '../../src/commands/check.js';
import { scratchDir } from '../support/project.js';
import { REAL_WORLD_CASES } from './real-world-cases.js';

/** `check` on minimal reproductions of real compose files (test/check/real-world-cases.ts). */
const scratch = scratchDir('real-world');

describe('check on real-world patterns', () => {
  REAL_WORLD_CASES.forEach((c, i) => {
    it(`${c.name} (${c.source})`, () => {
      const dir = scratch.project(`case-${i}`, c.files);
      const report = check([dir], { cwd: dir });
      const byRule = (id: string) => report.findings.filter((f) => f.ruleId === id);
      for (const [rule, exp] of Object.entries(c.expect)) {
        const found = byRule(rule);
        assert.equal(found.length, exp.count, `${rule}: ${found.map((f) => f.message).join(' | ')}`);
        if (exp.message) assert.ok(found[0]!.message.includes(exp.message), `${rule}: "${found[0]!.message}"`);
      }
      for (const rule of c.quiet)
        assert.deepEqual(
          byRule(rule).map((f) => f.message),
          [],
          `${rule} must stay quiet: ${c.pattern}`,
        );
    });
  });
});
