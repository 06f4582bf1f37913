import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, it } from 'node:test';
import { Worker } from 'node:worker_threads';
import { preflightCatalogue } from '../../src/commands/catalogue.js';
import { checkDetailed } from '../../src/commands/check.js';
import { checkInParallel, threadCount, type CheckRun } from '../../src/commands/check-parallel.js';
import { maskedSources, projectInputs } from '../../src/commands/sources.js';
import { wantsCheckWorker } from '../../src/launcher/short-run.js';
import { renderReport } from '../../src/report/index.js';
import { PLAIN } from '../../src/report/style.js';
import { REPO_ROOT, runBuiltCli } from '../support/cli.js';
import { scratchDir } from '../support/project.js';

const SECRET = 'Zq8vT3xLw9pR2mNc7bYs';
const TOKEN = 'ghp_8fK2nQ7rT4vX1zB6cM9pL3sW5yH0jD2gA8eU';

/**
 * Eight projects under one .preflight.yml: secrets in .env files and in the compose text (masked in
 * excerpts), one project that does not parse, an exemption only the last project's service uses and one
 * naming a service no project defines (both judged across all the projects, whichever thread ran them).
 */
function fleet(): string {
  const s = scratchDir('parallel');
  s.project('.', {
    '.preflight.yml':
      'exemptions:\n' +
      '  - { rule: restart-policy, service: db7, reason: restarted by the platform watchdog }\n' +
      '  - { rule: restart-policy, service: ghost, reason: a service that was removed }\n',
  });
  for (let i = 0; i < 7; i++) {
    s.project(`app${i}`, {
      'compose.yaml':
        `services:\n  web${i}:\n    image: nginx:1.${i}\n    environment:\n      PASSWORD: \${DB_PASSWORD}\n` +
        `      GITHUB_TOKEN: ${TOKEN}\n  db${i}:\n    image: postgres:16\n`,
      '.env': `DB_PASSWORD=${SECRET}${i}\n`,
    });
  }
  s.project('app7', { 'compose.yaml': 'services:\n  db7:\n    image: postgres:16\n' });
  s.project('broken', { 'compose.yaml': 'services:\n  web: [unclosed\n' });
  return s.root;
}

/** A worker running commands/check-worker.ts from source: tsx's loader does not reach a worker by itself. */
const sourceWorker = () =>
  new Worker(
    `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(
      pathToFileURL(join(REPO_ROOT, 'src', 'commands', 'check-worker.ts')).href,
    )}); });`,
    { eval: true },
  );

function sequential(root: string) {
  const { report, projects } = checkDetailed([root], { cwd: root, recursive: true, reportUnusedSuppressions: true });
  return { report, sources: maskedSources(projects), inputs: projectInputs(projects, root) };
}

function assertSameRun(parallel: CheckRun, root: string): void {
  const one = sequential(root);
  assert.deepEqual(parallel.report, one.report);
  assert.deepEqual(new Set(parallel.inputs), new Set(one.inputs));
  const text = (sources: CheckRun['sources']) =>
    renderReport(parallel.report, 'text', { maskedSources: sources, style: PLAIN, catalogue: preflightCatalogue() });
  assert.equal(text(parallel.sources), text(one.sources));
  for (const file of one.inputs.map((f) => f.slice(root.length + 1)))
    assert.equal(parallel.sources.get(file), one.sources.get(file), file);
}

