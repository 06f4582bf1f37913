#!/usr/bin/env node
/**
 * `npm run bench` (builds first): whole-process wall time of
 *   0. start-up (issue 14): `preflight --version` and `preflight check examples/shop` against a bare `node -e ""`,
 *      interleaved in the same run, median of each (at least 11 runs); targets: ≤ 1.5× and ≤ 2.5× bare Node;
 *      the CLI's V8 code cache is written by each measure's warm-up run, in a folder of the bench's own, and an
 *      `info` row shows the same check without it (a first run);
 *   1. `preflight check -r <corpus>` against `dclint -r <corpus>` (the TypeScript compose linter, a dev dependency),
 *      runs interleaved, median of each; target (issue 14): Preflight ≤ 0.05× dclint's time (and, as info, without
 *      the code cache);
 *   2. the rule counts of both; target: Preflight runs more than 2× dclint's rules;
 *   3. `preflight check` of a generated 1,000-service compose file; target: median < 2 s;
 *   4. the rollout load generator's own overhead: requests it drives per second of its own CPU time (one core)
 *      against a trivial HTTP server in another process, median of 3 runs; target: ≥ 10× the 200 req/s the
 *      rollout tests use;
 *   5. `preflight check` of each hostile input of test/check/bad-input-cases.ts (alias bomb, 10 MB file, …), the
 *      cases the bad-input test asserts exit 2 and one line for; target: the slowest case's median < 5 s;
 *   6. 1,000 random secrets-envelope round trips (encrypt + decrypt, ten of them with a 128 KiB value), the
 *      work of the envelope round-trip test; target: median < 20 s;
 *   7. rollout wall time against Σ(instance upgrade + min_healthy_time), target ≤ 1.1×, and wall time of 50
 *      replicas in 2 batches against 10 in 1, target ≤ 3× (the instances are 5×) (bench/rollout.mjs: fake Phala API, real time).
 *   8. the unbounded-work cases of issue 11 (bench/hostile.mjs: extends fan-out, interpolation amplification, a
 *      40,000-key lockfile, -r through a link loop, wall time and peak RSS of the CLI; the secret detectors on
 *      their worst 100 KB and 4.9 MB inputs), each beside the figure the issue reported as its baseline.
 * These are the limits the tests used to assert as timings; tests assert behaviour only.
 * Prints a table with PASS/FAIL per target and exits 1 when a target fails. Not part of `npm test`.
 * Without the corpus, 1 is skipped with a line saying so and the rest still run.
 *
 * Options (environment): BENCH_RUNS (default 5, at least 5), BENCH_CORPUS (default $PREFLIGHT_CORPUS, else
 * ../shared/corpus).
 */
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const PREFLIGHT = join(ROOT, 'bin', 'preflight.js');
const DCLINT = join(ROOT, 'node_modules', 'dclint', 'bin', 'dclint.cjs');
const CORPUS = resolve(
  ROOT,
  process.env.BENCH_CORPUS || process.env.PREFLIGHT_CORPUS || join('..', 'shared', 'corpus'),
);
const RUNS = Math.max(5, Number(process.env.BENCH_RUNS ?? 5) || 5);

const TARGET_TIME_RATIO = 0.05;
const TARGET_VERSION_RATIO = 1.5;
const TARGET_CHECK_EXAMPLE_RATIO = 2.5;
const STARTUP_RUNS = Math.max(11, RUNS);
const EXAMPLE_APP = join('examples', 'shop');
const TARGET_RULE_RATIO = 2;
const TARGET_SYNTHETIC_MS = 2000;
const SYNTHETIC_SERVICES = 1000;
const ROLLOUT_TEST_RATE = 200;
const TARGET_LOAD_PER_CORE = 10 * ROLLOUT_TEST_RATE;
const LOAD_OFFERED_RATE = 2000;
const LOAD_SECONDS = 5;
const LOAD_RUNS = 3;
const TARGET_BAD_INPUT_MS = 5000;
const TARGET_ENVELOPE_MS = 20000;
const ENVELOPE_TRIPS = 1000;
const TARGET_ROLLOUT_RATIO = 1.1;
const TARGET_BATCH_RATIO = 3;

