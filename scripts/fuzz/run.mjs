#!/usr/bin/env node
/**
 * `npm run fuzz` (builds first): seeded, bounded fuzzing of `check`, `diff`, `secrets plan`,
 * `secrets encrypt` and `fix` with mutated compose files (the corpus, ../shared/corpus, plus built-in
 * seeds), app-compose.json, env files and .preflight.yml. This process makes the cases (the same seed
 * gives the same cases) and a pool of long-lived workers (pool.mjs, worker.mjs) runs them in-process
 * through the library API (dist/index.js); every Kth case also goes through the real CLI, for exit codes.
 *
 * A failure is: an error that is not an InputError/UsageError (in-process), a broken `fix` promise
 * (targets.mjs), an exit code above 2, a signal, a stack trace or "internal error" (CLI), a case over
 * 10 s of CPU time, memory over 500 MB (the worker's rss after a command, or its heap ceiling: the
 * worker dies), or no answer at all. Each distinct failure is minimised and saved as a reproducer
 * directory under --out (default: a new directory in the system temp dir, never inside the repository).
 *
 * Options: --cases N (20000) --seconds S (1800) --seed S (1) --cli-every K (100) --workers W (2, at
 * most the cores) --out DIR --corpus DIR; to replay a failure's stretch of a run: --from N (make cases
 * 0..N-1 without running them) --only fix,fix-write (run these commands, and check) (library callers may also pass
 * slowMs: the test slice passes
 * Infinity, since tests assert no timings). Exit 0 when nothing failed, 1 otherwise.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeRng, mutate } from './mutate.mjs';
import { startPool } from './pool.mjs';
import { SEEDS } from './seeds.mjs';
import { cliArgs, FORMATS, writeCase } from './targets.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const SLOW_MS = 10_000;
const MEMORY_MB = 500;
const HANG_MS = 300_000;
const MAX_SHRINK_RUNS = 200;

/** Runs the fuzzer; returns the summary (also what `npm run fuzz` prints). */
export async function runFuzz(options = {}) {
  const opts = {
    cases: 20000,
    seconds: 1800,
    seed: 1,
    cliEvery: 100,
    slowMs: SLOW_MS,
    workers: Math.min(2, availableParallelism()),
    ...options,
  };
  const out = opts.out ?? mkdtempSync(join(tmpdir(), `preflight-fuzz-${opts.seed}-`));
  mkdirSync(out, { recursive: true });
  const seeds = loadSeeds(opts.corpus ?? join(ROOT, '..', 'shared', 'corpus'));
  const rng = makeRng(opts.seed);
  const stats = {
    seed: opts.seed,
    workers: opts.workers,
    cases: 0,
    byCommand: {},
    cliRuns: 0,
    cliExitCodes: {},
    crashes: 0,
    slow: 0,
    memory: 0,
    failures: [],
    reproducers: out,
    maxMs: 0,
    maxRssMb: 0,
  };
  const first = new Map(); // failure signature → the lowest case index that showed it
  const started = Date.now();
  const deadline = started + opts.seconds * 1000;
  const pool = startPool({ size: opts.workers, heapMb: MEMORY_MB, hangMs: HANG_MS });
  await pool.started;
  try {
    const inFlight = new Set();
    for (let i = 0; i < opts.cases && Date.now() < deadline; i++) {
      const c = makeCase(rng, seeds, i);
      // --from replays a stretch of a run: the earlier cases are made (the generator's state) but not run.
      if (i < (opts.from ?? 0)) continue;
      if (opts.only) c.commands = c.commands.filter((k) => k === 'check' || opts.only.includes(k));
      const cli = opts.cliEvery > 0 && i % opts.cliEvery === 0 ? c.commands[0] : undefined;
      const job = { id: i, files: c.files, bytes: c.bytes, commands: c.commands, format: c.format, cli };
      const p = pool.run(job).then((answer) => {
        inFlight.delete(p);
        tally(stats, first, opts, c, answer);
        if (opts.progress && stats.cases % 500 === 0)
          process.stderr.write(
            `fuzz: ${stats.cases} cases, ${first.size} distinct ` +
              `failure(s), ${Math.round((Date.now() - started) / 1000)} s\n`,
          );
      });
      inFlight.add(p);
      // Keep every worker busy, and no more cases made than they can take.
      if (inFlight.size >= opts.workers * 2) await Promise.race(inFlight);
    }
    await Promise.all(inFlight);
    const failures = [...first.values()].sort((a, b) => a.index - b.index);
    for (const f of failures) {
      stats.failures.push(f.entry);
      await saveReproducer(pool, f);
    }
  } finally {
    await pool.stop();
  }
  return stats;
}

