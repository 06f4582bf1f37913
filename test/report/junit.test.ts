import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { check } from '../../src/commands/check.js';
import { SECTIONS, type Finding, type Report } from '../../src/findings/types.js';
import { renderReport } from '../../src/report/index.js';
import { renderJunit } from '../../src/report/junit.js';
import { preflightCatalogue } from '../../src/commands/catalogue.js';
import { meta } from '../support/catalogue.js';
import '../../src/rules/index.js';

function finding(over: Partial<Finding>): Finding {
  return {
    ruleId: 'restart-policy',
    severity: 'warning',
    section: 'restart',
    message: 'm',
    file: 'docker-compose.yml',
    line: 3,
    column: 5,
    ...over,
  };
}

const nasty = 'value <b>&amp;</b> "quoted" \'single\' ]]> \u0001 bell\nsecond line';

const report: Report = {
  tool: { name: 'preflight', version: '0.1.0' },
  targets: [],
  score: {
    overall: 70,
    sections: {
      restart: 84,
      volumes: 75,
      secrets: 100,
      keys: 100,
      upgrades: 98,
      rollout: 100,
      observability: 100,
      logs: 100,
      platform: 100,
    },
  },
  findings: [
    finding({ service: 'web' }),
    finding({ service: 'db', line: 20 }),
    finding({ ruleId: 'stateful-no-volume', severity: 'error', section: 'volumes', message: nasty, service: 'db<1>' }),
    finding({
      ruleId: 'image-unpinned',
      severity: 'info',
      section: 'upgrades',
      file: 'app-compose.json#docker_compose_file',
      line: 2,
    }),
  ],
  suppressed: [
    {
      ...finding({ section: 'keys', ruleId: 'docker-socket' }),
      suppression: { kind: 'config', reason: 'CI runner needs "docker" & <socket>' },
    },
  ],
};

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '',
  isArray: (name) => ['testsuite', 'testcase', 'property'].includes(name),
});

function countCases(root: { testsuite: Record<string, any>[] }): number {
  return root.testsuite.flatMap((s) => s.testcase).filter((c) => !c.skipped).length;
}

function parse(xml: string) {
  const valid = XMLValidator.validate(xml);
  assert.equal(valid, true, `well-formed XML: ${JSON.stringify(valid)}`);
  return parser.parse(xml).testsuites as {
    tests: string;
    failures: string;
    errors: string;
    skipped: string;
    testsuite: Record<string, any>[];
  };
}

