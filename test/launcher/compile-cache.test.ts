import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { cacheLabel, compileCacheDir } from '../../src/launcher/compile-cache.js';
import { REPO_ROOT, runBuiltCli } from '../support/cli.js';

const LAUNCHER = join(REPO_ROOT, 'dist', 'launcher', 'compile-cache.js');

/**
 * The launcher's V8 code cache (src/launcher/compile-cache.ts): used when V8 takes it, rebuilt when
 * it refuses it, read only from a private folder, never a reason for a run to fail, and invisible in
 * what a run prints.
 */
const dir = mkdtempSync(join(tmpdir(), 'preflight-compile-cache-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const BUILD = 'a'.repeat(20);
let n = 0;
/** A bundle in the shape scripts/bundle-cli.mjs writes: the build line, CommonJS exports, `__preflightImport`. */
function fakeBundle(build: string | undefined = BUILD): string {
  const file = join(dir, `bundle-${++n}.cjs`);
  const head = build ? `// preflight-bundle ${build}\n` : '';
  writeFileSync(
    file,
    `${head}const { join } = require('node:path');\n` +
      'exports.answer = () => [1, 2, 3].map((x) => x * 14).at(-1);\n' +
      "exports.viaImport = () => __preflightImport('node:os').then((os) => typeof os.cpus);\n" +
      'exports.where = () => join(__dirname, "x") === require("node:path").join(__dirname, "x");\n',
  );
  return file;
}
/** The child process of `load` (one file, so every load runs with the same Node options). */
const RUNNER = join(dir, 'runner.mjs');
writeFileSync(
  RUNNER,
  `import { loadBundle } from ${JSON.stringify(LAUNCHER)};
const { file, folder, label, save } = JSON.parse(process.argv[2]);
const b = loadBundle(file, { cacheDir: folder, label, importModule: (s) => import(s) });
const answer = b.exports.answer();
const imported = await b.exports.viaImport();
if (save) b.save();
console.log(JSON.stringify({ cache: b.cache, shouldSave: b.shouldSave, answer, imported, where: b.exports.where() }));
`,
);
/** A cache's file name: the build, Node, the architecture, a hash of Node's options, the label. */
const CACHE_FILE = /^([0-9a-f]{20})-(v[0-9.]+)-([a-z0-9]+)-([0-9a-f]{8})-([a-z]+)\.bin$/;

function cacheDir(): string {
  const d = join(dir, `cache-${++n}`);
  mkdirSync(d, { mode: 0o700 });
  return d;
}
/**
 * One load in a process of its own, as the CLI does it (built module, dist/launcher/): in this process
 * V8's in-memory compilation cache would answer a second compile of the same source and never look at
 * the cache file. Runs the bundle's `answer`, saves when asked, prints what became of the cache.
 */
function load(
  file: string,
  folder: string | undefined,
  opts: { label?: string; save?: boolean; nodeOptions?: string } = {},
) {
  const args = JSON.stringify({ file, folder, label: opts.label ?? 'check', save: opts.save === true });
  const env = { ...process.env, NODE_OPTIONS: opts.nodeOptions ?? '' };
  const r = spawnSync(process.execPath, [RUNNER, args], { encoding: 'utf8', timeout: 20_000, env });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stderr, '');
  const out = JSON.parse(r.stdout) as {
    cache: string;
    shouldSave: boolean;
    answer: number;
    imported: string;
    where: boolean;
  };
  assert.deepEqual([out.answer, out.imported, out.where], [42, 'function', true], 'the bundle ran as it should');
  return out;
}

describe('loadBundle', () => {
  it('runs the bundle as a CommonJS module, with import() through the launcher', () => {
    assert.equal(load(fakeBundle(), undefined).cache, 'off');
  });

  it('writes a cache after a run that had none, and the next run uses it', () => {
    const file = fakeBundle();
    const folder = cacheDir();
    const first = load(file, folder, { save: true });
    assert.deepEqual([first.cache, first.shouldSave], ['none', true]);
    const [name] = readdirSync(folder);
    assert.deepEqual(
      CACHE_FILE.exec(name ?? '')
        ?.slice(1, 4)
        .concat(CACHE_FILE.exec(name!)![5]!),
      [BUILD, process.version, process.arch, 'check'],
    );
    assert.equal(statSync(join(folder, name!)).mode & 0o777, 0o600);
    const second = load(file, folder);
    assert.deepEqual([second.cache, second.shouldSave], ['accepted', false]);
  });

  it('keeps one cache per label', () => {
    const file = fakeBundle();
    const folder = cacheDir();
    load(file, folder, { label: 'check', save: true });
    load(file, folder, { label: 'diff', save: true });
    assert.equal(readdirSync(folder).length, 2);
    assert.equal(load(file, folder, { label: 'diff' }).cache, 'accepted');
  });

  it('a cache V8 refuses (truncated, garbage, another source) is refused and rewritten; the run is unaffected', () => {
    const file = fakeBundle();
    const folder = cacheDir();
    load(file, folder, { save: true });
    const [name] = readdirSync(folder);
    const cache = join(folder, name!);
    const good = readFileSync(cache);
    writeFileSync(cache, good.subarray(0, 200));
    assert.equal(load(file, folder, { save: true }).cache, 'rejected');
    assert.equal(load(file, folder).cache, 'accepted');
    writeFileSync(cache, 'not a cache at all');
    assert.equal(load(file, folder).cache, 'rejected');
    // Another bundle of the same build id (a hand edit): V8 checks the source it was made for.
    const other = fakeBundle();
    writeFileSync(other, `${readFileSync(other, 'utf8')}exports.more = 1;\n`);
    writeFileSync(cache, good);
    assert.equal(load(other, folder).cache, 'rejected');
  });

  it('reads nothing from a folder others can write, or through a link', () => {
    const file = fakeBundle();
    const open = cacheDir();
    load(file, open, { save: true });
    chmodSync(open, 0o777);
    assert.equal(load(file, open).cache, 'none');
    const linked = cacheDir();
    const [name] = readdirSync(open);
    symlinkSync(join(open, name!), join(linked, name!));
    assert.equal(load(file, linked).cache, 'none');
  });

  it('writes nothing into a folder others can write', () => {
    const folder = cacheDir();
    chmodSync(folder, 0o777);
    load(fakeBundle(), folder, { save: true });
    assert.deepEqual(readdirSync(folder), []);
  });

  it('a cache folder that cannot be made is no error', () => {
    const blocker = join(dir, `file-${++n}`);
    writeFileSync(blocker, '');
    assert.equal(load(fakeBundle(), join(blocker, 'v8'), { save: true }).cache, 'none');
    assert.equal(statSync(blocker).isFile(), true);
  });

  it('keeps the newest 24 caches when it writes, of any build, and no other file', () => {
    const folder = cacheDir();
    const file = fakeBundle();
    load(file, folder, { save: true });
    const [ours] = readdirSync(folder);
    const other = (i: number) => ours!.replace(BUILD, i.toString(16).padStart(20, 'b'));
    for (let i = 0; i < 30; i++) {
      writeFileSync(join(folder, other(i)), 'x');
      utimesSync(join(folder, other(i)), 1_000_000 + i, 1_000_000 + i);
    }
    writeFileSync(join(folder, 'notes.txt'), 'x');
    load(file, folder, { label: 'diff', save: true });
    const kept = readdirSync(folder);
    assert.equal(kept.length, 25);
    assert.ok(kept.includes(ours!.replace('-check.bin', '-diff.bin')), 'the one just written');
    assert.ok(kept.includes('notes.txt'));
    // 32 caches: the 8 oldest go.
    for (let i = 0; i < 8; i++) assert.ok(!kept.includes(other(i)), `the oldest (${i}) went`);
    assert.ok(kept.includes(other(8)) && kept.includes(other(29)) && kept.includes(ours!));
  });

  it('runs under other Node options keep a cache of their own', () => {
    const file = fakeBundle();
    const folder = cacheDir();
    load(file, folder, { save: true });
    const options = '--max-old-space-size=300';
    assert.equal(load(file, folder, { nodeOptions: options, save: true }).cache, 'none');
    assert.equal(readdirSync(folder).length, 2);
    assert.equal(load(file, folder).cache, 'accepted');
    assert.equal(load(file, folder, { nodeOptions: options }).cache, 'accepted');
  });

  it('a bundle without its build line runs uncached', () => {
    const folder = cacheDir();
    assert.equal(load(fakeBundle(''), folder, { save: true }).cache, 'off');
    assert.deepEqual(readdirSync(folder), []);
  });
});

describe('compileCacheDir and cacheLabel', () => {
  it('follows PREFLIGHT_COMPILE_CACHE, PREFLIGHT_DISABLE_COMPILE_CACHE and XDG_CACHE_HOME', () => {
    assert.equal(compileCacheDir({ PREFLIGHT_COMPILE_CACHE: '/c' }), '/c');
    assert.equal(compileCacheDir({ PREFLIGHT_COMPILE_CACHE: '/c', PREFLIGHT_DISABLE_COMPILE_CACHE: '1' }), undefined);
    assert.equal(compileCacheDir({ PREFLIGHT_COMPILE_CACHE: '/c', PREFLIGHT_DISABLE_COMPILE_CACHE: '0' }), '/c');
    assert.equal(compileCacheDir({ XDG_CACHE_HOME: '/x' }), join('/x', 'preflight', 'v8'));
    // A relative XDG_CACHE_HOME is invalid (XDG Base Directory spec): the home folder's .cache then.
    assert.match(compileCacheDir({ XDG_CACHE_HOME: 'rel' }) ?? '', /\.cache\/preflight\/v8$/);
  });

  it('names a cache after the command, anything else `other`', () => {
    assert.equal(cacheLabel(['node', 'preflight', 'check', 'app']), 'check');
    assert.equal(cacheLabel(['node', 'preflight', '--no-color', 'diff', 'a', 'b']), 'diff');
    assert.equal(cacheLabel(['node', 'preflight', 'nonsense']), 'other');
    assert.equal(cacheLabel(['node', 'preflight', '--help']), 'other');
  });
});

describe('the CLI with its code cache', () => {
  const env = (folder: string) => ({ PREFLIGHT_COMPILE_CACHE: folder, PREFLIGHT_DISABLE_COMPILE_CACHE: undefined });
  it('the first check writes the cache, the next one uses it as it is, and the output is the same', () => {
    const folder = join(dir, `cli-${++n}`);
    const args = ['check', 'examples/shop', '--format', 'json'];
    const first = runBuiltCli(args, { env: env(folder) });
    assert.equal(first.code, 1, first.stderr);
    const [name] = readdirSync(folder);
    assert.equal(CACHE_FILE.exec(name ?? '')?.[5], 'check');
    const before = statSync(join(folder, name!));
    const second = runBuiltCli(args, { env: env(folder) });
    const uncached = runBuiltCli(args, { env: { PREFLIGHT_DISABLE_COMPILE_CACHE: '1' } });
    // Not rewritten: V8 took it (a cache made under the capped V8 flags would be refused and rewritten).
    const after = statSync(join(folder, name!));
    assert.deepEqual([after.ino, after.mtimeMs], [before.ino, before.mtimeMs]);
    assert.equal(second.stdout, first.stdout);
    assert.equal(uncached.stdout, first.stdout);
    assert.deepEqual([second.stderr, uncached.stderr], [first.stderr, first.stderr]);
  });

  it('the cache holds none of what the run read: a password in the compose file and the env file', () => {
    const folder = join(dir, `cli-${++n}`);
    const app = join(dir, `app-${++n}`);
    mkdirSync(app);
    const inCompose = `Zq8vK2mPx7LwRt4N${process.pid}`;
    const inEnv = `Hy3bQ9dTs6VcXj1E${process.pid}`;
    writeFileSync(
      join(app, 'compose.yaml'),
      `services:\n  db:\n    image: postgres:16\n    environment:\n      POSTGRES_PASSWORD: ${inCompose}\n` +
        '      API_TOKEN: ${API_TOKEN}\n',
    );
    writeFileSync(join(app, '.env'), `API_TOKEN=${inEnv}\n`);
    const r = runBuiltCli(['check', app], { env: env(folder) });
    assert.equal(r.code, 1, r.stderr);
    const [name] = readdirSync(folder);
    const cache = readFileSync(join(folder, name!));
    for (const secret of [inCompose, inEnv])
      for (const encoding of ['latin1', 'utf16le'] as const)
        assert.equal(cache.includes(Buffer.from(secret, encoding)), false, `${encoding} copy of a value in the cache`);
  });

  it('a usage error and --version write no cache', () => {
    const folder = join(dir, `cli-${++n}`);
    assert.equal(runBuiltCli(['check', '--no-such-flag'], { env: env(folder) }).code, 2);
    assert.equal(runBuiltCli(['--version'], { env: env(folder) }).code, 0);
    assert.equal(existsSync(folder) ? readdirSync(folder).length : 0, 0);
  });
});