/** Counts one answered case and notes each failure it shows. */
function tally(stats, first, opts, c, answer) {
  stats.cases++;
  const fail = (what, command, signature) => {
    stats[what === 'crash' ? 'crashes' : what]++;
    const known = first.get(signature);
    if (known && known.index <= c.index) return;
    const id = createHash('sha256').update(signature).digest('hex').slice(0, 12);
    const entry = {
      what,
      signature,
      command,
      mutators: c.mutators,
      index: c.index,
      reproducer: join(stats.reproducers, id),
    };
    first.set(signature, { index: c.index, entry, c, command, what });
  };
  if (answer.died) {
    const command = c.commands.join('+');
    const what = /heap over/.test(answer.died) ? 'memory' : 'crash';
    fail(what, command, `${command}: ${answer.died}`);
    return;
  }
  stats.maxRssMb = Math.max(stats.maxRssMb, Math.round(answer.maxRssKb / 1024));
  for (const r of answer.results) {
    const count = (stats.byCommand[r.command] ??= { ok: 0, input: 0, crash: 0, maxMs: 0, maxRssMb: 0 });
    count[r.kind]++;
    count.maxMs = Math.max(count.maxMs, Math.round(r.ms));
    count.maxRssMb = Math.max(count.maxRssMb, Math.round(r.rss / 1024 / 1024));
    if (r.ms > stats.maxMs) {
      stats.maxMs = r.ms;
      stats.slowest = { command: r.command, mutators: c.mutators, case: c.index, ms: Math.round(r.ms) };
    }
    if (r.kind === 'crash') fail('crash', r.command, `${r.command}: ${r.signature}`);
    else if (r.ms > opts.slowMs) fail('slow', r.command, `${r.command}: over ${opts.slowMs / 1000} s`);
    else if (r.rss > MEMORY_MB * 1024 * 1024) fail('memory', r.command, `${r.command}: rss over ${MEMORY_MB} MB`);
  }
  if (answer.cli) {
    stats.cliRuns++;
    stats.cliExitCodes[answer.cli.code] = (stats.cliExitCodes[answer.cli.code] ?? 0) + 1;
    if (answer.cli.failure) fail('crash', c.commands[0], `cli ${c.commands[0]}: ${answer.cli.failure}`);
  }
}

/**
 * Saves the failing case; a crash is first shrunk (lines removed while the same failure happens, run
 * by the pool's workers), so the reproducer is small.
 */
async function saveReproducer(pool, f) {
  const { c, command, what, entry } = f;
  let files = { ...c.files };
  if (what === 'crash' && !entry.signature.startsWith('cli ') && c.commands.includes(command)) {
    let ls = files[c.mutated].split('\n');
    let runs = 0;
    for (let chunk = Math.max(1, ls.length >> 1); chunk >= 1 && runs < MAX_SHRINK_RUNS; chunk >>= 1) {
      for (let at = 0; at < ls.length && runs < MAX_SHRINK_RUNS; ) {
        const candidate = [...ls.slice(0, at), ...ls.slice(at + chunk)];
        runs++;
        const commands = c.commands.slice(0, c.commands.indexOf(command) + 1);
        const answer = await pool.run({
          id: `shrink-${runs}`,
          files: { ...files, [c.mutated]: candidate.join('\n') },
          bytes: c.bytes,
          commands,
          format: c.format,
        });
        const r = answer.results?.at(-1);
        if (r?.kind === 'crash' && `${command}: ${r.signature}` === entry.signature) ls = candidate;
        else at += chunk;
      }
    }
    files = { ...files, [c.mutated]: ls.join('\n') };
  }
  writeCase(entry.reproducer, files, c.bytes);
  writeFileSync(
    join(entry.reproducer, 'REPRODUCE.json'),
    `${JSON.stringify(
      {
        failure: entry.signature,
        command,
        commands: c.commands,
        format: c.format,
        cli: cliArgs(command.split('+')[0], '.'),
        mutators: c.mutators,
        case: c.index,
      },
      null,
      2,
    )}\n`,
  );
}

