// `npm test` (after build and lint): every *.test.ts under src/ and test/, with node's test runner, in passes:
//   1. the unit files (no Docker), once, two files at a time (PREFLIGHT_TEST_CONCURRENCY, default 2);
//   2. the Docker-backed files (those using describeDocker, test/support/docker.ts), once per Compose CLI:
//      PREFLIGHT_COMPOSE=v2 (with DOCKER_CONFIG=$PREFLIGHT_COMPOSE_V2_DOCKER_CONFIG when set: a config dir whose
//      cli-plugins/ holds the v2 plugin, as .ci/run installs it) and PREFLIGHT_COMPOSE=v1. A CLI that is not
//      installed is left out with a note, unless PREFLIGHT_REQUIRE_DOCKER=1, where its pass runs and fails.
//      PREFLIGHT_COMPOSE set by the caller pins one pass to that CLI.
//      The two Docker passes run at the same time on the one engine (PREFLIGHT_DOCKER_PASSES=serial: one after
//      the other); within a pass the files run one at a time. Drills mostly wait (health intervals, grace
//      periods, restarts), so two passes side by side take little longer than one; every Docker resource a test
//      makes is named per run and labelled with its launcher, so the passes do not see each other's.
//      A pass running beside another writes its output to a file, printed whole when the pass ends.
// Then a summary after node's own: counts per pass, every skipped suite and why, every failure.
// `node scripts/run-tests.mjs <path-fragment>…` runs the matching files only (same passes).
// Node 20's runner does not expand globs, so the files are listed here.
import { spawn, spawnSync } from 'node:child_process';
import { createWriteStream, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';

const root = new URL('..', import.meta.url).pathname;
const REPORTER = pathToFileURL(join(root, 'scripts', 'test-summary-reporter.mjs')).href;

const files = [];
const walk = (dir) => {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p);
    else if (name.endsWith('.test.ts')) files.push(relative(root, p));
  }
};
walk(join(root, 'src'));
walk(join(root, 'test'));
const filter = process.argv.slice(2);
const selected = (filter.length ? files.filter((f) => filter.some((x) => f.includes(x))) : files).sort();
const usesDocker = (f) => /\bdescribeDocker\(/.test(readFileSync(join(root, f), 'utf8'));
const dockerFiles = selected.filter(usesDocker);
const unitFiles = selected.filter((f) => !dockerFiles.includes(f));

const required = process.env.PREFLIGHT_REQUIRE_DOCKER === '1';
const v2Config = process.env.PREFLIGHT_COMPOSE_V2_DOCKER_CONFIG;
const envFor = (kind) => ({
  ...process.env,
  PREFLIGHT_COMPOSE: kind,
  ...(kind === 'v2' && v2Config ? { DOCKER_CONFIG: v2Config } : {}),
});

/** `{ version }` of one Compose CLI in the environment its pass gets, or `{ missing }` saying why not. */
function probeCompose(kind) {
  const [program, ...lead] = kind === 'v2' ? ['docker', 'compose'] : ['docker-compose'];
  const r = spawnSync(program, [...lead, 'version', '--short'], {
    env: envFor(kind),
    encoding: 'utf8',
    timeout: 20_000,
  });
  const version = (r.stdout ?? '').trim();
  if (r.status === 0 && version) return { version };
  const stderr = (r.stderr ?? '').trim();
  const why = r.error
    ? `${program} is not installed`
    : kind === 'v2' && /unknown (flag|command)|is not a docker command/.test(stderr)
      ? 'docker has no compose plugin'
      : stderr.split('\n')[0] || `exit ${r.status}`;
  return { missing: `\`${[program, ...lead].join(' ')} version\` failed: ${why}` };
}

const passes = [];
const notes = [];
if (unitFiles.length) passes.push({ label: 'unit', files: unitFiles, env: process.env });
if (dockerFiles.length) {
  const pinned = process.env.PREFLIGHT_COMPOSE;
  const engine = spawnSync('docker', ['version', '--format', '{{.Server.Version}}'], {
    encoding: 'utf8',
    timeout: 20_000,
  });
  if (pinned) {
    passes.push({ label: `Docker, Compose ${pinned} (PREFLIGHT_COMPOSE)`, files: dockerFiles, env: envFor(pinned) });
  } else if (engine.status !== 0 && !required) {
    // Each suite skips with its own visible line; no point doing that twice.
    passes.push({ label: 'Docker (no engine)', files: dockerFiles, env: process.env });
  } else {
    for (const kind of ['v2', 'v1']) {
      const probe = probeCompose(kind);
      if (probe.version || required)
        passes.push({
          label: `Docker, Compose ${kind}${probe.version ? ` ${probe.version}` : ' (missing)'}`,
          files: dockerFiles,
          env: envFor(kind),
        });
      else notes.push(`Docker suites under Compose ${kind} not run: ${probe.missing}`);
    }
    if (!passes.some((p) => p.files === dockerFiles))
      passes.push({ label: 'Docker (no Compose)', files: dockerFiles, env: process.env });
  }
}

const defaultReporter = process.stdout.isTTY ? 'spec' : 'tap';
const unitConcurrency = Math.max(1, Number.parseInt(process.env.PREFLIGHT_TEST_CONCURRENCY ?? '2', 10) || 1);
const dockerSerial = process.env.PREFLIGHT_DOCKER_PASSES === 'serial';
const scratch = mkdtempSync(join(tmpdir(), 'preflight-test-summary-'));
const results = [];
const runStarted = performance.now();
try {
  const unit = passes.filter((p) => p.label === 'unit');
  const docker = passes.filter((p) => p.label !== 'unit');
  for (const pass of unit) results.push(await runPass(pass, { concurrency: unitConcurrency, alone: true }));
  if (dockerSerial || docker.length < 2) {
    for (const pass of docker) results.push(await runPass(pass, { concurrency: 1, alone: true }));
  } else {
    process.stdout.write(
      `\n# ━━ ${docker.map(banner).join(' | ')}: side by side; each pass's output follows when it ends ━━\n`,
    );
    results.push(...(await Promise.all(docker.map((pass) => runPass(pass, { concurrency: 1, alone: false })))));
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}

function banner(pass) {
  return `${pass.label}: ${pass.files.length} file${pass.files.length === 1 ? '' : 's'}`;
}

/**
 * One node --test run over a pass's files. `alone`: its output goes straight to ours; otherwise to a file,
 * printed whole when the pass ends, so two passes' TAP streams do not interleave.
 */
function runPass(pass, { concurrency, alone }) {
  const id = passes.indexOf(pass);
  const summaryFile = join(scratch, `pass-${id}.jsonl`);
  const outputFile = join(scratch, `pass-${id}.out`);
  if (alone) process.stdout.write(`\n# ━━ ${banner(pass)} ━━\n`);
  const started = performance.now();
  const args = [
    '--import',
    'tsx',
    '--test',
    `--test-concurrency=${concurrency}`,
    `--test-reporter=${defaultReporter}`,
    '--test-reporter-destination=stdout',
    `--test-reporter=${REPORTER}`,
    `--test-reporter-destination=${summaryFile}`,
    ...pass.files,
  ];
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, {
      cwd: root,
      stdio: alone ? 'inherit' : ['ignore', 'pipe', 'pipe'],
      env: pass.env,
    });
    let output;
    if (!alone) {
      output = createWriteStream(outputFile);
      child.stdout.pipe(output, { end: false });
      child.stderr.pipe(output, { end: false });
    }
    let finished = false;
    const finish = async (status) => {
      // 'error' (the spawn failed) may be followed by 'close': one result per pass.
      if (finished) return;
      finished = true;
      const seconds = (performance.now() - started) / 1000;
      if (output) {
        await new Promise((done) => output.end(done));
        process.stdout.write(`\n# ━━ ${banner(pass)} (ran side by side, ${seconds.toFixed(0)} s) ━━\n`);
        process.stdout.write(readFileSync(outputFile));
      }
      resolve({ ...pass, ...readSummary(summaryFile), status, seconds });
    };
    child.on('error', () => finish(1));
    child.on('close', (code) => finish(code ?? 1));
  });
}