// The CLI's V8 code cache (src/launcher/compile-cache.ts), in a folder of this run's own: each measure's
// warm-up run writes it, as a user's first run does; the `cold` rows run without it, as a first run.
const CACHE_DIR = mkdtempSync(join(tmpdir(), 'preflight-bench-cache-'));
process.on('exit', () => rmSync(CACHE_DIR, { recursive: true, force: true }));
const NO_CACHE = { PREFLIGHT_DISABLE_COMPILE_CACHE: '1' };

function fail(message) {
  process.stderr.write(`bench: ${message}\n`);
  process.exit(2);
}

/** Run a command once; whole-process wall time in ms. Exit 0 or 1 (findings) is success; anything else aborts. */
function timed(label, args, opts = {}) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, {
    cwd: opts.cwd ?? ROOT,
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
    env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0', PREFLIGHT_COMPILE_CACHE: CACHE_DIR, ...opts.env },
  });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  const expected = opts.expectStatus ?? [0, 1];
  if (!expected.includes(r.status))
    fail(`${label} exited ${r.status ?? r.signal}: ${(r.stderr || r.stdout || '').split('\n')[0]}`);
  return { ms, stdout: r.stdout };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const fmtMs = (ms) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${Math.round(ms)} ms`);

/** Rule counts: ours from the rule registry (what `check` runs), dclint's from the rules its linter loads. */
async function ruleCounts() {
  const { RULES } = await import(pathToFileURL(join(ROOT, 'dist', 'rules', 'index.js')).href);
  let dclint;
  try {
    const { DCLinter } = await import('dclint');
    // With no configuration every built-in rule is enabled, so this is the number of rules dclint has.
    dclint = new DCLinter({ rules: {}, quiet: true, debug: false, exclude: [] }).rules.length;
  } catch {
    // Fallback: one declaration file per rule in the package.
    const dir = join(ROOT, 'node_modules', 'dclint', 'dist', 'types', 'src', 'rules');
    dclint = readdirSync(dir).filter((f) => f.endsWith('-rule.d.ts')).length;
  }
  return { ours: RULES.length, dclint };
}

/** A compose file of `n` services in the shapes real apps have (web, workers, databases, caches, sidecars). */
function syntheticCompose(n) {
  const lines = ['name: synthetic', 'services:'];
  const volumes = [];
  for (let i = 0; i < n; i++) {
    const kind = i % 5;
    lines.push(`  svc-${i}:`);
    if (kind === 0) {
      lines.push(
        `    image: ghcr.io/example/web-${i}:1.${i % 10}.0`,
        '    restart: unless-stopped',
        '    ports:',
        `      - "${10000 + i}:8080"`,
        '    environment:',
        `      DATABASE_URL: postgres://app:\${DB_PASSWORD_${i}:?}@svc-${i + 1}:5432/app`,
        `      LOG_LEVEL: info`,
        '    depends_on:',
        `      svc-${i + 1}:`,
        '        condition: service_healthy',
        '    healthcheck:',
        '      test: ["CMD", "wget", "-qO-", "http://localhost:8080/health"]',
        '      interval: 10s',
        '      timeout: 3s',
        '      retries: 3',
      );
    } else if (kind === 1) {
      volumes.push(`pg-${i}`);
      lines.push(
        '    image: postgres:16.4',
        '    restart: always',
        '    environment:',
        `      POSTGRES_PASSWORD: \${DB_PASSWORD_${i - 1}:?}`,
        '    volumes:',
        `      - pg-${i}:/var/lib/postgresql/data`,
        '    stop_grace_period: 1m',
        '    healthcheck:',
        '      test: ["CMD-SHELL", "pg_isready -U postgres"]',
        '      interval: 5s',
        '      timeout: 3s',
        '      retries: 5',
        '      start_period: 30s',
      );
    } else if (kind === 2) {
      lines.push(
        `    image: redis:7.4`,
        '    command: ["redis-server", "--appendonly", "yes"]',
        '    restart: unless-stopped',
        '    volumes:',
        `      - /data`,
      );
    } else if (kind === 3) {
      lines.push(
        `    build: ./worker-${i}`,
        `    command: sh -c "node worker.js --queue q${i}"`,
        '    environment:',
        `      - API_KEY=sk-${'a1b2c3d4'.repeat(4)}`,
        `      - QUEUE=q${i}`,
      );
    } else {
      lines.push(
        '    image: prom/node-exporter:v1.8.2',
        '    pid: host',
        '    restart: unless-stopped',
        '    volumes:',
        '      - /:/host:ro,rslave',
        '    command: ["--path.rootfs=/host"]',
      );
    }
  }
  lines.push('volumes:', ...volumes.map((v) => `  ${v}: {}`));
  return lines.join('\n') + '\n';
}

