import assert from 'node:assert/strict';
import { catalogue, meta } from '../support/catalogue.js';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { checkDetailed } from '../../src/commands/check.js';
import { maskedSources } from '../../src/commands/sources.js';
import { SECTIONS, type Finding, type Report } from '../../src/findings/types.js';
import { DOCS_BASE_URL, ruleDocsUrl } from '../../src/report/docs-url.js';
import { chartFigure, escapeHtml, html, renderHtml } from '../../src/report/html/index.js';
import { renderReport, REPORT_FORMATS } from '../../src/report/index.js';
import '../../src/rules/index.js';
import { runBuiltCli } from '../support/cli.js';
import { CHARTS, drillLikePage, SHOP_SECRET } from './html-fixtures.js';

const evil = '<script>alert(1)</script>';

function finding(over: Partial<Finding>): Finding {
  return {
    ruleId: 'restart-policy',
    severity: 'warning',
    section: 'restart',
    message: 'm',
    file: 'compose.yaml',
    line: 2,
    column: 3,
    ...over,
  };
}

const evilSource = `services:\n  "${evil}":\n    image: "${evil}<img src=x onerror=alert(2)>"\n`;
const evilReport: Report = {
  tool: { name: 'preflight', version: '0.1.0' },
  targets: [
    { dir: `dir${evil}`, files: [`compose.yaml`], deploymentSource: 'phala-cloud-defaults', services: 1, score: 50 },
  ],
  score: { overall: 50, sections: Object.fromEntries(SECTIONS.map((s) => [s, 90])) as Report['score']['sections'] },
  findings: [
    finding({ service: evil, message: `image "${evil}" <img src=x onerror=alert(3)> \`${evil}\`` }),
    finding({ ruleId: `x"><script>alert(4)</script>`, section: 'platform', line: 3, column: 12, service: evil }),
  ],
  suppressed: [
    { ...finding({ service: evil, line: 3 }), suppression: { kind: 'config', reason: `</td></tr></table>${evil}` } },
  ],
  checkedSections: [...SECTIONS],
};

