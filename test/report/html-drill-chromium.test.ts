import assert from 'node:assert/strict';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { buildReport } from '../../src/drills/report.js';
import { buildUpgradeReport } from '../../src/drills/upgrade/report.js';
import { renderDrillHtml } from '../../src/report/html/drill.js';
import { meta } from '../support/catalogue.js';
import { chromiumSuite, describeChromium, openRecorded } from '../support/chromium.js';
import { JournalBuilder, resumedRestartJournal, upgradeInput } from '../drills/journal-fixtures.js';

/**
 * The drill reports' HTML page (`--format html`) in Debian's headless Chromium, network cut off:
 * no console error, no request, and the rendered DOM holds what the report holds (sections, one
 * chart for the timeline with a band per fault and a gap band for the resume, marks for seconds
 * with failed writes, one row per fault or step, one card per finding).
 */
describeChromium('drill HTML report in headless Chromium', () => {
  const { dir, browser, assertClean } = chromiumSuite('drill HTML', 'preflight-drill-html-');

  const open = async (name: string, page: string) => {
    const file = join(dir, `${name}.html`);
    writeFileSync(file, page);
    const opened = await openRecorded(browser(), pathToFileURL(file).href);
    const shot = join(dir, `${name}.png`);
    await opened.page.screenshot({ path: shot, fullPage: true });
    assert.ok(statSync(shot).size > 1000 && readFileSync(shot).subarray(1, 4).toString() === 'PNG', 'a screenshot');
    return opened;
  };

  it('restart drill (resumed once): result, timeline with fault and gap bands, faults, data, findings', async () => {
    const report = buildReport(resumedRestartJournal().events, '/runs/restart-1');
    const { page, problems } = await open('restart', renderDrillHtml({ drill: 'restart', report }, { meta }));
    const dom = await page.evaluate(() => ({
      scripts: document.scripts.length,
      h1: document.querySelector('h1')?.textContent,
      result: document.querySelector('[data-result]')?.getAttribute('data-result'),
      sections: [...document.querySelectorAll('main section.part')].map((s) => s.id),
      charts: document.querySelectorAll('figure.chart-figure').length,
      bands: document.querySelectorAll('figure.chart-figure svg g.event').length,
      spans: document.querySelectorAll('figure.chart-figure svg rect.span').length,
      listed: [...document.querySelectorAll('figure.chart-figure ol.events li')].map((li) => li.textContent ?? ''),
      failedMarks: document.querySelectorAll('figure.chart-figure svg.chart .mk.bad').length,
      faultRows: document.querySelectorAll('#s-faults tbody tr').length,
      findings: [...document.querySelectorAll('#s-findings li.finding')].map((li) => li.getAttribute('data-rule')),
      dataCells: [...document.querySelectorAll('#s-data tbody td')].map((td) => td.textContent),
      segments: document.querySelector('#s-time caption')?.textContent,
    }));
    assert.equal(dom.scripts, 0);
    assert.equal(dom.h1, 'Preflight drill restart');
    assert.equal(dom.result, 'failed');
    assert.deepEqual(dom.sections, ['s-timeline', 's-faults', 's-data', 's-findings', 's-time']);
    assert.equal(dom.charts, 1, 'one chart for the one timeline');
    assert.equal(dom.bands, report.timeline.spans.length, 'a band per fault and per gap');
    assert.equal(dom.spans, report.timeline.spans.length);
    assert.ok(dom.listed.some((l) => l.includes('Preflight not running (resumed later)')));
    assert.ok(dom.listed.some((l) => l.includes('fault 3: kill web') && l.includes('not ready')));
    assert.equal(dom.failedMarks, report.timeline.writes.filter((w) => w.fail > 0).length);
    assert.equal(dom.faultRows, report.faults.length);
    assert.deepEqual(
      dom.findings,
      report.findings.map((f) => f.ruleId),
    );
    assert.equal(dom.dataCells[1], String(report.check!.acknowledged));
    assert.equal(dom.dataCells[5], String(report.check!.lost.length));
    assert.match(dom.segments ?? '', /2 processes: the run was resumed/);
    assertClean(problems);
    await page.close();
  });

  it('upgrade drill: steps with their status, static diff, chart with a band per step that ran', async () => {
    const b = new JournalBuilder()
      .add(0, {
        type: 'run-start',
        kind: 'drill-upgrade',
        version: 1,
        runId: 'upgrade-1',
        input: upgradeInput(false),
        steps: [],
      })
      .add(5, {
        type: 'drill-start',
        project: 'pf-upgrade-1',
        compose: { kind: 'v2', version: '2.26.1' },
        owner: 'h/1',
      })
      .stepRun(
        10,
        'plan',
        (s) =>
          s.add(20, {
            type: 'diff',
            findings: [
              {
                ruleId: 'volume-renamed',
                severity: 'error',
                section: 'volumes',
                message: 'volume <script>alert(1)</script> renamed',
                file: 'new/compose.yaml',
                line: 9,
                column: 3,
              },
            ],
          }),
        { ok: true, ms: 20, detail: '1 finding(s)' },
      )
      .stepRun(100, 'start-old', () => {}, { ok: true, ms: 900, detail: 'ready' })
      .stepRun(1_000, 'seed', (s) => s.write(1_010, 1, 'ok').write(1_020, 2, 'ok'), {
        ok: true,
        ms: 100,
        detail: '2 writes',
      })
      .stepRun(1_200, 'fingerprint', () => {}, { ok: true, ms: 300 })
      .stepRun(1_600, 'upgrade', () => {}, { ok: false, ms: 800, detail: 'NEW did not start' })
      .stepRun(2_500, 'verify', () => {}, { ok: true, ms: 0, skipped: true })
      .stepRun(2_600, 'checks', () => {}, { ok: true, ms: 1 })
      .stepRun(2_700, 'teardown', () => {}, { ok: true, ms: 50 })
      .add(2_800, { type: 'run-end', status: 'failed' });
    const report = buildUpgradeReport(b.events, '/runs/upgrade-1');
    const { page, problems } = await open('upgrade', renderDrillHtml({ drill: 'upgrade', report }, { meta }));
    const dom = await page.evaluate(() => ({
      scripts: document.scripts.length,
      h1: document.querySelector('h1')?.textContent,
      steps: [...document.querySelectorAll('#s-steps tbody tr')].map((tr) => tr.querySelector('.badge')?.textContent),
      stopped: document.querySelector('#s-steps h2 .badge')?.textContent,
      diff: [...document.querySelectorAll('#s-diff li.finding .message')].map((m) => m.textContent),
      bands: document.querySelectorAll('figure.chart-figure svg g.event').length,
      charts: document.querySelectorAll('figure.chart-figure').length,
    }));
    assert.equal(dom.scripts, 0, 'markup in a message stays text');
    assert.equal(dom.h1, 'Preflight drill upgrade');
    assert.deepEqual(
      dom.steps,
      report.steps.map((s) => s.status),
    );
    assert.deepEqual(dom.steps, ['ok', 'ok', 'ok', 'ok', 'failed', 'not reached']);
    assert.equal(dom.stopped, 'stopped at upgrade');
    assert.deepEqual(dom.diff, ['volume <script>alert(1)</script> renamed']);
    assert.equal(dom.charts, 1);
    assert.equal(dom.bands, 5, 'one band per step that ran');
    assertClean(problems);
    await page.close();
  });
});
