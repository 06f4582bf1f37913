import { accessSync, constants, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { BrowserContext, Page } from 'playwright-core';

/**
 * Browser tests run Debian's headless Chromium (`apt-get install chromium`; CI installs it) through
 * playwright-core. Without it they skip with one visible message, unless PREFLIGHT_REQUIRE_DOCKER=1
 * (the CI flag for "every real part must be there"), where a missing browser is a failure.
 */
export const CHROMIUM = process.env.PREFLIGHT_CHROMIUM ?? '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export function chromiumAvailable(): boolean {
  try {
    accessSync(CHROMIUM, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

const required = () => process.env.PREFLIGHT_REQUIRE_DOCKER === '1';

/** `describe` that runs only when Chromium is installed (same skip/fail semantics as `describeDocker`). */
export function describeChromium(name: string, fn: () => void | Promise<void>): void {
  if (chromiumAvailable()) {
    describe(name, fn);
    return;
  }
  if (required()) {
    describe(name, () => {
      it('needs Chromium', () => {
        throw new Error(`PREFLIGHT_REQUIRE_DOCKER=1 but no Chromium at ${CHROMIUM} (apt-get install chromium)`);
      });
    });
    return;
  }
  process.stderr.write(
    `\n# SKIPPED (no Chromium at ${CHROMIUM}): ${name} — set PREFLIGHT_REQUIRE_DOCKER=1 to make this a failure\n`,
  );
  describe(name, () => {
    it('needs Chromium', { skip: `no Chromium at ${CHROMIUM}` }, () => {});
  });
}

export interface Browser {
  context: BrowserContext;
  /** Requests the page tried to make to anything but a file: URL (all aborted). */
  blocked: Set<string>;
  close(): Promise<void>;
}

/**
 * A fresh headless Chromium (its own --user-data-dir, deleted on close) with the network cut off:
 * every request that is not for a file: URL is aborted and recorded in `blocked`.
 */
export async function launchChromium(): Promise<Browser> {
  const { chromium } = await import('playwright-core');
  const profile = mkdtempSync(join(tmpdir(), 'preflight-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1200, height: 900 },
    offline: true,
  });
  const blocked = new Set<string>();
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith('file:')) return route.continue();
    blocked.add(url);
    return route.abort('blockedbyclient');
  });
  // Requests the router never sees (web sockets; anything else the page starts) are counted too.
  context.on('request', (req) => {
    const url = req.url();
    if (!url.startsWith('file:') && !url.startsWith('data:')) blocked.add(url);
  });
  context.on('page', (p) => p.on('websocket', (ws) => blocked.add(ws.url())));
  return {
    context,
    blocked,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

export interface PageProblems {
  console: string[];
  errors: string[];
  dialogs: string[];
}

/** Open a page and record console errors, uncaught page errors and dialogs (an injected `alert` would show here). */
export async function openRecorded(browser: Browser, url: string): Promise<{ page: Page; problems: PageProblems }> {
  const page = await browser.context.newPage();
  const problems: PageProblems = { console: [], errors: [], dialogs: [] };
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.console.push(`${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.errors.push(e.message));
  page.on('dialog', (d) => {
    problems.dialogs.push(d.message());
    void d.dismiss();
  });
  await page.goto(url, { waitUntil: 'load' });
  return { page, problems };
}

/**
 * One browser for the tests of a `describeChromium` block: launched before them, closed after. Pages and
 * screenshots go to `dir`, kept after the run (to look at) and named on stderr.
 */
export function chromiumSuite(
  what: string,
  prefix: string,
): {
  dir: string;
  browser: () => Browser;
  /** No console error or warning, no page error, no dialog, no network request. */
  assertClean: (problems: PageProblems) => void;
} {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  let browser: Browser | undefined;
  before(async () => {
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    process.stderr.write(`${what} screenshots (kept to look at): ${dir}\n`);
  });
  return {
    dir,
    browser: () => browser!,
    assertClean: (problems) => {
      assert.deepEqual(problems.console, [], 'no console error or warning');
      assert.deepEqual(problems.errors, [], 'no page error');
      assert.deepEqual(problems.dialogs, [], 'no dialog');
      assert.deepEqual([...browser!.blocked], [], 'no network request');
    },
  };
}
