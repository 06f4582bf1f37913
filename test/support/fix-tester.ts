import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fix, type FixResult } from '../../src/commands/fix.js';
import { dedent, type RuleTestFiles } from '../../src/rules/rule-tester.js';
import type { Rule } from '../../src/rules/types.js';

/**
 * Tests of one rule's fix, in the style of ESLint's RuleTester `output`: each `apply` case must be
 * fixed into exactly `output` (the compose file unless `file` names another), leave no finding of
 * the rule behind, and refuse nothing; each `refuse` case must be refused with a reason matching
 * `reason`, and change no file.
 */
export interface ApplyCase {
  name: string;
  code: string | RuleTestFiles;
  /** The fixed text of `file`. */
  output: string;
  /** The file whose fixed text is `output` (default the compose file, docker-compose.yml). */
  file?: string;
  digests?: Record<string, string>;
  /** Substring of the patch header (the fix's description, its behaviour label). */
  header?: string;
}

export interface RefuseCase {
  name: string;
  code: string | RuleTestFiles;
  reason: string | RegExp;
  digests?: Record<string, string>;
}

export function fixTester(rule: Rule, cases: { apply: ApplyCase[]; refuse: RefuseCase[] }): void {
  describe(`fix ${rule.id}`, () => {
    for (const c of cases.apply) {
      it(`applies: ${c.name}`, () => {
        const { result, dir } = runFix(rule, c.code, c.digests);
        try {
          assert.deepEqual(result.refused, [], 'nothing refused');
          assert.ok(result.applied.length > 0, 'a fix applied');
          const file = c.file ?? 'docker-compose.yml';
          const change = result.changes.find((ch) => ch.file === file);
          assert.ok(change, `${file} changed (changed: ${result.changes.map((ch) => ch.file).join(', ')})`);
          assert.equal(change.after, dedent(c.output));
          assert.deepEqual(
            result.after.findings.filter((f) => f.ruleId === rule.id).map((f) => f.message),
            [],
            'the fixed findings are gone',
          );
          if (c.header) assert.ok(result.patch.includes(c.header), `patch header has ${c.header}:\n${result.patch}`);
          // Dry run: nothing was written.
          assert.equal(readFileSync(join(dir, 'docker-compose.yml'), 'utf8'), composeText(c.code));
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      });
    }
    for (const c of cases.refuse) {
      it(`refuses: ${c.name}`, () => {
        const { result, dir } = runFix(rule, c.code, c.digests);
        try {
          assert.deepEqual(result.applied, [], 'nothing applied');
          assert.equal(result.refused.length > 0, true, 'a refusal');
          for (const r of result.refused)
            if (typeof c.reason === 'string') assert.ok(r.reason.includes(c.reason), r.reason);
            else assert.match(r.reason, c.reason);
          assert.deepEqual(result.changes, [], 'no file changed');
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      });
    }
  });
}

function composeText(code: string | RuleTestFiles): string {
  return dedent(typeof code === 'string' ? code : (code.compose ?? 'services: {}\n'));
}

/** The case's files in a temporary directory, fixed (dry run) with the rule alone. */
export function runFix(
  rule: Rule,
  code: string | RuleTestFiles,
  digests: Record<string, string> = {},
): { result: FixResult; dir: string } {
  const files: RuleTestFiles = typeof code === 'string' ? { compose: code } : code;
  const dir = mkdtempSync(join(tmpdir(), 'preflight-fix-'));
  const main = files.appCompose !== undefined ? 'app-compose.json' : 'docker-compose.yml';
  writeFileSync(join(dir, 'docker-compose.yml'), composeText(code));
  if (files.appCompose !== undefined) writeFileSync(join(dir, 'app-compose.json'), files.appCompose);
  if (files.config !== undefined) writeFileSync(join(dir, '.preflight.yml'), dedent(files.config));
  if (files.env !== undefined) writeFileSync(join(dir, '.env'), files.env);
  for (const [name, text] of Object.entries(files.extra ?? {})) writeFileSync(join(dir, name), dedent(text));
  const result = fix([join(dir, main)], { cwd: dir, ruleIds: [rule.id], digests: new Map(Object.entries(digests)) });
  return { result, dir };
}