describe('JUnit report', () => {
  it('is well-formed XML with one testsuite per checklist section, in checklist order', () => {
    const root = parse(renderJunit(report, { meta, failOn: 'warning' }));
    assert.deepEqual(
      root.testsuite.map((s) => s.name),
      [...SECTIONS],
    );
    const restart = root.testsuite.find((s) => s.name === 'restart')!;
    assert.equal(restart.testcase.length, 2);
    assert.equal(restart.failures, '2');
    assert.equal(restart.properties.property[0].name, 'score');
    assert.equal(restart.properties.property[0].value, '84');
  });

  it('has a failing testcase per finding at or above --fail-on, naming rule, service and location', () => {
    const root = parse(renderJunit(report, { meta, failOn: 'warning' }));
    const restart = root.testsuite.find((s) => s.name === 'restart')!;
    const web = restart.testcase[0]!;
    assert.equal(web.name, 'restart-policy [web] docker-compose.yml:3:5');
    assert.equal(web.classname, 'preflight.restart');
    assert.equal(web.file, 'docker-compose.yml');
    assert.equal(web.line, '3');
    assert.equal(web.failure.type, 'warning');
    assert.match(web.failure['#text'], /fix: /);
    assert.equal(root.failures, '3');
    assert.equal(
      root.tests,
      String(4 + 1 + 5),
      'four findings, one suppressed, five clean sections with one passing case each',
    );
  });

  it('escapes markup, quotes and control characters', () => {
    const xml = renderJunit(report, { meta });
    const root = parse(xml);
    const volumes = root.testsuite.find((s) => s.name === 'volumes')!;
    const c = volumes.testcase[0]!;
    assert.equal(c.name, 'stateful-no-volume [db<1>] docker-compose.yml:3:5');
    assert.ok(!xml.includes('\u0001'), 'control characters are replaced');
    // The message round-trips exactly (control characters become U+FFFD).
    assert.ok(c.failure['#text'].includes(nasty.replace('\u0001', '\uFFFD')), 'markup survives as text');
    assert.ok(c.failure.message.startsWith('value <b>&amp;</b> "quoted" \'single\' ]]>'));
  });

  it('passes info findings (with the message as output) and skips suppressed ones with the reason', () => {
    const root = parse(renderJunit(report, { meta }));
    const upgrades = root.testsuite.find((s) => s.name === 'upgrades')!;
    assert.equal(upgrades.failures, '0');
    assert.equal(upgrades.testcase[0]!.failure, undefined);
    assert.equal(upgrades.testcase[0]!.file, 'app-compose.json', 'the file attribute names a real file');
    const keys = root.testsuite.find((s) => s.name === 'keys')!;
    assert.equal(keys.skipped, '1');
    assert.match(keys.testcase[0]!.skipped.message, /suppressed \(config\): CI runner needs "docker" & <socket>/);
    const clean = root.testsuite.find((s) => s.name === 'platform')!;
    assert.equal(clean.testcase.length, 1);
    assert.equal(clean.testcase[0]!.name, 'platform: no findings');
  });

  it('a section no rule that ran covers is one skipped "not checked" case, not a clean pass', () => {
    const root = parse(renderJunit({ ...report, checkedSections: SECTIONS.filter((s) => s !== 'rollout') }, { meta }));
    const rollout = root.testsuite.find((s) => s.name === 'rollout')!;
    assert.equal(rollout.skipped, '1');
    assert.equal(rollout.testcase[0]!.name, 'rollout: not checked');
    assert.equal(rollout.properties.property[0].value, 'not checked');
    assert.equal(root.skipped, '2', 'the suppressed finding and the unchecked section');
  });

  it('renders a real check report through renderReport, failing what --fail-on fails', () => {
    const real = check(['examples/shop']);
    for (const [failOn, failing] of [
      ['error', real.findings.filter((f) => f.severity === 'error').length],
      ['warning', real.findings.filter((f) => f.severity !== 'info').length],
      ['info', real.findings.length],
      ['never', 0],
    ] as const) {
      const root = parse(renderReport(real, 'junit', { catalogue: preflightCatalogue(), failOn }));
      assert.equal(Number(root.failures), failing, `--fail-on ${failOn}`);
      assert.equal(Number(root.tests) - Number(root.skipped), countCases(root), 'every finding is still a testcase');
    }
  });

  describe('--fail-on', () => {
    const cases = (root: ReturnType<typeof parse>) => root.testsuite.flatMap((s) => s.testcase);
    it('defaults to error, as the CLI does: a warning is a passing case that shows the finding', () => {
      const root = parse(renderJunit(report, { meta }));
      assert.equal(root.failures, '1', 'only the error fails');
      const restart = root.testsuite.find((s) => s.name === 'restart')!;
      assert.equal(restart.failures, '0');
      assert.equal(restart.testcase[0]!.failure, undefined);
      assert.match(restart.testcase[0]!['system-out'], /^warning docker-compose\.yml:3:5 restart-policy/);
      assert.equal(restart.properties.property.find((p: { name: string }) => p.name === 'fail-on').value, 'error');
    });

    it('info fails every finding; never fails none, and the cases stay', () => {
      assert.equal(parse(renderJunit(report, { meta, failOn: 'info' })).failures, '4');
      const never = parse(renderJunit(report, { meta, failOn: 'never' }));
      assert.equal(never.failures, '0');
      assert.equal(cases(never).filter((c) => c.failure).length, 0);
      assert.equal(cases(never).filter((c) => c['system-out']).length, 4);
    });
  });

  it('a project that could not be loaded is an <error> case in an "input" suite', () => {
    const failed: Report = {
      ...report,
      targets: [
        {
          dir: 'bad',
          files: ['bad/compose.yaml'],
          services: 0,
          error: { message: 'bad/compose.yaml:3: invalid YAML', file: 'bad/compose.yaml', line: 3 },
        },
      ],
    };
    const root = parse(renderJunit(failed, { meta }));
    assert.equal(root.errors, '1');
    const input = root.testsuite.find((s) => s.name === 'input')!;
    assert.equal(input.testcase[0]!.name, 'bad: not loaded');
    assert.equal(input.testcase[0]!.error.message, 'bad/compose.yaml:3: invalid YAML');
    assert.equal(input.testcase[0]!.line, '3');
  });
});