describe('check on several threads (check -r --concurrency)', () => {
  const root = fleet();
  const options = { cwd: root, recursive: true, reportUnusedSuppressions: true };

  it('the fixture exercises what crosses threads: failures, masking, exemptions across projects', () => {
    const { report, sources } = sequential(root);
    assert.equal(report.targets.length, 9);
    assert.equal(report.targets.filter((t) => t.error).length, 1);
    const unused = report.findings.filter((f) => f.ruleId === 'unused-suppression');
    assert.equal(unused.length, 1, 'only the exemption of service ghost is unused');
    assert.match(unused[0]!.message, /ghost/);
    const masked = sources.get(join('app0', 'compose.yaml'))!;
    assert.ok(masked && !masked.includes(TOKEN), 'the token is masked in excerpts');
  });

  it('every target checked by workers gives the report, excerpts and inputs of one thread', async () => {
    const run = await checkInParallel([root], options, {
      concurrency: 3,
      excerpts: true,
      mainThreadChecks: false,
      startWorker: sourceWorker,
    });
    assert.equal(run.threads, 3);
    assert.equal(run.checkedByWorkers, 9);
    assertSameRun(run, root);
  });

  it('the main thread and a worker sharing the targets give the same', async () => {
    const run = await checkInParallel([root], options, { concurrency: 2, excerpts: true, startWorker: sourceWorker });
    assertSameRun(run, root);
  });

  it('the built library starts its own worker (dist/commands/check-worker.js)', async () => {
    const built = (await import(
      pathToFileURL(join(REPO_ROOT, 'dist', 'commands', 'check-parallel.js')).href
    )) as typeof import('../../src/commands/check-parallel.js');
    const run = await built.checkInParallel([root], options, { concurrency: 2, mainThreadChecks: false });
    assert.equal(run.checkedByWorkers, 9);
    assert.deepEqual(run.report, sequential(root).report);
  });

  it('a worker that cannot start, or exits without results: its targets are checked here', async () => {
    const throwing = await checkInParallel([root], options, {
      concurrency: 2,
      excerpts: true,
      mainThreadChecks: false,
      startWorker: () => {
        throw new Error('no threads here');
      },
    });
    assert.equal(throwing.checkedByWorkers, 0);
    assertSameRun(throwing, root);
    const quitting = await checkInParallel([root], options, {
      concurrency: 2,
      excerpts: true,
      mainThreadChecks: false,
      startWorker: () => new Worker('process.exit(0)', { eval: true }),
    });
    assert.equal(quitting.checkedByWorkers, 0);
    assertSameRun(quitting, root);
  });

  it('runs on one thread when asked, or when the input cannot be sent (standard input)', async () => {
    assert.equal((await checkInParallel([root], options, { concurrency: 'off' })).threads, 1);
    const stdin = await checkInParallel(
      [],
      { cwd: root, files: ['-'], stdin: 'services:\n  a:\n    image: x\n' },
      {
        concurrency: 4,
      },
    );
    assert.equal(stdin.threads, 1);
  });

  it('threadCount: auto is one thread per core from 16 projects per thread; a number is taken as given', () => {
    assert.equal(threadCount('off', 500, 8), 1);
    assert.equal(threadCount('auto', 61, 2), 2);
    assert.equal(threadCount('auto', 31, 2), 1);
    assert.equal(threadCount('auto', 500, 4), 4);
    assert.equal(threadCount('auto', 61, 1), 1);
    assert.equal(threadCount(4, 3, 1), 3);
    assert.equal(threadCount(2, 0, 8), 1);
  });
});

describe('the launcher starts the worker early for check -r only', () => {
  const wants = (...args: string[]) => wantsCheckWorker(['node', 'preflight', ...args], args[0] ?? '');
  it('check with -r, --recursive or -r among short flags', () => {
    assert.equal(wants('check', '-r', 'dir'), true);
    assert.equal(wants('check', 'dir', '--recursive'), true);
    assert.equal(wants('check', '-qr', 'dir'), true);
  });
  it('not without -r, not after --, not with --concurrency off or 1, not for another command', () => {
    assert.equal(wants('check', 'dir'), false);
    assert.equal(wants('check', '--', '-r'), false);
    assert.equal(wants('check', '-r', '--concurrency', 'off'), false);
    assert.equal(wants('check', '-r', '--concurrency=1'), false);
    assert.equal(wants('fix', '-r'), false);
    assert.equal(wants('check', '--report-unused-suppressions'), false);
  });
});

describe('check -r --concurrency through the built CLI', () => {
  // 34 projects: `auto` uses two threads on a machine with two cores or more.
  const s = scratchDir('parallel-cli');
  for (let i = 0; i < 34; i++)
    s.project(`app${i}`, {
      'compose.yaml': `services:\n  web:\n    image: nginx:1.${i}\n    environment:\n      GITHUB_TOKEN: ${TOKEN}\n`,
    });
  const cache = scratchDir('parallel-cache').root;
  const env = { PREFLIGHT_COMPILE_CACHE: cache };

  for (const format of ['text', 'json', 'sarif']) {
    it(`--format ${format}: the output of two threads is the output of one, byte for byte`, () => {
      const one = runBuiltCli(['check', '-r', s.root, '--format', format, '--concurrency', 'off'], { env });
      const two = runBuiltCli(['check', '-r', s.root, '--format', format, '--concurrency', '2'], { env });
      const auto = runBuiltCli(['check', '-r', s.root, '--format', format], { env });
      assert.equal(one.code, 1, one.stderr);
      for (const run of [two, auto]) {
        assert.equal(run.code, one.code, run.stderr);
        assert.equal(run.stdout, one.stdout);
        assert.equal(run.stderr, one.stderr);
      }
      assert.ok(!two.stdout.includes(TOKEN));
    });
  }

  it('the worker ran the bundle with a code cache of its own', () => {
    runBuiltCli(['check', '-r', s.root, '--format', 'json', '--concurrency', '2'], { env });
    assert.ok(
      readdirSync(cache).some((f) => f.endsWith('-checkworker.bin')),
      readdirSync(cache).join(', '),
    );
  });

  it('--concurrency with a bad value is a usage error: one line, exit 2', () => {
    const r = runBuiltCli(['check', '-r', s.root, '--concurrency', 'many'], { cwd: REPO_ROOT, env });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^preflight: --concurrency: "many" is not a number from 1 to 16, auto or off\n$/);
  });
});
