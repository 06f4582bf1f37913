/**
 * The fuzz targets: one case's command run in-process through the library (dist/index.js), and the
 * same command through the real CLI. Used by the long-lived workers (worker.mjs); the coordinator
 * (run.mjs) never imports the library, so a case that exhausts memory takes down a worker, not the run.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { applyPatch, parsePatch } from 'diff';
import { parseDocument } from 'yaml';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const CLI = join(ROOT, 'bin', 'preflight.js');
export const FORMATS = ['text', 'json', 'sarif', 'junit', 'html', 'github'];
export const PUBKEY = '11'.repeat(32);

/**
 * Runs `command` on the project in `dir`; returns { kind: 'ok' | 'input' | 'crash', ms, signature? }.
 * `ms` is CPU time of this process (user + system), not wall time: the machine is shared, and a case
 * that waits for a core is not a slow case. `format` is the report format rendered besides text.
 */
export async function runTarget(lib, command, dir, format = 'json') {
  const t0 = process.cpuUsage();
  const elapsed = () => {
    const d = process.cpuUsage(t0);
    return (d.user + d.system) / 1000;
  };
  try {
    const broken = await runCommand(lib, command, dir, format);
    if (broken) return { kind: 'crash', ms: elapsed(), signature: broken };
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

/** Runs one command; returns a failure signature when it broke a promise without throwing. */
async function runCommand(lib, command, dir, format) {
  if (command === 'check') {
    const { report, projects } = lib.checkDetailed([dir], { cwd: dir });
    const catalogue = lib.preflightCatalogue();
    const maskedSources = lib.maskedSources(projects);
    // Text always (it prints source excerpts, the riskiest renderer), one other format per case in turn.
    for (const f of new Set(['text', format])) lib.renderReport(report, f, { catalogue, maskedSources, srcRoot: dir });
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
  } else if (command === 'fix') return fixTarget(lib, dir);
  else if (command === 'fix-write') return fixWriteTarget(lib, dir);
  return undefined;
}

/**
 * `fix` on the case (a dry run): it writes nothing; every change is its edits and nothing else;
 * every fixed file parses (YAML, or JSON for app-compose.json) when the original did; the printed
 * patch applies to the original and gives the fixed text.
 */
function fixTarget(lib, dir) {
  const before = snapshot(dir);
  let result;
  try {
    result = lib.fix([dir], { cwd: dir });
  } catch (err) {
    // The worker runs fix only on cases check accepted: an input error came from the fixed text (the
    // re-check of what fix produced).
    if (err instanceof lib.InputError) return `fix: input error on input check accepts: ${shape(err.message)}`;
    throw err;
  }
  if (!sameFiles(before, snapshot(dir))) return 'fix: a dry run changed a file';
  // The `#` lines naming each file's fixes sit between the files' diffs: git apply and patch skip
  // them, jsdiff's parser does not.
  const patches = result.patch ? parsePatch(result.patch.replace(/^#.*\n/gm, '')) : [];
  for (const c of result.changes) {
    const rebuilt = applyEdits(c.before, c.edits);
    if (rebuilt === undefined) return 'fix: overlapping edits';
    if (rebuilt !== c.after) return 'fix: the fixed text differs from its edits';
    if (parses(c.file, c.before) && !parses(c.file, c.after)) return `fix: the fixed ${kindOf(c.file)} does not parse`;
    const p = patches.find((x) => x.newFileName?.replace(/^b\//, '') === c.file);
    if (!p) return 'fix: a changed file has no patch';
    if (!c.masked && applyPatch(c.created ? '' : c.before, p) !== c.after)
      return 'fix: the patch does not give the fixed text';
  }
  return undefined;
}

/** `fix --write`: exactly the changed files change, to exactly the fixed text; the rest stays byte for byte. */
function fixWriteTarget(lib, dir) {
  const before = snapshot(dir);
  let written;
  try {
    written = lib.fix([dir], { cwd: dir, write: true });
  } catch (err) {
    if (!sameFiles(before, snapshot(dir))) return 'fix --write: failed, and changed a file';
    if (err instanceof lib.InputError) return `fix --write: input error on input check accepts: ${shape(err.message)}`;
    throw err;
  }
  const changed = new Map(written.changes.map((c) => [c.file, c.after]));
  for (const [file, bytes] of snapshot(dir)) {
    const want = changed.get(file);
    if (want !== undefined ? bytes.toString('utf8') !== want : !before.get(file)?.equals(bytes))
      return 'fix --write: a file changed other than by its edits';
  }
  return undefined;
}

function applyEdits(text, edits) {
  let out = '';
  let at = 0;
  for (const e of [...edits].sort((a, b) => a.start - b.start || a.end - b.end)) {
    if (e.start < at) return undefined;
    out += text.slice(at, e.start) + e.text;
    at = e.end;
  }
  return out + text.slice(at);
}

const kindOf = (file) => (file.endsWith('.json') ? 'JSON' : 'YAML');

function parses(file, text) {
  if (file.endsWith('.json')) {
    try {
      JSON.parse(text);
      return true;
    } catch {
      return false;
    }
  }
  return parseDocument(text, { uniqueKeys: false }).errors.length === 0;
}

/** Every file under `dir`, by path relative to it. */
function snapshot(dir, into = new Map(), root = dir) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) snapshot(p, into, root);
    else into.set(relative(root, p), readFileSync(p));
  }
  return into;
}

function sameFiles(a, b) {
  return a.size === b.size && [...a].every(([k, v]) => b.get(k)?.equals(v));
}

export function cliArgs(command, dir) {
  if (command === 'check') return ['check', dir, '--format', 'json'];
  if (command === 'diff') return ['diff', join(dir, 'old'), dir];
  if (command === 'plan') return ['secrets', 'plan', dir, '--env-file', join(dir, 'secrets.env')];
  if (command === 'fix') return ['fix', dir];
  if (command === 'fix-write') return ['fix', dir, '--write'];
  return ['secrets', 'encrypt', '--env-file', join(dir, 'secrets.env'), '--pubkey', PUBKEY];
}

/**
 * The command through the real CLI: exit code, and a failure for exit > 2, a signal, a stack trace, "internal error".
 */
export function runCli(command, dir) {
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
export function shape(message) {
  return message
    .split('\n')[0]
    .replace(/"[^"]*"/g, '"…"')
    .replace(/\d+/g, 'N')
    .slice(0, 160);
}

/** Writes the case's files into a fresh `dir`; `bytes` names one whose text stands for raw bytes (latin1). */
export function writeCase(dir, files, bytes) {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  rewriteCase(dir, files, bytes);
}

/**
 * Writes the case's files over the previous case's, removing every other file (a previous case's, or
 * one its `fix --write` created): removing and re-creating the directory cost more than a case's checks.
 */
export function rewriteCase(dir, files, bytes) {
  mkdirSync(dir, { recursive: true });
  for (const name of snapshotNames(dir)) if (!(name in files)) rmSync(join(dir, name), { force: true });
  for (const [name, content] of Object.entries(files)) {
    const p = join(dir, name);
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, name === bytes ? Buffer.from(content, 'latin1') : content);
  }
}

function snapshotNames(dir, into = [], root = dir) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) snapshotNames(p, into, root);
    else into.push(relative(root, p));
  }
  return into;
}
