// `npm test` (after build and lint): every *.test.ts under src/ and test/, with node's test runner, in passes:
//   1. the unit files (no Docker), once;
//   2. the Docker-backed files (those using describeDocker, test/support/docker.ts), once per Compose CLI:
//      PREFLIGHT_COMPOSE=v2 (with DOCKER_CONFIG=$PREFLIGHT_COMPOSE_V2_DOCKER_CONFIG when set: a config dir whose
//      cli-plugins/ holds the v2 plugin, as .ci/run installs it) and PREFLIGHT_COMPOSE=v1. A CLI that is not
//      installed is left out with a note, unless PREFLIGHT_REQUIRE_DOCKER=1, where its pass runs and fails.
//      PREFLIGHT_COMPOSE set by the caller pins one pass to that CLI.
// Then a summary after node's own: counts per pass, every skipped suite and why, every failure.
// `node scripts/run-tests.mjs <path-fragment>…` runs the matching files only (same passes).
// Node 20's runner does not expand globs, so the files are listed here. Files run one at a time: the
// Docker drills are timing-sensitive and the machine has two cores.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
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
const scratch = mkdtempSync(join(tmpdir(), 'preflight-test-summary-'));
const results = [];
try {
  for (const [i, pass] of passes.entries()) {
    const banner = `${pass.label}: ${pass.files.length} file${pass.files.length === 1 ? '' : 's'}`;
    process.stdout.write(`\n# ━━ ${banner} ━━\n`);
    const summaryFile = join(scratch, `pass-${i}.jsonl`);
    const started = performance.now();
    const res = spawnSync(
      process.execPath,
      [
        '--import',
        'tsx',
        '--test',
        '--test-concurrency=1',
        `--test-reporter=${defaultReporter}`,
        '--test-reporter-destination=stdout',
        `--test-reporter=${REPORTER}`,
        `--test-reporter-destination=${summaryFile}`,
        ...pass.files,
      ],
      { cwd: root, stdio: 'inherit', env: pass.env },
    );
    const summary = readSummary(summaryFile);
    results.push({ ...pass, ...summary, status: res.status ?? 1, seconds: (performance.now() - started) / 1000 });
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
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
      `# ${r.label.padEnd(width)}  ${n('tests')} tests: ${n('pass')} pass, ${n('fail')} fail, ${n('skipped')} skipped, ${n('todo')} todo, ${n('cancelled')} cancelled (${r.seconds.toFixed(0)} s)${r.status === 0 ? '' : `  FAILED (exit ${r.status})`}`,
    );
  }
  if (results.length > 1) {
    const sum = (k) => results.reduce((n, r) => n + (r.counts[k] ?? 0), 0);
    const seconds = results.reduce((n, r) => n + r.seconds, 0);
    out.push(
      `# ${'total'.padEnd(width)}  ${sum('tests')} tests: ${sum('pass')} pass, ${sum('fail')} fail, ${sum('skipped')} skipped, ${sum('todo')} todo, ${sum('cancelled')} cancelled (${seconds.toFixed(0)} s)`,
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
