import assert from 'node:assert/strict';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { it } from 'node:test';
import { pathToFileURL } from 'node:url';
import type { Page } from 'playwright-core';
import { SECTIONS, type Finding, type Section } from '../../src/findings/types.js';
import { renderHtml } from '../../src/report/html/index.js';
import { meta } from '../support/catalogue.js';
import { chromiumSuite, describeChromium, openRecorded } from '../support/chromium.js';
import { runBuiltCli } from '../support/cli.js';
import { CHARTS, drillLikePage, SHOP_SECRET } from './html-fixtures.js';

interface JsonReport {
  score: { overall: number; sections: Record<Section, number> };
  checkedSections: Section[];
  findings: (Finding & { fixHint?: string; docsUrl?: string })[];
  suppressed: Finding[];
}

const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const noBackticks = (s: string) => s.replace(/`/g, '');

describeChromium('HTML report in headless Chromium', () => {
  const { dir, browser, assertClean } = chromiumSuite('HTML report', 'preflight-html-');

  const screenshot = async (page: Page, name: string) => {
    const file = join(dir, name);
    await page.screenshot({ path: file, fullPage: true });
    const png = readFileSync(file);
    assert.ok(statSync(file).size > 1000, 'a non-empty screenshot');
    assert.deepEqual(png.subarray(0, 8), PNG, 'a PNG');
  };

  it('the network block is real: a page that loads a remote image is caught', async () => {
    const { page } = await openRecorded(browser(), 'about:blank');
    await page.setContent('<img src="http://127.0.0.1:9/x.png">');
    await page.waitForLoadState('load');
    assert.ok(
      [...browser().blocked].some((u) => u.startsWith('http://127.0.0.1:9/')),
      'the request was counted',
    );
    browser().blocked.clear();
    await page.close();
  });

  it('check of examples/shop: sections, scores and findings match the JSON report; excerpts masked', async () => {
    const htmlFile = join(dir, 'shop.html');
    const r = runBuiltCli(['check', 'examples/shop', '--format', 'html', '-o', htmlFile]);
    assert.equal(r.code, 1, r.stderr);
    const json = JSON.parse(runBuiltCli(['check', 'examples/shop', '--format', 'json']).stdout) as JsonReport;
    const source = readFileSync('examples/shop/docker-compose.yml', 'utf8');
    assert.ok(source.includes(SHOP_SECRET), 'the example holds the secret in clear');
    assert.ok(!readFileSync(htmlFile, 'utf8').includes(SHOP_SECRET), 'not in the HTML file');

    const { page, problems } = await openRecorded(browser(), pathToFileURL(htmlFile).href);
    const dom = await page.evaluate(() => ({
      text: document.body.textContent ?? '',
      // The text as rendered (layout applied), beside every text node (textContent, hidden ones too).
      // biome-ignore lint/performance/useDomNodeTextContent: the rendered text is the point here
      inner: document.body.innerText,
      scripts: document.scripts.length,
      h1: document.querySelector('h1')?.textContent,
    }));
    assert.ok(!dom.text.includes(SHOP_SECRET) && !dom.inner.includes(SHOP_SECRET), 'not in the DOM text');
    assert.equal(dom.scripts, 0, 'readable without script: there is none');
    assert.equal(dom.h1, 'Preflight report');

    // The score table: one row per checklist section, in order, with the JSON's figures.
    const rows = await page.$$eval('table.scores tbody tr', (trs) =>
      trs.map((tr) => ({
        section: tr.getAttribute('data-section'),
        name: tr.querySelector('th')?.textContent?.trim(),
        score: tr.querySelector('.badge')?.textContent?.trim(),
      })),
    );
    assert.deepEqual(
      rows.map((r) => r.section),
      [...SECTIONS],
    );
    for (const row of rows) {
      const s = row.section as Section;
      assert.equal(row.name, s);
      const want = json.checkedSections.includes(s) ? `${json.score.sections[s]}/100` : 'not checked';
      assert.equal(row.score, want, s);
    }
    assert.equal(
      rows.find((r) => r.section === 'rollout')!.score,
      'not checked',
      'no perfect score for a section no rule covers',
    );
    assert.equal(await page.textContent('svg.ring .figure'), String(json.score.overall));

    // Findings per section: count, and each card's rule id, line, fix and docs link.
    for (const s of SECTIONS) {
      const want = json.findings.filter((f) => f.section === s);
      const cards = await page.$$eval(`section#s-${s} li.finding`, (lis) =>
        lis.map((li) => ({
          rule: li.querySelector('h3 .rule')?.textContent?.trim(),
          href: li.querySelector('h3 a.rule')?.getAttribute('href'),
          where: li.querySelector('[data-where]')?.textContent,
          fix: li.querySelector('.fix')?.textContent,
          message: li.querySelector('.message')?.textContent,
          marked: li.querySelector('.excerpt mark .n')?.textContent,
        })),
      );
      assert.equal(cards.length, want.length, `findings in ${s}`);
      const heading = await page.textContent(`section#s-${s} h2`);
      assert.ok(heading?.startsWith(s), heading ?? '');
      want.forEach((f, i) => {
        const c = cards[i]!;
        assert.equal(c.rule, f.ruleId);
        assert.equal(c.href, f.docsUrl);
        assert.equal(c.where, `${f.file}:${f.line}:${f.column}`);
        assert.equal(c.message, noBackticks(f.message));
        assert.equal(c.fix, `Fix: ${noBackticks(f.fix?.description ?? f.fixHint!)}`);
        assert.equal(c.marked?.replace(/\D/g, ''), String(f.line), 'the excerpt marks the finding line');
      });
    }
    const secretCard = page.locator('li.finding[data-rule="plaintext-secret"] .excerpt mark');
    assert.match((await secretCard.first().textContent()) ?? '', /SESSION_SECRET: \*\*\*\*/);
    assert.equal(await page.locator('section#s-targets tbody tr').count(), 1);

    await screenshot(page, 'shop-report.png');
    assertClean(problems);
    await page.close();
  });

  it('a drill-like report through the generic page builder: one SVG chart per timeline, events and kinds', async () => {
    const htmlFile = join(dir, 'drill-like.html');
    const findings: Finding[] = [
      {
        ruleId: 'drill-lost-writes',
        severity: 'error',
        section: 'volumes',
        message: '3 acknowledged writes were missing after the restart',
        file: 'examples/shop/docker-compose.yml',
        line: 22,
        column: 3,
        service: 'db',
      },
    ];
    writeFileSync(htmlFile, drillLikePage(findings));
    const { page, problems } = await openRecorded(browser(), pathToFileURL(htmlFile).href);
    const charts = await page.$$eval('figure.chart-figure', (figs) =>
      figs.map((f) => ({
        title: f.querySelector('svg title')?.textContent,
        series: f.querySelectorAll('svg path.series').length,
        events: f.querySelectorAll('svg g.event').length,
        listed: f.querySelectorAll('ol.events li').length,
        bad: f.querySelectorAll('svg.chart .mk.bad').length,
        width: f.querySelector('svg')!.getBoundingClientRect().width,
      })),
    );
    assert.equal(charts.length, CHARTS.length);
    charts.forEach((c, i) => {
      const input = CHARTS[i]!;
      assert.equal(c.title, input.title);
      assert.equal(c.series, 1);
      assert.equal(c.events, input.events!.length);
      assert.equal(c.listed, input.events!.length, 'events are listed as text too');
      assert.ok(c.width > 300, 'the chart is laid out');
    });
    assert.equal(charts[0]!.bad, CHARTS[0]!.points.filter((p) => p.kind === 'fail').length);
    assert.equal(await page.locator('li.finding').count(), 1);
    await screenshot(page, 'drill-like.png');
    assertClean(problems);
    await page.close();
  });

  it('a compose file cannot inject markup: <script> in service, image and message stays text', async () => {
    const evil = '<script>alert(1)</script>';
    const source = `services:\n  x:\n    image: "${evil}"\n`;
    const page0 = renderHtml(
      {
        tool: { name: 'preflight', version: '0' },
        targets: [{ dir: '.', files: ['compose.yaml'], deploymentSource: 'phala-cloud-defaults', services: 1 }],
        score: {
          overall: 96,
          sections: Object.fromEntries(SECTIONS.map((s) => [s, 100])) as JsonReport['score']['sections'],
        },
        findings: [
          {
            ruleId: 'image-unpinned',
            severity: 'warning',
            section: 'upgrades',
            message: `image ${evil}<img src=x onerror="alert(2)">`,
            file: 'compose.yaml',
            line: 3,
            column: 12,
            service: evil,
          },
        ],
        suppressed: [],
      },
      { meta, maskedSources: new Map([['compose.yaml', source]]) },
    );
    const file = join(dir, 'inject.html');
    writeFileSync(file, page0);
    const { page, problems } = await openRecorded(browser(), pathToFileURL(file).href);
    const dom = await page.evaluate(() => ({
      scripts: document.scripts.length,
      imgs: document.images.length,
      service: document.querySelector('.service code')?.textContent,
      excerpt: document.querySelector('.excerpt mark')?.textContent,
    }));
    assert.deepEqual(
      { scripts: dom.scripts, imgs: dom.imgs, service: dom.service },
      { scripts: 0, imgs: 0, service: evil },
    );
    assert.ok(dom.excerpt?.includes(evil), 'the image line shows as text');
    assertClean(problems);
    await page.close();
  });
});