printSummary();
process.exit(results.some((r) => r.status !== 0) ? 1 : 0);

function readSummary(file) {
  const tests = [];
  let counts = {};
  let text = '';
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return { tests, counts };
  }
  for (const line of text.split('\n')) {
    if (!line) continue;
    const o = JSON.parse(line);
    if (o.test) tests.push(o.test);
    if (o.counts) counts = o.counts;
  }
  return { tests, counts };
}

function printSummary() {
  const out = ['', '# ━━ summary ━━'];
  const width = Math.max(...results.map((r) => r.label.length));
  for (const r of results) {
    const c = r.counts;
    const n = (k) => c[k] ?? '?';
    out.push(
      `# ${r.label.padEnd(width)}  ${n('tests')} tests: ${n('pass')} pass, ${n('fail')} fail, ${n('skipped')} ` +
        `skipped, ${n('todo')} todo, ${n('cancelled')} cancelled (${r.seconds.toFixed(0)} ` +
        `s)${r.status === 0 ? '' : `  FAILED (exit ${r.status})`}`,
    );
  }
  if (results.length > 1) {
    const sum = (k) => results.reduce((n, r) => n + (r.counts[k] ?? 0), 0);
    // The passes' own times add up to more than the run took when the Docker passes ran side by side.
    const seconds = (performance.now() - runStarted) / 1000;
    out.push(
      `# ${'total'.padEnd(width)}  ${sum('tests')} tests: ${sum('pass')} pass, ${sum('fail')} ` +
        `fail, ${sum('skipped')} skipped, ${sum('todo')} todo, ${sum('cancelled')} cancelled ` +
        `(${seconds.toFixed(0)} s wall)`,
    );
  }
  for (const note of notes) out.push(`# ${note}`);
  const list = (outcome, title) => {
    const entries = results.flatMap((r) =>
      r.tests.filter((t) => t.outcome === outcome).map((t) => ({ ...t, pass: r })),
    );
    if (!entries.length) return;
    out.push(`# ${title} (${entries.length}):`);
    for (const t of entries) {
      // A test declared by a helper (describeDocker, describeCorpus) carries the helper's file: leave it out.
      const where = [t.file.startsWith('test/support/') ? '' : t.file, results.length > 1 ? t.pass.label : '']
        .filter(Boolean)
        .join(', ');
      out.push(`#   ${t.path.join(' › ')}${where ? `  [${where}]` : ''}${t.reason ? ` — ${t.reason}` : ''}`);
    }
  };
  list('skip', 'skipped');
  list('todo', 'todo');
  list('fail', 'failed');
  process.stdout.write(`${out.join('\n')}\n`);
}
