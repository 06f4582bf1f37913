import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkDetailed } from '../../src/commands/check.js';
import { maskedSources } from '../../src/commands/sources.js';
import { renderReport } from '../../src/report/index.js';
import { PLAIN } from '../../src/report/style.js';
import { catalogue } from '../support/catalogue.js';
import { scratchDir } from '../support/project.js';
import { sarifErrors } from '../support/sarif.js';

// One image written in an x- block and merged into three services (the pattern of n8n's
// self-hosted-ai-starter-kit and Apache Airflow's docker-compose.yaml): one finding, three related locations.
const COMPOSE = `x-app: &app
  image: app:latest
services:
  web:
    <<: *app
  worker:
    <<: *app
  beat:
    <<: *app
`;

describe('related locations: one problem, every service that shares it', () => {
  const dir = scratchDir('related').project('app', { 'compose.yaml': COMPOSE });
  const { report, projects } = checkDetailed([dir], { cwd: dir });
  const sources = maskedSources(projects);
  const finding = report.findings.find((f) => f.ruleId === 'image-unpinned')!;

  it('the model: one finding at the written value, each service related at its merge', () => {
    assert.equal(report.findings.filter((f) => f.ruleId === 'image-unpinned').length, 1);
    assert.equal(finding.line, 2);
    assert.equal(finding.service, 'web');
    assert.match(finding.message, /services "web", "worker" and "beat" use image app:latest/);
    assert.deepEqual(finding.related, [
      { file: 'compose.yaml', line: 4, column: 3, service: 'web' },
      { file: 'compose.yaml', line: 6, column: 3, service: 'worker' },
      { file: 'compose.yaml', line: 8, column: 3, service: 'beat' },
    ]);
  });

  it('JSON: related: [{file, line, column, service}]', () => {
    const json = JSON.parse(renderReport(report, 'json', { catalogue }));
    const f = json.findings.find((x: { ruleId: string }) => x.ruleId === 'image-unpinned');
    assert.deepEqual(f.related, finding.related);
  });

  it('SARIF: relatedLocations with the service as message, valid against the schema', () => {
    const log = JSON.parse(renderReport(report, 'sarif', { catalogue, srcRoot: dir }));
    assert.deepEqual(sarifErrors(log), []);
    const result = log.runs[0].results.find((r: { ruleId: string }) => r.ruleId === 'image-unpinned');
    assert.deepEqual(
      result.relatedLocations.map((r: Record<string, any>) => [
        r.id,
        r.physicalLocation.artifactLocation.uri,
        r.physicalLocation.region.startLine,
        r.message.text,
      ]),
      [
        [0, 'compose.yaml', 4, 'service "web"'],
        [1, 'compose.yaml', 6, 'service "worker"'],
        [2, 'compose.yaml', 8, 'service "beat"'],
      ],
    );
  });

  it('text: an "also at" line per related location', () => {
    const text = renderReport(report, 'text', { catalogue, maskedSources: sources, style: PLAIN });
    const block = text.slice(text.indexOf('image-unpinned'));
    for (const [line, svc] of [
      [4, 'web'],
      [6, 'worker'],
      [8, 'beat'],
    ])
      assert.match(block, new RegExp(`also at compose\\.yaml:${line}:3  ${svc}\\n`));
  });

  it('HTML and GitHub: the related list and an "Also at" line', () => {
    const page = renderReport(report, 'html', { catalogue, maskedSources: sources });
    assert.match(
      page,
      /<div class="related"><span>Also at<\/span><ul><li><span class="mono">compose\.yaml:4:3<\/span> service <code>web<\/code><\/li>/,
    );
    const gh = renderReport(report, 'github', { catalogue });
    const line = gh.split('\n').find((l) => l.includes('image-unpinned'))!;
    assert.match(line, /Also at: compose\.yaml:4 \(web\), compose\.yaml:6 \(worker\), compose\.yaml:8 \(beat\)/);
  });

  it('an exemption for one service leaves the others in the finding', () => {
    const exempt = scratchDir('related-exempt').project('app', {
      'compose.yaml': COMPOSE,
      '.preflight.yml':
        'exemptions:\n  - { rule: image-unpinned, service: beat, reason: pinned by the CI job that deploys it }\n',
    });
    const r = checkDetailed([exempt], { cwd: exempt }).report;
    const kept = r.findings.find((f) => f.ruleId === 'image-unpinned')!;
    assert.match(kept.message, /services "web" and "worker" use/);
    assert.deepEqual(
      kept.related?.map((x) => x.service),
      ['web', 'worker'],
    );
    const hidden = r.suppressed.filter((f) => f.ruleId === 'image-unpinned');
    assert.equal(hidden.length, 1);
    assert.equal(hidden[0]!.service, 'beat');
    assert.equal(hidden[0]!.suppression.reason, 'pinned by the CI job that deploys it');
  });
});