/**
 * The load generator's cost: it drives LOAD_OFFERED_RATE req/s for LOAD_SECONDS at a trivial server in a child
 * process (so the server's CPU is not ours), and we divide the requests sent by the CPU time this process used:
 * requests per core-second, what one core could drive. Wall-clock figures are printed beside it for context;
 * they depend on the server and the machine's load, the CPU figure much less.
 */
async function loadGeneratorOverhead() {
  const { startLoad } = await import(pathToFileURL(join(ROOT, 'dist', 'rollout', 'load', 'index.js')).href);
  const serverCode = `const s = require('node:http').createServer((q, r) => r.end('ok'));
s.keepAliveTimeout = 30000;
s.listen(0, '127.0.0.1', () => console.log(s.address().port));`;
  const child = spawn(process.execPath, ['-e', serverCode], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const port = await new Promise((resolve, reject) => {
      createInterface({ input: child.stdout }).once('line', (l) => resolve(Number(l)));
      child.once('exit', (code) => reject(new Error(`the bench HTTP server exited ${code}`)));
    });
    const url = `http://127.0.0.1:${port}/`;
    // Warm-up: JIT, sockets.
    await startLoad({ url, rate: LOAD_OFFERED_RATE, durationMs: 1000, maxInFlight: 4096 }).done;
    const runs = [];
    for (let i = 0; i < LOAD_RUNS; i++) {
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      const summary = await startLoad({
        url,
        rate: LOAD_OFFERED_RATE,
        durationMs: LOAD_SECONDS * 1000,
        maxInFlight: 4096,
      }).done;
      const cpu = process.cpuUsage(cpu0);
      const wallS = (performance.now() - t0) / 1000;
      const cpuS = (cpu.user + cpu.system) / 1e6;
      runs.push({
        perCore: summary.sent / cpuS,
        achieved: summary.ok / wallS,
        availability: summary.availability,
        lagP99: summary.lagMs.p99 ?? 0,
      });
    }
    // The median run by the per-core figure; every run's figure is printed below the table.
    const sorted = [...runs].sort((a, b) => a.perCore - b.perCore);
    return { ...sorted[sorted.length >> 1], all: runs.map((r) => Math.round(r.perCore)) };
  } finally {
    child.kill();
  }
}

/**
 * Start-up: bare Node, `--version`, `check` of the bundled example, and that check without the code
 * cache (a first run); one warm-up each, then interleaved runs.
 */
function startupTimes() {
  const commands = {
    node: [['-e', '']],
    version: [[PREFLIGHT, '--version']],
    check: [[PREFLIGHT, 'check', EXAMPLE_APP]],
    checkCold: [[PREFLIGHT, 'check', EXAMPLE_APP], { env: NO_CACHE }],
  };
  const runs = Object.fromEntries(Object.keys(commands).map((k) => [k, []]));
  for (const [k, [args, opts]] of Object.entries(commands)) timed(k, args, opts);
  for (let i = 0; i < STARTUP_RUNS; i++)
    for (const [k, [args, opts]] of Object.entries(commands)) runs[k].push(timed(k, args, opts).ms);
  return { ...Object.fromEntries(Object.entries(runs).map(([k, xs]) => [k, median(xs)])), runs };
}

