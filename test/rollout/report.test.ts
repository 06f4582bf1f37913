import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { renderRolloutHtml } from '../../src/report/html/rollout.js';
import { renderRolloutText } from '../../src/rollout/report.js';
import { meta } from '../support/catalogue.js';
import { type Browser, describeChromium, launchChromium, openRecorded } from '../support/chromium.js';
import { sampleReport as report } from './support/sample-report.js';

describe('rollout report, text', () => {
  it('the per-instance table, the load figures and the timeline drawn in characters, the findings', () => {
    const text = renderRolloutText(report());
    assert.match(text, /^rollout rollout-20261201100000-abcdef \(local, plan 524bd8968d63\): failed$/m);
    assert.match(text, /^instance +result +before +now +requests +gates$/m);
    assert.match(text, /^local-1 +rolled-back +aaaaaaaaaaaa +aaaaaaaaaaaa +1 +fail http \/health$/m);
    assert.match(text, /^local-2 +pending +aaaaaaaaaaaa +aaaaaaaaaaaa +0 +–$/m);
    assert.match(
      text,
      /^load: 200 req\/s through the balancer, 8000 requests, 3 failed, availability 99\.962%, p50 2\.0 ms, p99 11\.0 ms$/m,
    );
    assert.match(text, /^availability +█{12}▅█{27} +min 98\.5% at 12s$/m);
    assert.match(text, /^error +rollout-gate-failed +local-1: gate/m);
  });
});

describeChromium('rollout report, HTML in headless Chromium', () => {
  const dir = mkdtempSync(join(tmpdir(), 'preflight-rollout-html-'));
  let browser: Browser;
  before(async () => {
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    process.stderr.write(`rollout HTML screenshot (kept to look at): ${dir}\n`);
  });

  it('renders with no console error; instances, load charts (one per timeline) and findings in the DOM', async () => {
    const file = join(dir, 'rollout.html');
    writeFileSync(file, renderRolloutHtml(report(), { meta }));
    const { page, problems } = await openRecorded(browser, pathToFileURL(file).href);
    assert.deepEqual(problems.console, []);
    assert.deepEqual(problems.errors, []);
    assert.deepEqual([...browser.blocked], []);
    assert.equal(await page.textContent('h1'), 'Rollout rollout-20261201100000-abcdef');
    const rows = await page.$$eval('#s-instances tbody tr', (trs) =>
      trs.map((tr) => tr.textContent?.replace(/\s+/g, ' ').trim()),
    );
    assert.deepEqual(rows, [
      'local-1rolled-backaaaaaaaaaaaaaaaaaaaaaaaa1fail http /health',
      'local-2pendingaaaaaaaaaaaaaaaaaaaaaaaa0–',
      'local-3pendingaaaaaaaaaaaaaaaaaaaaaaaa0–',
    ]);
    for (const id of ['chart-availability', 'chart-latency']) {
      assert.equal(await page.locator(`#${id} svg.chart`).count(), 1, id);
      assert.equal(await page.locator(`#${id} tbody tr`).count(), 40, `${id}: one data row per second`);
      assert.equal(await page.locator(`#${id} g.event`).count(), 1, `${id}: the instance's span out of rotation`);
    }
    assert.equal(
      await page.locator('#chart-availability svg.chart .mk.bad').count(),
      1,
      'the second with failed requests is marked',
    );
    assert.deepEqual(
      await page.$$eval('#s-findings li.finding', (lis) => lis.map((li) => li.getAttribute('data-rule'))),
      ['rollout-gate-failed'],
    );
    const png = join(dir, 'rollout.png');
    await page.screenshot({ path: png, fullPage: true });
    assert.ok(statSync(png).size > 1000);
    assert.ok(
      readFileSync(png)
        .subarray(0, 4)
        .equals(Buffer.from([0x89, 0x50, 0x4e, 0x47])),
    );
    await page.close();
  });
});
