import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { check } from '../../src/commands/check.js';
import { preflightCatalogue } from '../../src/commands/catalogue.js';
import { Catalogue } from '../../src/findings/catalogue.js';
import { catalogueLookup } from '../../src/report/rule-meta.js';
import type { Finding, Report } from '../../src/findings/types.js';
import { renderReport } from '../../src/report/index.js';
import { DOCS_BASE_URL, ruleDocsUrl } from '../../src/report/docs-url.js';
import { FINGERPRINT_NAME, INFORMATION_URI, renderSarif } from '../../src/report/sarif.js';
import { sarifErrors } from '../support/sarif.js';

interface SarifRun {
  tool: { driver: { name: string; version: string; informationUri: string; rules: Record<string, any>[] } };
  artifacts: { location: { uri: string }; parentIndex?: number }[];
  results: Record<string, any>[];
  originalUriBaseIds?: Record<string, { uri: string }>;
  invocations: Record<string, any>[];
  properties: { score: { overall: number; sections: Record<string, number | null> } };
}

const parse = (text: string) => JSON.parse(text) as { version: string; runs: SarifRun[] };

// Preflight's catalogue plus a rule of a test-only id, so the fixture does not depend on which rules exist yet.
const catalogue = new Catalogue([
  ...preflightCatalogue().all(),
  {
    id: 'test-sarif-rule',
    section: 'secrets',
    severity: 'error',
    title: 'A test rule <with> "markup" & quotes',
    rationale: 'Because tests need a rule with docs.',
    fixHint: 'Do the thing.',
    docsUrl: 'https://example.com/rules/test-sarif-rule',
    source: 'check',
  },
]);
const meta = catalogueLookup(catalogue);
const opts = { meta };

function finding(over: Partial<Finding>): Finding {
  return {
    ruleId: 'restart-policy',
    severity: 'warning',
    section: 'restart',
    message: 'm',
    file: 'docker-compose.yml',
    line: 3,
    column: 5,
    endLine: 3,
    endColumn: 9,
    ...over,
  };
}

const report: Report = {
  tool: { name: 'preflight', version: '0.1.0' },
  targets: [{ dir: '.', files: ['docker-compose.yml'], deploymentSource: 'phala-cloud-defaults', services: 2 }],
  score: {
    overall: 80,
    sections: {
      restart: 92,
      volumes: 100,
      secrets: 75,
      keys: 100,
      upgrades: 100,
      rollout: 100,
      observability: 100,
      logs: 100,
      platform: 100,
    },
  },
  findings: [
    finding({ service: 'web' }),
    finding({
      ruleId: 'test-sarif-rule',
      severity: 'error',
      section: 'secrets',
      message: 'secret in "API_KEY" <redacted>',
      file: 'sub dir/app-compose.json#docker_compose_file',
      line: 7,
      column: 9,
      endLine: 7,
      endColumn: 30,
      service: 'api',
    }),
    finding({
      ruleId: 'test-sarif-rule',
      severity: 'info',
      section: 'secrets',
      file: '/abs/path/compose.yaml',
      line: 1,
      column: 1,
      endLine: undefined,
      endColumn: undefined,
    }),
    finding({
      ruleId: 'not-in-catalog',
      section: 'platform',
      fix: {
        description: 'set restart',
        edits: [{ file: 'docker-compose.yml', start: 10, end: 12, text: 'restart: always' }],
      },
    }),
  ],
  suppressed: [
    { ...finding({ service: 'db', line: 9 }), suppression: { kind: 'inline', reason: 'one-shot job' } },
    {
      ...finding({ ruleId: 'test-sarif-rule', section: 'secrets', line: 12 }),
      suppression: { kind: 'config', reason: 'test data only' },
    },
  ],
};