/** Each hostile input of the bad-input test, timed: `preflight check` must answer every one (exit 2) in bounded time. */
async function badInputTimes() {
  const { tsImport } = await import('tsx/esm/api');
  const { CASES, writeCaseFiles } = await tsImport(join(ROOT, 'test', 'check', 'bad-input-cases.ts'), import.meta.url);
  const dir = mkdtempSync(join(tmpdir(), 'preflight-bench-bad-'));
  try {
    return CASES.map((c, i) => {
      const cwd = join(dir, `case-${i}`);
      writeCaseFiles(cwd, c);
      const args = [PREFLIGHT, 'check', ...c.args];
      const runs = [];
      for (let r = 0; r < RUNS; r++) runs.push(timed(`bad input "${c.name}"`, args, { cwd, expectStatus: [2] }).ms);
      return { name: c.name, median: median(runs) };
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The envelope round-trip test's work: random keys and values (unicode, quotes; no NUL, refused since secrets/limits.ts), ten 128 KiB values. */
async function envelopeRoundTrips() {
  const { encryptEnvVars, decryptEnvBlob, x25519PublicFromSecret } = await import(
    pathToFileURL(join(ROOT, 'dist', 'secrets', 'envelope.js')).href
  );
  // No NUL: a value holding one is an input error now (secrets/limits.ts), as the platform cannot carry it.
  const alphabet = ['a', 'Z', '0', ' ', '"', '\\', '\n', 'é', '中', '🚀', '$'];
  const big = 'x'.repeat(128 * 1024);
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < ENVELOPE_TRIPS; i++) {
    const secret = randomBytes(32);
    const pub = x25519PublicFromSecret(secret);
    const vars = [];
    for (let j = 0, n = 1 + randomInt(4); j < n; j++) {
      let value = '';
      for (let c = 0, len = randomInt(40); c < len; c++) value += alphabet[randomInt(alphabet.length)];
      vars.push({ key: `K${i}_${j}`, value: i % 100 === 0 && j === 0 ? big : value });
    }
    const back = decryptEnvBlob(encryptEnvVars(vars, pub).encryptedEnv, secret);
    if (back.length !== vars.length || back.some((v, k) => v.value !== vars[k].value))
      fail(`envelope round trip ${i} did not give back what went in`);
  }
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

async function main() {
  if (!existsSync(join(ROOT, 'dist', 'cli', 'main.js')))
    fail('dist/ is missing: run `npm run build` (npm run bench does)');
  if (!existsSync(DCLINT)) fail('dclint is not installed (npm ci installs it as a dev dependency)');
  const haveCorpus = existsSync(CORPUS);

  process.stdout.write(
    `node ${process.version}, ${cpus().length} CPUs, load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}; ${RUNS} runs each, interleaved\n`,
  );
  process.stdout.write(
    haveCorpus
      ? `corpus: ${CORPUS}\n\n`
      : `corpus: none at ${CORPUS}: the corpus figures are skipped (BENCH_CORPUS=DIR points elsewhere)\n\n`,
  );

  const rows = [['measure', 'Preflight', 'dclint or baseline', 'result', 'target', '']];
  const runsLine = [];

  // 0. Start-up against bare Node, interleaved so the machine's load touches all three alike.
  const startup = startupTimes();
  for (const [label, key, target] of [
    ['start-up: `preflight --version`, median / `node -e ""`', 'version', TARGET_VERSION_RATIO],
    [`start-up: \`preflight check ${EXAMPLE_APP}\`, median / \`node -e ""\``, 'check', TARGET_CHECK_EXAMPLE_RATIO],
  ]) {
    const ratio = startup[key] / startup.node;
    rows.push([
      label,
      fmtMs(startup[key]),
      '',
      `${ratio.toFixed(2)}× of ${fmtMs(startup.node)}`,
      `≤ ${target}×`,
      ratio <= target ? 'PASS' : 'FAIL',
    ]);
  }
  rows.push([
    `  the same check, first run (no code cache)`,
    fmtMs(startup.checkCold),
    '',
    `${(startup.checkCold / startup.node).toFixed(2)}× of ${fmtMs(startup.node)}`,
    '',
    'info',
  ]);
  runsLine.push(
    ...Object.keys(startup.runs).map((k) => `start-up ${k} [${startup.runs[k].map(Math.round).join(', ')}]`),
  );

  if (haveCorpus) {
    // 1. Corpus: one warm-up each (file cache, module compile cache), then interleaved timed runs.
    const oursArgs = [PREFLIGHT, 'check', '-r', CORPUS, '--format', 'json', '--fail-on', 'never'];
    const theirsArgs = [DCLINT, '-r', CORPUS];
    const warm = timed('preflight', oursArgs);
    const report = JSON.parse(warm.stdout);
    timed('dclint', theirsArgs);
    const ours = [];
    const cold = [];
    const theirs = [];
    for (let i = 0; i < RUNS; i++) {
      ours.push(timed('preflight', oursArgs).ms);
      cold.push(timed('preflight', oursArgs, { env: NO_CACHE }).ms);
      theirs.push(timed('dclint', theirsArgs).ms);
      process.stdout.write(
        `  run ${i + 1}/${RUNS}: preflight ${fmtMs(ours[i])} (no code cache ${fmtMs(cold[i])}), dclint ${fmtMs(theirs[i])}\n`,
      );
    }
    const timeRatio = median(ours) / median(theirs);
    rows.push([
      `corpus -r, median wall time (${report.targets.length} projects)`,
      fmtMs(median(ours)),
      fmtMs(median(theirs)),
      `${timeRatio.toFixed(3)}×`,
      `≤ ${TARGET_TIME_RATIO}×`,
      timeRatio <= TARGET_TIME_RATIO ? 'PASS' : 'FAIL',
    ]);
    rows.push([
      '  the same, first run (no code cache)',
      fmtMs(median(cold)),
      fmtMs(median(theirs)),
      `${(median(cold) / median(theirs)).toFixed(3)}×`,
      '',
      'info',
    ]);
    runsLine.push(
      `preflight [${ours.map(Math.round).join(', ')}]`,
      `preflight, no code cache [${cold.map(Math.round).join(', ')}]`,
      `dclint [${theirs.map(Math.round).join(', ')}]`,
    );
  } else {
    rows.push(['corpus -r, median wall time', '', '', 'skipped: no corpus', `≤ ${TARGET_TIME_RATIO}×`, 'SKIP']);
  }

  // 2. Rules.
  const rules = await ruleCounts();
  const ruleRatio = rules.ours / rules.dclint;
  rows.push([
    'rules',
    String(rules.ours),
    String(rules.dclint),
    `${ruleRatio.toFixed(2)}×`,
    `> ${TARGET_RULE_RATIO}×`,
    ruleRatio > TARGET_RULE_RATIO ? 'PASS' : 'FAIL',
  ]);

  // 3. Synthetic 1,000-service file.
  const dir = mkdtempSync(join(tmpdir(), 'preflight-bench-'));
  const synthetic = [];
  let syntheticServices = 0;
  let syntheticFindings = 0;
  try {
    writeFileSync(join(dir, 'compose.yaml'), syntheticCompose(SYNTHETIC_SERVICES));
    const args = [PREFLIGHT, 'check', dir, '--format', 'json', '--fail-on', 'never'];
    const first = JSON.parse(timed('preflight (synthetic)', args).stdout);
    syntheticServices = first.targets[0]?.services ?? 0;
    syntheticFindings = first.findings.length;
    for (let i = 0; i < RUNS; i++) synthetic.push(timed('preflight (synthetic)', args).ms);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  if (syntheticServices !== SYNTHETIC_SERVICES)
    fail(`the synthetic file loaded ${syntheticServices} services, not ${SYNTHETIC_SERVICES}`);
  const syntheticMedian = median(synthetic);
  rows.push([
    `synthetic ${SYNTHETIC_SERVICES}-service file, median`,
    fmtMs(syntheticMedian),
    '',
    `${syntheticFindings} findings`,
    `< ${TARGET_SYNTHETIC_MS / 1000} s`,
    syntheticMedian < TARGET_SYNTHETIC_MS ? 'PASS' : 'FAIL',
  ]);
  runsLine.push(`synthetic [${synthetic.map(Math.round).join(', ')}]`);

  // 4. Load generator overhead.
  const load = await loadGeneratorOverhead();
  rows.push([
    `load generator, req/s per core (CPU time; ${LOAD_OFFERED_RATE}/s × ${LOAD_SECONDS} s, median)`,
    `${Math.round(load.perCore)} req/s`,
    '',
    `${Math.round(load.achieved)}/s ok, ${(load.availability * 100).toFixed(1)}%, lag p99 ${fmtMs(load.lagP99)}`,
    `≥ ${TARGET_LOAD_PER_CORE} req/s`,
    load.perCore >= TARGET_LOAD_PER_CORE ? 'PASS' : 'FAIL',
  ]);
  runsLine.push(`load generator req/s per core [${load.all.join(', ')}]`);

  // 5. Hostile input.
  const bad = await badInputTimes();
  const slowest = bad.reduce((a, b) => (b.median > a.median ? b : a));
  rows.push([
    `bad input, slowest of ${bad.length} cases, median`,
    fmtMs(slowest.median),
    '',
    slowest.name,
    `< ${TARGET_BAD_INPUT_MS / 1000} s`,
    slowest.median < TARGET_BAD_INPUT_MS ? 'PASS' : 'FAIL',
  ]);

  // 6. Envelope round trips.
  const envelope = [];
  for (let i = 0; i < RUNS; i++) envelope.push(await envelopeRoundTrips());
  const envelopeMedian = median(envelope);
  rows.push([
    `${ENVELOPE_TRIPS.toLocaleString('en')} envelope round trips, median`,
    fmtMs(envelopeMedian),
    '',
    `${((envelopeMedian * 1000) / ENVELOPE_TRIPS).toFixed(0)} µs each`,
    `< ${TARGET_ENVELOPE_MS / 1000} s`,
    envelopeMedian < TARGET_ENVELOPE_MS ? 'PASS' : 'FAIL',
  ]);
  runsLine.push(`envelope [${envelope.map(Math.round).join(', ')}]`);

  // 7. Rollout.
  const { rolloutFigures } = await import('./rollout.mjs');
  const ro = await rolloutFigures(ROOT);
  const roRatio = ro.seq.wallMs / ro.seq.sumOwnMs;
  rows.push([
    `rollout of ${ro.seq.replicas}, one at a time: wall / Σ(upgrade + min_healthy_time)`,
    fmtMs(ro.seq.wallMs),
    '',
    `${roRatio.toFixed(3)}× of ${fmtMs(ro.seq.sumOwnMs)} (plan check ${fmtMs(ro.seq.planMs)}); load generator ${Math.round(load.perCore)} req/s per core`,
    `≤ ${TARGET_ROLLOUT_RATIO}×`,
    roRatio <= TARGET_ROLLOUT_RATIO ? 'PASS' : 'FAIL',
  ]);
  const batchRatio = ro.two.wallMs / ro.one.wallMs;
  rows.push([
    `rollout of ${ro.two.replicas} in 2 batches / ${ro.one.replicas} in 1`,
    fmtMs(ro.two.wallMs),
    '',
    `${batchRatio.toFixed(2)}× (instances 5×, batches 2×)`,
    `≤ ${TARGET_BATCH_RATIO}×`,
    batchRatio <= TARGET_BATCH_RATIO ? 'PASS' : 'FAIL',
  ]);
  runsLine.push(
    `rollout [sequential ${Math.round(ro.seq.wallMs)}, 10 in 1 batch ${Math.round(ro.one.wallMs)}, 50 in 2 batches ${Math.round(ro.two.wallMs)}]`,
  );

  // 8. Hostile input of issue 11 (bench/hostile.mjs): each against the figure the issue reported.
  const { hostileFigures } = await import('./hostile.mjs');
  for (const r of await hostileFigures(ROOT, RUNS)) rows.push(r);

  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  const line = (r) => r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ');
  process.stdout.write('\n' + line(rows[0]) + '\n' + widths.map((w) => '-'.repeat(w)).join('  ') + '\n');
  for (const r of rows.slice(1)) process.stdout.write(line(r) + '\n');
  process.stdout.write(`\nall runs (ms, unless stated): ${runsLine.join(', ')}\n`);
  process.stdout.write(
    `bad input, median per case (target < ${TARGET_BAD_INPUT_MS / 1000} s each): ${bad.map((b) => `${b.name} ${fmtMs(b.median)}`).join('; ')}\n`,
  );

  const failed = rows.slice(1).filter((r) => r[5] === 'FAIL');
  const skipped = rows.slice(1).filter((r) => r[5] === 'SKIP');
  process.stdout.write(
    `\n${failed.length ? `${failed.length} target(s) missed` : 'all measured targets met'}${skipped.length ? `; ${skipped.length} skipped` : ''}\n`,
  );
  process.exitCode = failed.length ? 1 : 0;
}

main().catch((err) => fail(err instanceof Error ? (process.env.BENCH_TRACE ? err.stack : err.message) : String(err)));
