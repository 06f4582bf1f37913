#!/usr/bin/env node
/**
 * `npm run fuzz` (builds first): seeded, bounded fuzzing of `check`, `diff`, `secrets plan` and
 * `secrets encrypt` with mutated compose files (the corpus, ../shared/corpus, plus built-in seeds),
 * app-compose.json, env files and .preflight.yml. Each case runs in-process through the library API
 * (dist/index.js) for speed; every Kth case also through the real CLI, for exit codes.
 *
 * A failure is: an error that is not an InputError/UsageError (in-process), an exit code above 2, a
 * signal, a stack trace or "internal error" (CLI), a case over 10 s of CPU time, or memory over 500 MB. Each
 * distinct failure is minimised and saved as a reproducer directory under --out (default: a new
 * directory in the system temp dir, never inside the repository).
 *
 * Options: --cases N (20000) --seconds S (1800) --seed S (1) --cli-every K (100) --out DIR --corpus DIR
 * (library callers may also pass slowMs: the test slice passes Infinity, since tests assert no timings).
 * Exit 0 when nothing failed, 1 otherwise.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { makeRng, mutate } from './mutate.mjs';
import { SEEDS } from './seeds.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const CLI = join(ROOT, 'bin', 'preflight.js');
const SLOW_MS = 10_000;
const MEMORY_BYTES = 500 * 1024 * 1024;
const FORMATS = ['text', 'json', 'sarif', 'junit', 'html', 'github'];
const PUBKEY = '11'.repeat(32);

/** Runs the fuzzer; returns the summary (also what `npm run fuzz` prints). */
export async function runFuzz(options = {}) {
  const opts = { cases: 20000, seconds: 1800, seed: 1, cliEvery: 100, slowMs: SLOW_MS, ...options };
  const lib = await import(pathToFileURL(join(ROOT, 'dist', 'index.js')).href);
  const out = opts.out ?? mkdtempSync(join(tmpdir(), `preflight-fuzz-${opts.seed}-`));
  mkdirSync(out, { recursive: true });
  const work = mkdtempSync(join(tmpdir(), 'preflight-fuzz-work-'));
  const seeds = loadSeeds(opts.corpus ?? join(ROOT, '..', 'shared', 'corpus'));
  const rng = makeRng(opts.seed);
  const stats = {
    seed: opts.seed,
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
  const seen = new Set();
  const started = Date.now();
  const deadline = started + opts.seconds * 1000;
  try {
    for (let i = 0; i < opts.cases && Date.now() < deadline; i++) {
      const c = makeCase(rng, seeds, i);
      const dir = join(work, 'case');
      writeCase(dir, c.files, c.bytes);
      for (const command of c.commands) {
        const r = await runInProcess(lib, command, dir);
        const count = (stats.byCommand[command] ??= { ok: 0, input: 0, crash: 0 });
        count[r.kind === 'crash' ? 'crash' : r.kind]++;
        if (r.ms > stats.maxMs) stats.slowest = { command, mutators: c.mutators, ms: Math.round(r.ms) };
        stats.maxMs = Math.max(stats.maxMs, r.ms);
        const rss = process.memoryUsage().rss;
        stats.maxRssMb = Math.max(stats.maxRssMb, Math.round(rss / 1024 / 1024));
        let failure;
        if (r.kind === 'crash') failure = { what: 'crash', signature: `${command}: ${r.signature}` };
        else if (r.ms > opts.slowMs) failure = { what: 'slow', signature: `${command}: over ${opts.slowMs / 1000} s` };
        else if (rss > MEMORY_BYTES) failure = { what: 'memory', signature: `${command}: rss over 500 MB` };
        if (failure) record(stats, seen, failure, c, command, out, (d) => runInProcess(lib, command, d));
      }
      if (opts.cliEvery > 0 && i % opts.cliEvery === 0) {
        const command = c.commands[0];
        const r = runCli(command, dir);
        stats.cliRuns++;
        stats.cliExitCodes[r.code] = (stats.cliExitCodes[r.code] ?? 0) + 1;
        if (r.failure)
          record(stats, seen, { what: 'crash', signature: `cli ${command}: ${r.failure}` }, c, command, out);
      }
      stats.cases++;
      if (opts.progress && stats.cases % 250 === 0)
        process.stderr.write(
          `fuzz: ${stats.cases} cases, ${stats.failures.length} distinct failure(s), ${Math.round((Date.now() - started) / 1000)} s\n`,
        );
      if (globalThis.gc && i % 200 === 0) globalThis.gc();
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  await Promise.all(stats.failures.map((f) => f.saving));
  for (const f of stats.failures) delete f.saving;
  return stats;
}

function record(stats, seen, failure, c, command, out, rerun) {
  stats[failure.what === 'crash' ? 'crashes' : failure.what]++;
  if (seen.has(failure.signature)) return;
  seen.add(failure.signature);
  const id = createHash('sha256').update(failure.signature).digest('hex').slice(0, 12);
  const target = join(out, id);
  const entry = { ...failure, command, mutators: c.mutators, index: c.index, reproducer: target };
  stats.failures.push(entry);
  entry.saving = saveReproducer(target, c, command, failure, rerun);
}

/** Shrinks the mutated file by removing lines while the same failure happens, then saves the case. */
async function saveReproducer(target, c, command, failure, rerun) {
  let files = { ...c.files };
  if (rerun && failure.what === 'crash') {
    const scratch = mkdtempSync(join(tmpdir(), 'preflight-fuzz-min-'));
    try {
      let ls = files[c.mutated].split('\n');
      let tries = 0;
      for (let chunk = Math.max(1, ls.length >> 1); chunk >= 1 && tries < 300; chunk >>= 1) {
        for (let at = 0; at < ls.length && tries < 300; ) {
          const candidate = [...ls.slice(0, at), ...ls.slice(at + chunk)];
          tries++;
          writeCase(scratch, { ...files, [c.mutated]: candidate.join('\n') }, c.bytes);
          const r = await rerun(scratch);
          if (r.kind === 'crash' && `${command}: ${r.signature}` === failure.signature) ls = candidate;
          else at += chunk;
        }
      }
      files = { ...files, [c.mutated]: ls.join('\n') };
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  }
  writeCase(target, files, c.bytes);
  writeFileSync(
    join(target, 'REPRODUCE.json'),
    JSON.stringify({ failure, command, cli: cliArgs(command, '.'), mutators: c.mutators, case: c.index }, null, 2) +
      '\n',
  );
}

async function runInProcess(lib, command, dir) {
  // CPU time of this process (user + system), not wall time: the machine is shared, and a case that
  // waits for a core is not a slow case.
  const t0 = process.cpuUsage();
  const elapsed = () => {
    const d = process.cpuUsage(t0);
    return (d.user + d.system) / 1000;
  };
  try {
    if (command === 'check') {
      const { report, projects } = lib.checkDetailed([dir], { cwd: dir });
      const catalogue = lib.preflightCatalogue();
      const maskedSources = lib.maskedSources(projects);
      for (const f of FORMATS) lib.renderReport(report, f, { catalogue, maskedSources, srcRoot: dir });
    } else if (command === 'diff') {
      const r = lib.diff(join(dir, 'old'), dir, { cwd: dir });
      lib.renderReport(r.report, 'text', {
        catalogue: lib.preflightCatalogue(),
        maskedSources: lib.maskedSources([r.old, r.new]),
      });
    } else if (command === 'plan') {
      await lib.planSecrets({ paths: [dir], envFile: join(dir, 'secrets.env'), cwd: dir });
    } else if (command === 'encrypt') {
      await lib.encryptSecrets({ envFile: join(dir, 'secrets.env'), pubkey: PUBKEY });
    }
    return { kind: 'ok', ms: elapsed() };
  } catch (err) {
    const ms = elapsed();
    if (err instanceof lib.InputError || err instanceof lib.UsageError) {
      if (/internal error|\n/.test(err.message))
        return { kind: 'crash', ms, signature: `multi-line or internal InputError: ${shape(err.message)}` };
      return { kind: 'input', ms };
    }
    return { kind: 'crash', ms, signature: `${err?.name ?? 'Error'}: ${shape(String(err?.message ?? err))}` };
  }
}

function cliArgs(command, dir) {
  if (command === 'check') return ['check', dir, '--format', 'json'];
  if (command === 'diff') return ['diff', join(dir, 'old'), dir];
  if (command === 'plan') return ['secrets', 'plan', dir, '--env-file', join(dir, 'secrets.env')];
  return ['secrets', 'encrypt', '--env-file', join(dir, 'secrets.env'), '--pubkey', PUBKEY];
}

function runCli(command, dir) {
  const r = spawnSync(process.execPath, ['--', CLI, ...cliArgs(command, dir)], {
    cwd: dir,
    encoding: 'utf8',
    // A hang guard only (the 10 s limit is the in-process CPU time): on a shared machine a child
    // that takes 1 s of CPU can wait far longer than 30 s for a core (seen at load average 21).
    timeout: 180_000,
    maxBuffer: 64 * 1024 * 1024,
    env: { ...process.env, NO_COLOR: '1', PREFLIGHT_DEBUG: '' },
  });
  const code = r.status ?? (r.signal ? `signal ${r.signal}` : 'none');
  let failure;
  if (r.error?.code === 'ETIMEDOUT') failure = 'no answer in 180 s (a hang?)';
  else if (r.signal) failure = `killed by ${r.signal}`;
  else if (r.status === null || r.status > 2) failure = `exit ${r.status}`;
  else if (/internal error/.test(r.stderr)) failure = `internal error: ${shape(r.stderr)}`;
  else if (/^\s+at .*:\d+:\d+\)?$/m.test(r.stderr)) failure = 'stack trace on stderr';
  return { code, failure };
}

/** A message with numbers and quoted text generalised, so one bug is one signature. */
function shape(message) {
  return message
    .split('\n')[0]
    .replace(/"[^"]*"/g, '"…"')
    .replace(/\d+/g, 'N')
    .slice(0, 160);
}

/** Writes the case's files; `bytes` names one whose text stands for raw bytes (latin1: byte flips, bad UTF-8). */
function writeCase(dir, files, bytes) {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), name === bytes ? Buffer.from(content, 'latin1') : content);
  }
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
  // Mutations that produce bytes (invalid UTF-8) are written as latin1 so the bytes survive.
  return {
    files,
    mutated,
    mutators: m.used,
    commands,
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
    `fuzz seed ${s.seed}: ${s.cases} cases in ${secs} s; per command ${JSON.stringify(s.byCommand)}\n` +
      `CLI sample: ${s.cliRuns} runs, exit codes ${JSON.stringify(s.cliExitCodes)}\n` +
      `crashes ${s.crashes}, over 10 s ${s.slow}, over 500 MB ${s.memory}; slowest case ${Math.round(s.maxMs)} ms CPU, peak rss ${s.maxRssMb} MB (slowest: ${JSON.stringify(s.slowest)})\n` +
      (s.failures.length
        ? `${s.failures.length} distinct failure(s), reproducers in ${s.reproducers}:\n${s.failures.map((f) => `  ${f.signature}\n    ${f.reproducer}`).join('\n')}\n`
        : 'no failure\n'),
  );
  process.exit(s.failures.length ? 1 : 0);
}