describe('HTML report', () => {
  it('is wired into renderReport and the --format choices', () => {
    assert.ok(REPORT_FORMATS.includes('html'));
    assert.match(renderReport(evilReport, 'html', { catalogue }), /^<!DOCTYPE html>/);
  });

  it('escapes everything a compose file can put in it: no markup from a service name, image, message, rule id or reason', () => {
    const page = renderHtml(evilReport, { meta, maskedSources: new Map([['compose.yaml', evilSource]]) });
    assert.doesNotMatch(page, /<script/i, 'no script element');
    assert.doesNotMatch(page, /<img/i, 'no img element');
    assert.doesNotMatch(page, /<[^>]*\sonerror=/i, 'no event handler attribute');
    assert.ok(page.includes(escapeHtml(evil)), 'the text is shown, escaped');
    assert.doesNotMatch(page, /<\/td><\/tr><\/table>&lt;/, 'a reason cannot close the table');
  });

  it('escapes in the page builder too: chart titles, labels, kinds', () => {
    const svg = chartFigure({
      title: evil,
      unit: '"><script>',
      points: [{ t: 0, value: 1, kind: evil }],
      events: [{ t: 0, label: evil }],
    }).value;
    assert.doesNotMatch(svg, /<script/i);
    assert.equal(
      html`<p title="${'" onmouseover="x'}">${'<b>'}</p>`.value,
      '<p title="&quot; onmouseover=&quot;x">&lt;b&gt;</p>',
    );
  });

  it('is self-contained: no script, stylesheet link, image, font or frame to load; links only to the rule docs', () => {
    const { report, projects } = checkDetailed(['examples/shop']);
    const sources = maskedSources(projects);
    for (const page of [
      renderHtml(report, { meta, maskedSources: sources }),
      drillLikePage(report.findings.slice(0, 3)),
    ]) {
      assert.doesNotMatch(page, /<(script|link|img|iframe|object|embed|video|audio|source)\b/i);
      assert.doesNotMatch(page, /@import|url\(|@font-face|\bsrc=/i);
      for (const m of page.matchAll(/https?:\/\/[^\s"'<>)]+/g)) {
        const ok = m[0] === 'http://www.w3.org/2000/svg' || m[0].startsWith(DOCS_BASE_URL);
        assert.ok(ok, `unexpected URL ${m[0]}`);
      }
      assert.match(page, /Content-Security-Policy" content="default-src 'none'/);
    }
  });

  it('check of the bundled example: sections in checklist order, scores, not-checked sections, masked excerpts', () => {
    const { report, projects } = checkDetailed(['examples/shop']);
    const raw = projects[0]!.sources.get('examples/shop/docker-compose.yml')!.text;
    assert.ok(raw.includes(SHOP_SECRET), 'the example holds the secret');
    const page = renderHtml(report, { meta, maskedSources: maskedSources(projects) });
    assert.ok(!page.includes(SHOP_SECRET), 'the secret value is not in the page');
    assert.match(page, /SESSION_SECRET: \*\*\*\*/, 'its line is shown masked');
    const rows = [...page.matchAll(/<tr data-section="([a-z]+)" data-score="([^"]+)">/g)].map((m) => [m[1], m[2]]);
    assert.deepEqual(
      rows.map((r) => r[0]),
      [...SECTIONS],
    );
    assert.ok(!report.checkedSections!.includes('rollout'), 'no check rule covers rollout');
    for (const [s, score] of rows) {
      if (report.checkedSections!.includes(s as never))
        assert.equal(score, String(report.score.sections[s as 'restart']));
      else assert.equal(score, 'not-checked');
    }
    const h2 = [...page.matchAll(/<h2 id="s-([a-z-]+)-h">/g)].map((m) => m[1]);
    assert.deepEqual(h2, [...SECTIONS, 'suppressed', 'targets']);
    assert.equal((page.match(/<li class="finding /g) ?? []).length, report.findings.length);
    for (const f of report.findings) assert.ok(page.includes(`href="${ruleDocsUrl(f.ruleId)}"`), f.ruleId);
  });

  it('a section with findings is checked whatever checkedSections says; without the list every section is', () => {
    const page = renderHtml({ ...evilReport, checkedSections: ['volumes'] }, { meta });
    assert.match(page, /data-section="restart" data-score="90"/);
    assert.match(page, /data-section="keys" data-score="not-checked"/);
    const { checkedSections: _, ...unsaid } = evilReport;
    assert.doesNotMatch(renderHtml(unsaid, { meta }), /data-score="not-checked"/);
  });

  it('draws a chart per timeline as inline SVG with events, kinds and a data table', () => {
    const page = drillLikePage([]);
    assert.equal((page.match(/<svg class="chart"/g) ?? []).length, CHARTS.length);
    const writes = chartFigure(CHARTS[0]!).value;
    const fails = CHARTS[0]!.points.filter((p) => p.kind === 'fail').length;
    assert.equal(
      (writes.match(/class="mk bad"/g) ?? []).length,
      fails + 1,
      'one cross per failed write, and the legend',
    );
    assert.equal((writes.match(/<g class="event">/g) ?? []).length, 2);
    assert.match(writes, /<details class="chart-data">/);
    // A null value breaks the line: two separate runs.
    const latency = chartFigure(CHARTS[2]!).value;
    assert.equal((/class="series" d="([^"]+)"/.exec(latency)![1]!.match(/M/g) ?? []).length, 2);
  });

  it('the text report masks the same way (one masking path) and says not checked too', () => {
    const { report, projects } = checkDetailed(['examples/shop']);
    const text = renderReport(report, 'text', { maskedSources: maskedSources(projects), catalogue });
    assert.ok(!text.includes(SHOP_SECRET));
    assert.match(text, /^- rollout +not checked$/m, 'the text report says not checked as well');
  });

  it('the stylesheet is the only style: no external font', () => {
    const page = renderHtml(evilReport, { meta });
    assert.equal((page.match(/<style>/g) ?? []).length, 1);
    assert.ok(!readFileSync(new URL('../../src/report/html/css.ts', import.meta.url), 'utf8').includes('url('));
  });

  it('diff --format html through the CLI: the secrets section is not checked without a new secret set', () => {
    const apps = 'test/fixtures/upgrade-apps';
    const r = runBuiltCli(['diff', 'old', 'rename-volume', '--format', 'html'], { cwd: `${process.cwd()}/${apps}` });
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stdout, /^<!DOCTYPE html>/);
    assert.match(r.stdout, /data-section="volumes" data-score="\d+"/);
    assert.match(r.stdout, /data-section="secrets" data-score="not-checked"/);
    assert.match(r.stdout, /data-section="restart" data-score="not-checked"/, 'no diff rule covers restart');
    assert.match(r.stdout, /data-rule="volume-renamed"/);
    const planned = runBuiltCli(
      ['diff', 'old', 'needs-secret', '--env-file', 'new.env', '--old-env-file', 'old.env', '--format', 'html'],
      { cwd: `${process.cwd()}/${apps}` },
    );
    assert.match(planned.stdout, /data-section="secrets" data-score="\d+"/);
    assert.ok(!planned.stdout.includes('s3cr3t-old-Passw0rd'));
  });
});
