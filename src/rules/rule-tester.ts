import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { loadProject } from '../compose/project.js';
import type { Finding } from '../findings/types.js';
import { runRules } from './engine.js';
import type { Rule } from './types.js';

/**
 * Tests for one rule in the style of ESLint's RuleTester: `valid` snippets must draw no finding of
 * the rule, `invalid` snippets must draw exactly the listed findings (in order of line), and each
 * listed finding states what it says (its `message`, its `messageId`, or both), never just a count.
 */
export interface RuleTestFiles {
  /** The compose file (docker-compose.yml). */
  compose?: string;
  /** app-compose.json text; when given, the project is loaded from it. */
  appCompose?: string;
  /** .preflight.yml text. */
  config?: string;
  /** .env text. */
  env?: string;
  /** Other files beside the compose file (name → text), e.g. for extends. */
  extra?: Record<string, string>;
}

export type RuleTestCase = string | (RuleTestFiles & { name?: string });

export interface ExpectedFinding {
  line?: number;
  column?: number;
  service?: string;
  /** Substring or pattern the message must match. At least one of `message` and `messageId` is required. */
  message?: string | RegExp;
  /** The rule's id for this kind of message. */
  messageId?: string;
  severity?: Finding['severity'];
  file?: string;
  /** The finding's related locations, in order (each listed field must match); `[]` for none. */
  related?: { line?: number; column?: number; service?: string; file?: string }[];
  /** Substring of the fix hint the reader sees for this finding (its own, else the rule's). */
  fix?: string;
}

export interface InvalidCase {
  name?: string;
  code: RuleTestCase;
  errors: ExpectedFinding[];
}

export function ruleTester(rule: Rule, cases: { valid: RuleTestCase[]; invalid: InvalidCase[] }): void {
  describe(`rule ${rule.id}`, () => {
    cases.valid.forEach((c, i) => {
      it(`valid #${i + 1}${caseName(c)}`, () => {
        const found = run(rule, c);
        assert.deepEqual(found.map(describeFinding), [], `expected no ${rule.id} finding`);
      });
    });
    cases.invalid.forEach((c, i) => {
      it(`invalid #${i + 1}${c.name ? `: ${c.name}` : caseName(c.code)}`, () => {
        const found = run(rule, c.code);
        assert.equal(
          found.length,
          c.errors.length,
          `expected ${c.errors.length} finding(s), got:\n${found.map(describeFinding).join('\n')}`,
        );
        c.errors.forEach((exp, j) => {
          const f = found[j]!;
          assert.ok(
            exp.message !== undefined || exp.messageId !== undefined,
            `expected finding ${j + 1} must state its message or messageId (a count alone proves little)`,
          );
          if (exp.messageId !== undefined)
            assert.equal(f.messageId, exp.messageId, `finding ${j + 1} messageId: ${describeFinding(f)}`);
          if (exp.related !== undefined) {
            const got = f.related ?? [];
            assert.equal(
              got.length,
              exp.related.length,
              `finding ${j + 1} related: ${JSON.stringify(got)} (${describeFinding(f)})`,
            );
            exp.related.forEach((r, k) => {
              for (const field of ['line', 'column', 'service', 'file'] as const)
                if (r[field] !== undefined)
                  assert.equal(got[k]![field], r[field], `finding ${j + 1} related ${k + 1} ${field}`);
            });
          }
          if (exp.fix !== undefined) {
            const fix = f.fix?.description ?? rule.fixHint;
            assert.ok(fix.includes(exp.fix), `finding ${j + 1} fix "${fix}" lacks "${exp.fix}"`);
          }
          if (exp.line !== undefined) assert.equal(f.line, exp.line, `finding ${j + 1} line: ${describeFinding(f)}`);
          if (exp.column !== undefined)
            assert.equal(f.column, exp.column, `finding ${j + 1} column: ${describeFinding(f)}`);
          if (exp.service !== undefined)
            assert.equal(f.service, exp.service, `finding ${j + 1} service: ${describeFinding(f)}`);
          if (exp.severity !== undefined)
            assert.equal(f.severity, exp.severity, `finding ${j + 1} severity: ${describeFinding(f)}`);
          if (exp.file !== undefined) assert.equal(f.file, exp.file, `finding ${j + 1} file`);
          if (exp.message !== undefined) {
            if (typeof exp.message === 'string')
              assert.ok(
                f.message.includes(exp.message),
                `finding ${j + 1} message "${f.message}" lacks "${exp.message}"`,
              );
            else assert.match(f.message, exp.message);
          }
          assert.equal(f.section, rule.section);
        });
      });
    });
  });
}

/**
 * Load a snippet as a project in a temporary directory and run one rule on it. An opt-in rule runs
 * as if .preflight.yml turned it on, unless `asConfigured` (then only if the snippet's config does).
 */
export function run(rule: Rule, c: RuleTestCase, opts: { asConfigured?: boolean } = {}): Finding[] {
  const files: RuleTestFiles = typeof c === 'string' ? { compose: c } : c;
  const dir = mkdtempSync(join(tmpdir(), 'preflight-rule-'));
  try {
    const kind = files.appCompose !== undefined ? 'app-compose' : 'compose';
    const main = kind === 'app-compose' ? join(dir, 'app-compose.json') : join(dir, 'docker-compose.yml');
    writeFileSync(main, kind === 'app-compose' ? files.appCompose! : dedent(files.compose ?? 'services: {}\n'));
    if (files.config !== undefined) writeFileSync(join(dir, '.preflight.yml'), dedent(files.config));
    if (files.env !== undefined) writeFileSync(join(dir, '.env'), files.env);
    for (const [name, text] of Object.entries(files.extra ?? {})) writeFileSync(join(dir, name), dedent(text));
    const project = loadProject({ dir, files: [main], kind }, { cwd: dir });
    const { findings } = runRules(project, [rule], opts.asConfigured ? {} : { enableOptIn: true });
    return findings.filter((f) => f.ruleId === rule.id).sort((a, b) => a.line - b.line || a.column - b.column);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Strip the common indentation of a template literal so snippets can be indented in test files. */
export function dedent(text: string): string {
  const lines = text.replace(/^\n/, '').split('\n');
  const indents = lines.filter((l) => l.trim()).map((l) => /^ */.exec(l)![0].length);
  const min = indents.length ? Math.min(...indents) : 0;
  return lines.map((l) => l.slice(min)).join('\n');
}

function caseName(c: RuleTestCase): string {
  return typeof c === 'object' && c.name ? `: ${c.name}` : '';
}

function describeFinding(f: Finding): string {
  return `${f.file}:${f.line}:${f.column} ${f.ruleId} [${f.service ?? '-'}] ${f.message}`;
}