/** One case: the files of a project (one of them mutated) and the commands to run on it. */
function makeCase(rng, seeds, index) {
  const base = rng.pick(seeds.compose);
  const files = { 'compose.yaml': base, 'old/compose.yaml': base, 'secrets.env': rng.pick(SEEDS.env) };
  const kind = rng.pick(['compose', 'compose', 'compose', 'compose', 'app-compose', 'env', 'config', 'dotenv']);
  let mutated;
  if (kind === 'app-compose') {
    delete files['compose.yaml'];
    const manifest = JSON.stringify({ ...SEEDS.manifest, docker_compose_file: base }, null, 2);
    files['app-compose.json'] = manifest;
    mutated = 'app-compose.json';
  } else if (kind === 'env') mutated = 'secrets.env';
  else if (kind === 'dotenv') {
    files['.env'] = rng.pick(SEEDS.env);
    mutated = '.env';
  } else if (kind === 'config') {
    files['.preflight.yml'] = rng.pick(SEEDS.config);
    mutated = '.preflight.yml';
  } else mutated = 'compose.yaml';
  const m = mutate(rng, files[mutated]);
  files[mutated] = m.text;
  const commands = ['check'];
  if (rng.chance(0.4)) commands.push('diff');
  if (rng.chance(0.3) || kind === 'env') commands.push('plan');
  if (rng.chance(0.3) || kind === 'env') commands.push('encrypt');
  // Last, as `fix --write` edits the case's files.
  if (kind !== 'env' && rng.chance(0.35)) commands.push('fix');
  if (commands.at(-1) === 'fix' && rng.chance(0.5)) commands.push('fix-write');
  // Mutations that produce bytes (invalid UTF-8) are written as latin1 so the bytes survive.
  return {
    files,
    mutated,
    mutators: m.used,
    commands,
    // The format rendered besides text, in turn: every format every 5 cases, at a third of the cost.
    format: FORMATS.filter((f) => f !== 'text')[index % (FORMATS.length - 1)],
    index,
    bytes: m.used.some((u) => u === 'byteFlip' || u === 'invalidUtf8') ? mutated : undefined,
  };
}

function loadSeeds(corpus) {
  const compose = [...SEEDS.compose];
  if (existsSync(corpus)) {
    const walk = (d) => {
      for (const name of readdirSync(d)) {
        const p = join(d, name);
        if (statSync(p).isDirectory()) walk(p);
        else if (/\.ya?ml$/.test(name) && statSync(p).size < 200_000) compose.push(readFileSync(p, 'utf8'));
      }
    };
    walk(corpus);
  }
  return { compose };
}

function parseArgs(argv) {
  const o = {};
  for (let i = 0; i < argv.length; i += 2) {
    const [k, v] = [argv[i], argv[i + 1]];
    if (k === '--cases') o.cases = Number(v);
    else if (k === '--seconds') o.seconds = Number(v);
    else if (k === '--seed') o.seed = Number(v);
    else if (k === '--cli-every') o.cliEvery = Number(v);
    else if (k === '--workers') o.workers = Number(v);
    else if (k === '--from') o.from = Number(v);
    else if (k === '--only') o.only = v.split(',');
    else if (k === '--out') o.out = resolve(v);
    else if (k === '--corpus') o.corpus = resolve(v);
    else {
      process.stderr.write(`fuzz: unknown option ${k}\n`);
      process.exit(2);
    }
  }
  return o;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const opts = { progress: true, ...parseArgs(process.argv.slice(2)) };
  if (opts.out && resolve(opts.out).startsWith(ROOT + '/')) {
    process.stderr.write('fuzz: --out must be outside the repository\n');
    process.exit(2);
  }
  const t0 = Date.now();
  const s = await runFuzz(opts);
  const secs = ((Date.now() - t0) / 1000).toFixed(0);
  process.stdout.write(
    `fuzz seed ${s.seed}: ${s.cases} cases in ${secs} s on ${s.workers} worker(s); per ` +
      `command ${JSON.stringify(s.byCommand)}\n` +
      `CLI sample: ${s.cliRuns} runs, exit codes ${JSON.stringify(s.cliExitCodes)}\n` +
      (`crashes ${s.crashes}, over 10 s ${s.slow}, over 500 MB ${s.memory}; slowest ` +
        `command ${Math.round(s.maxMs)} ms CPU, peak worker rss ${s.maxRssMb} MB ` +
        `(slowest: ${JSON.stringify(s.slowest)})\n`) +
      (s.failures.length
        ? `${s.failures.length} distinct failure(s), reproducers ` +
          `in ${s.reproducers}:\n${s.failures.map((f) => `  ${f.signature}\n    ${f.reproducer}`).join('\n')}\n`
        : 'no failure\n'),
  );
  process.exit(s.failures.length ? 1 : 0);
}