describe('SARIF report', () => {
  it('validates against the OASIS SARIF 2.1.0 schema', () => {
    const log = parse(renderSarif(report, { srcRoot: '/work/project', meta }));
    assert.deepEqual(sarifErrors(log), []);
    assert.equal(log.version, '2.1.0');
    assert.equal(log.runs.length, 1);
  });

  it('the schema check is real: a wrong level or a missing driver name is rejected', () => {
    const log = parse(renderSarif(report, opts));
    log.runs[0]!.results[0]!.level = 'info';
    assert.ok(sarifErrors(log).some((e) => e.includes('/runs/0/results/0/level')));
    const noName = parse(renderSarif(report, opts)) as any;
    delete noName.runs[0].tool.driver.name;
    assert.ok(sarifErrors(noName).length > 0);
  });

  it('describes the tool and one rule per rule id that appears, with catalog metadata', () => {
    const run = parse(renderSarif(report, opts)).runs[0]!;
    const driver = run.tool.driver;
    assert.equal(driver.name, 'preflight');
    assert.equal(driver.version, '0.1.0');
    assert.equal(driver.informationUri, INFORMATION_URI);
    assert.deepEqual(
      driver.rules.map((r) => r.id),
      ['not-in-catalog', 'restart-policy', 'test-sarif-rule'],
    );
    const test = driver.rules.find((r) => r.id === 'test-sarif-rule')!;
    assert.equal(test.shortDescription.text, 'A test rule <with> "markup" & quotes');
    assert.equal(test.fullDescription.text, 'Because tests need a rule with docs.');
    assert.equal(test.help.text, 'Do the thing.');
    assert.match(test.help.markdown, /^\*\*Fix:\*\* Do the thing\./);
    // helpUri is the rule's entry in docs/rules.md; the catalogue's own link is further reading.
    assert.equal(test.helpUri, `${DOCS_BASE_URL}rules.md#test-sarif-rule`);
    assert.ok(test.help.markdown.includes(`[Rule documentation](${test.helpUri})`));
    assert.ok(test.help.markdown.includes('(https://example.com/rules/test-sarif-rule)'));
    assert.equal(test.defaultConfiguration.level, 'error');
    assert.equal(test.properties.section, 'secrets');
    const restart = driver.rules.find((r) => r.id === 'restart-policy')!;
    assert.equal(restart.shortDescription.text, catalogue.get('restart-policy')!.title);
    assert.equal(restart.defaultConfiguration.level, 'warning');
    assert.equal(restart.helpUri, ruleDocsUrl('restart-policy'));
    assert.equal(restart.help.text, catalogue.get('restart-policy')!.fixHint);
    const unknown = driver.rules.find((r) => r.id === 'not-in-catalog')!;
    assert.equal(unknown.helpUri, undefined, 'no docs entry for an id the catalogue does not know');
    // Every result's ruleIndex points at its own descriptor.
    for (const r of run.results) assert.equal(driver.rules[r.ruleIndex]!.id, r.ruleId);
  });

  it('maps severities to levels and locations to relative URIs with regions', () => {
    const run = parse(renderSarif(report, opts)).runs[0]!;
    const [web, embedded, absolute] = run.results;
    assert.equal(web!.level, 'warning');
    assert.equal(embedded!.level, 'error');
    assert.equal(absolute!.level, 'note');
    assert.equal(web!.message.text, 'm');
    const loc = web!.locations[0].physicalLocation;
    assert.deepEqual(loc.artifactLocation.uri, 'docker-compose.yml');
    assert.deepEqual(loc.region, { startLine: 3, startColumn: 5, endLine: 3, endColumn: 9 });
    // Spaces are percent-encoded; the embedded compose is a fragment of its manifest, a nested artifact.
    const eloc = embedded!.locations[0].physicalLocation;
    assert.equal(eloc.artifactLocation.uri, 'sub%20dir/app-compose.json#docker_compose_file');
    const artifact = run.artifacts[eloc.artifactLocation.index]!;
    assert.equal(artifact.location.uri, eloc.artifactLocation.uri);
    assert.equal(run.artifacts[artifact.parentIndex!]!.location.uri, 'sub%20dir/app-compose.json');
    assert.equal(absolute!.locations[0].physicalLocation.artifactLocation.uri, 'file:///abs/path/compose.yaml');
    assert.deepEqual(absolute!.locations[0].physicalLocation.region, { startLine: 1, startColumn: 1 });
  });

  it('gives line-independent partial fingerprints', () => {
    const moved: Report = {
      ...report,
      findings: report.findings.map((f) => ({ ...f, line: f.line + 10, endLine: f.endLine && f.endLine + 10 })),
    };
    const a = parse(renderSarif(report, opts)).runs[0]!.results.map((r) => r.partialFingerprints[FINGERPRINT_NAME]);
    const b = parse(renderSarif(moved, opts)).runs[0]!.results.map((r) => r.partialFingerprints[FINGERPRINT_NAME]);
    assert.deepEqual(a, b);
    assert.equal(new Set(a).size, a.length, 'distinct findings have distinct fingerprints');
  });

  it('renders suppressed findings as results with inSource/external suppressions and the reason', () => {
    const results = parse(renderSarif(report, opts)).runs[0]!.results;
    const suppressed = results.filter((r) => r.suppressions);
    assert.equal(suppressed.length, 2);
    assert.deepEqual(suppressed[0]!.suppressions, [
      { kind: 'inSource', status: 'accepted', justification: 'one-shot job' },
    ]);
    assert.deepEqual(suppressed[1]!.suppressions, [
      { kind: 'external', status: 'accepted', justification: 'test data only' },
    ]);
    assert.equal(results.filter((r) => !r.suppressions).length, report.findings.length);
  });

  it('carries automatic fixes as replacements', () => {
    const fixed = parse(renderSarif(report, opts)).runs[0]!.results.find((r) => r.ruleId === 'not-in-catalog')!;
    assert.deepEqual(fixed.fixes[0].artifactChanges[0].replacements, [
      { deletedRegion: { charOffset: 10, charLength: 2 }, insertedContent: { text: 'restart: always' } },
    ]);
  });

  it('records the source root as %SRCROOT% when given', () => {
    const run = parse(renderSarif(report, { srcRoot: '/work/project', meta })).runs[0]!;
    assert.equal(run.originalUriBaseIds!['%SRCROOT%']!.uri, 'file:///work/project/');
  });

  it('renders a real check report (bundled example) that validates, through renderReport', () => {
    const real = check(['examples/shop']);
    assert.ok(real.findings.length > 0);
    const log = parse(renderReport(real, 'sarif', { catalogue }));
    assert.deepEqual(sarifErrors(log), []);
    const run = log.runs[0]!;
    assert.equal(run.results.length, real.findings.length + real.suppressed.length);
    const ids = new Set(catalogue.all().map((m) => m.id));
    for (const r of run.tool.driver.rules) {
      assert.ok(ids.has(r.id), `${r.id} is in the catalog`);
      assert.equal(r.helpUri, ruleDocsUrl(r.id));
      assert.equal(r.help.text, catalogue.get(r.id)!.fixHint);
    }
  });

  it('reads rule metadata through the meta option (the catalogue passed in)', () => {
    const run = parse(
      renderSarif(report, {
        meta: (id) =>
          id === 'restart-policy' ? { ...catalogue.get(id)!, fixHint: 'from the passed catalogue' } : undefined,
      }),
    ).runs[0]!;
    const restart = run.tool.driver.rules.find((r) => r.id === 'restart-policy')!;
    assert.equal(restart.help.text, 'from the passed catalogue');
    assert.equal(run.tool.driver.rules.find((r) => r.id === 'test-sarif-rule')!.helpUri, undefined);
  });

  it('scores a section that was not checked null in the run properties, and says the run succeeded', () => {
    const run = parse(renderSarif({ ...report, checkedSections: ['restart', 'volumes'] }, { meta })).runs[0];
    assert.equal(run.properties.score.sections.rollout, null);
    assert.equal(
      run.properties.score.sections.secrets,
      report.score.sections.secrets,
      'a section with a (suppressed) finding counts as checked',
    );
    assert.equal(run.properties.score.sections.keys, null);
    assert.equal(run.properties.score.sections.restart, report.score.sections.restart);
    assert.deepEqual(run.invocations, [{ executionSuccessful: true }]);
  });

  it('is valid for an empty report', () => {
    const empty: Report = { ...report, findings: [], suppressed: [] };
    const log = parse(renderSarif(empty, opts));
    assert.deepEqual(sarifErrors(log), []);
    assert.deepEqual(log.runs[0]!.results, []);
    assert.deepEqual(log.runs[0]!.tool.driver.rules, []);
  });
});
