import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { preflightCatalogue } from '../../src/commands/catalogue.js';
import type { RolloutReport } from '../../src/findings/rollout.js';
import { renderReport } from '../../src/report/index.js';
import { rolloutFindingsReport } from '../../src/rollout/report.js';
import { sarifErrors } from '../support/sarif.js';
import { sampleReport } from './support/sample-report.js';

/**
 * A rollout's findings in the formats `check` has for CI (SARIF, JUnit, GitHub annotations),
 * rendered by the same renderers from the same findings model: one result / testcase / annotation
 * per finding, a suppressed finding as SARIF's suppression and JUnit's skipped case, only section
 * `rollout` counted as checked.
 */
const catalogue = preflightCatalogue();

function withSuppressed(): RolloutReport {
  const r = sampleReport();
  r.findings.push({
    ruleId: 'rollout-rolled-back',
    severity: 'warning',
    section: 'rollout',
    message: 'local-1 was rolled back to aaaaaaaaaaaa',
    file: 'fleet.yml',
    line: 1,
    column: 1,
  });
  r.suppressed.push({
    ruleId: 'rollout-requests-failed',
    severity: 'warning',
    section: 'rollout',
    message: '3 of 8000 requests through the balancer failed',
    file: 'fleet.yml',
    line: 1,
    column: 1,
    suppression: { kind: 'config', reason: 'the rehearsal balancer resets on reload' },
  });
  return r;
}

const render = (r: RolloutReport, format: 'sarif' | 'junit' | 'github') =>
  renderReport(rolloutFindingsReport(r), format, { catalogue });

describe('rollout findings, SARIF', () => {
  it('valid SARIF 2.1.0: one result per finding with its rule, level and location; the exempted one suppressed', () => {
    const log = JSON.parse(render(withSuppressed(), 'sarif'));
    assert.deepEqual(sarifErrors(log), []);
    const run = log.runs[0];
    const results = run.results as {
      ruleId: string;
      level: string;
      message: { text: string };
      locations: { physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } } }[];
      suppressions?: { kind: string; justification: string }[];
    }[];
    assert.deepEqual(
      results.map((r) => [r.ruleId, r.level, !!r.suppressions?.length]),
      [
        ['rollout-gate-failed', 'error', false],
        ['rollout-rolled-back', 'warning', false],
        ['rollout-requests-failed', 'warning', true],
      ],
    );
    assert.equal(results[0]!.locations[0]!.physicalLocation.artifactLocation.uri, 'fleet.yml');
    assert.equal(results[0]!.locations[0]!.physicalLocation.region.startLine, 1);
    assert.match(results[0]!.message.text, /local-1: gate "http \/health" did not pass/);
    const rules = (run.tool.driver.rules as { id: string }[]).map((r) => r.id);
    for (const id of ['rollout-gate-failed', 'rollout-rolled-back', 'rollout-requests-failed'])
      assert.ok(rules.includes(id), `rule ${id} described in the driver`);
  });

  it('a clean rollout: valid SARIF with no results', () => {
    const r = sampleReport();
    r.findings = [];
    const log = JSON.parse(render(r, 'sarif'));
    assert.deepEqual(sarifErrors(log), []);
    assert.deepEqual(log.runs[0].results, []);
  });
});

describe('rollout findings, JUnit', () => {
  const parse = (xml: string) => {
    assert.equal(XMLValidator.validate(xml), true);
    return new XMLParser({
      ignoreAttributes: false,
      attributeNamePrefix: '',
      isArray: (n) => n === 'testsuite' || n === 'testcase',
    }).parse(xml).testsuites as {
      failures: string;
      skipped: string;
      testsuite: { name: string; testcase: { name: string; failure?: unknown; skipped?: { message: string } }[] }[];
    };
  };

  it('the rollout suite: the error a failed case, the warning a passing case (below --fail-on error), the exempted one skipped', () => {
    const suites = parse(render(withSuppressed(), 'junit'));
    const rollout = suites.testsuite.find((s) => s.name === 'rollout')!;
    assert.deepEqual(
      rollout.testcase.map((c) => [c.name.split(' ')[0], c.failure !== undefined, c.skipped !== undefined]),
      [
        ['rollout-gate-failed', true, false],
        ['rollout-rolled-back', false, false],
        ['rollout-requests-failed', false, true],
      ],
    );
    assert.equal(suites.failures, '1');
  });

  it('every other section is "not checked" (skipped), never a clean pass', () => {
    const suites = parse(render(withSuppressed(), 'junit'));
    const others = suites.testsuite.filter((s) => s.name !== 'rollout');
    assert.ok(others.length > 0);
    for (const s of others) {
      assert.equal(s.testcase.length, 1, s.name);
      assert.equal(s.testcase[0]!.skipped?.message, 'no rule that ran covers this section', s.name);
    }
  });
});

describe('rollout findings, GitHub annotations', () => {
  it('one workflow command per finding, at its file and line, by severity; none for the exempted one', () => {
    const lines = render(withSuppressed(), 'github').trim().split('\n');
    const annotations = lines.filter((l) => /^::(error|warning|notice) /.test(l));
    assert.equal(annotations.length, 2, lines.join('\n'));
    assert.match(
      annotations[0]!,
      /^::error file=fleet\.yml,line=1,col=1,title=[^:]*rollout-gate-failed[^:]*::local-1: gate/,
    );
    assert.match(annotations[1]!, /^::warning file=fleet\.yml,line=1,col=1,title=[^:]*rollout-rolled-back/);
    assert.ok(!lines.some((l) => l.includes('rollout-requests-failed') && l.startsWith('::warning')));
  });
});
