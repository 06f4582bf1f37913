/**
 * The one bounded reader and the one safe writer (src/util): what they refuse, with a one-line error
 * naming the file, and what they replace.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { InputError } from '../../src/util/errors.js';
import { isPreflightOutput, withOutputMarker } from '../../src/util/output-marker.js';
import { readInputFile } from '../../src/util/read-file.js';
import { openAppendFile, writeOutputFile } from '../../src/util/write-file.js';
import { runBuiltCli } from '../support/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'preflight-files-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function inputError(fn: () => unknown, says: RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof InputError, `an InputError, got ${String(err)}`);
    assert.match(err.message, says);
    assert.ok(!err.message.includes('\n'), 'one line');
    return true;
  });
}

describe('readInputFile', () => {
  it('reads a regular file', () => {
    writeFileSync(join(dir, 'a.txt'), 'hello\n');
    assert.equal(readInputFile(join(dir, 'a.txt')), 'hello\n');
  });
  it('refuses a FIFO without waiting for a writer', () => {
    const fifo = join(dir, 'fifo');
    execFileSync('mkfifo', [fifo]);
    inputError(() => readInputFile(fifo, { display: 'fifo' }), /^fifo: is not a regular file \(a FIFO\)/);
  });
  it('refuses /dev/zero and directories', () => {
    inputError(() => readInputFile('/dev/zero'), /\/dev\/zero: is not a regular file \(a character device\)/);
    inputError(() => readInputFile(dir, { display: 'd', what: 'env file' }), /^d: is a directory, not an env file$/);
  });
  it('refuses a file over the cap and a binary file', () => {
    writeFileSync(join(dir, 'big'), 'x'.repeat(2048));
    inputError(
      () => readInputFile(join(dir, 'big'), { display: 'big', maxBytes: 1024 }),
      /^big: is 2 KiB; files over 1 KiB/,
    );
    writeFileSync(join(dir, 'bin'), Buffer.from([0x41, 0, 0x42]));
    inputError(() => readInputFile(join(dir, 'bin'), { display: 'bin' }), /^bin: binary file/);
  });
  it('names a missing file and an unreadable one', () => {
    inputError(() => readInputFile(join(dir, 'nope'), { display: 'nope' }), /^nope: no such file$/);
    if (process.getuid?.() !== 0) {
      writeFileSync(join(dir, 'secret'), 'x');
      chmodSync(join(dir, 'secret'), 0);
      inputError(() => readInputFile(join(dir, 'secret'), { display: 'secret' }), /permission denied/);
    }
  });
});

describe('writeOutputFile', () => {
  it('writes a new file and replaces its own earlier output without --force', () => {
    const out = join(dir, 'report.txt');
    writeOutputFile(out, withOutputMarker('first\n', 'text', 'check report'));
    assert.match(readFileSync(out, 'utf8'), /^# preflight \S+: check report\nfirst\n$/);
    writeOutputFile(out, withOutputMarker('second\n', 'text', 'check report'));
    assert.match(readFileSync(out, 'utf8'), /second/);
    assert.deepEqual(
      readdirSync(dir).filter((n) => n.endsWith('.tmp')),
      [],
      'no temporary file left',
    );
  });
  it('needs --force for a file that is not Preflight output', () => {
    const mine = join(dir, 'notes.txt');
    writeFileSync(mine, 'my notes\n');
    inputError(
      () => writeOutputFile(mine, 'report', { display: 'notes.txt' }),
      /^notes\.txt: exists and is not a file Preflight wrote; pass --force/,
    );
    assert.equal(readFileSync(mine, 'utf8'), 'my notes\n');
    writeOutputFile(mine, 'report', { force: true });
    assert.equal(readFileSync(mine, 'utf8'), 'report');
  });
  it('never writes onto an input, even with --force (hard links included)', () => {
    const input = join(dir, 'compose.yaml');
    writeFileSync(input, 'services: {}\n');
    inputError(() => writeOutputFile(input, 'x', { inputs: [input], force: true }), /is an input of this run/);
    const hard = join(dir, 'hard.yaml');
    execFileSync('ln', [input, hard]);
    inputError(() => writeOutputFile(hard, 'x', { inputs: [input], force: true }), /is an input of this run/);
    assert.equal(readFileSync(input, 'utf8'), 'services: {}\n');
  });
  it('refuses symbolic links, directories and FIFOs', () => {
    const target = join(dir, 'target.txt');
    writeFileSync(target, withOutputMarker('old', 'text', 'x'));
    const link = join(dir, 'link.txt');
    symlinkSync(target, link);
    inputError(() => writeOutputFile(link, 'x', { force: true }), /is a symbolic link; refusing to write through it/);
    assert.ok(lstatSync(link).isSymbolicLink());
    inputError(() => writeOutputFile(dir, 'x', { force: true }), /is a directory/);
    inputError(() => writeOutputFile(join(dir, 'fifo'), 'x', { force: true }), /is not a regular file/);
    inputError(() => writeOutputFile(join(dir, 'no', 'such', 'x.txt'), 'x'), /its directory does not exist/);
  });
  it('writes private files with mode 0600', () => {
    const key = join(dir, 'k');
    writeOutputFile(key, 'secret', { mode: 0o600 });
    assert.equal(statSync(key).mode & 0o777, 0o600);
  });
  it('appends only to its own file', () => {
    const log = join(dir, 'keys.jsonl');
    const isOwn = (head: string) => head.startsWith('{"time"');
    writeFileSync(log, '{"time":"t"}\n');
    const fd = openAppendFile(log, { isOwn });
    execFileSync('true');
    assert.ok(fd > 0);
    writeFileSync(join(dir, 'other.jsonl'), 'precious\n');
    inputError(() => openAppendFile(join(dir, 'other.jsonl'), { isOwn }), /is not a file Preflight wrote/);
  });
});

describe('output markers', () => {
  it('recognise every format Preflight writes, and nothing else', () => {
    assert.ok(isPreflightOutput(withOutputMarker('x', 'text', 'check report')));
    assert.ok(isPreflightOutput(withOutputMarker('--- a/compose.yaml', 'diff', 'fix')));
    assert.ok(isPreflightOutput(withOutputMarker('::error ::x', 'github', 'check report')));
    assert.ok(isPreflightOutput('{\n  "tool": {\n    "name": "preflight",'));
    assert.ok(isPreflightOutput('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="preflight check"'));
    assert.ok(isPreflightOutput('<!DOCTYPE html>\n<html><head><meta name="generator" content="preflight 0.1.0">'));
    for (const foreign of ['services:\n  web: {}\n', '{"name": "my-app"}', 'DB_PASSWORD=x\n', '<!DOCTYPE html><p>hi'])
      assert.ok(!isPreflightOutput(foreign), foreign);
  });
});

describe('-o through the CLI', () => {
  const app = join(dir, 'app');
  mkdirSync(app);
  writeFileSync(join(app, 'compose.yaml'), 'services:\n  web:\n    image: nginx:1.27\n');
  writeFileSync(join(app, '.env'), 'A=1\n');
  for (const format of ['text', 'json', 'sarif', 'junit', 'html', 'github']) {
    it(`check --format ${format} -o replaces its own report, refuses the compose file and .env`, () => {
      const out = join(app, `report.${format}`);
      for (let i = 0; i < 2; i++) {
        const r = runBuiltCli(['check', '.', '--format', format, '-o', out, '--fail-on', 'never'], { cwd: app });
        assert.equal(r.code, 0, r.stderr);
      }
      assert.ok(existsSync(out));
      for (const input of ['compose.yaml', '.env']) {
        const r = runBuiltCli(['check', '.', '--format', format, '-o', input, '--force'], { cwd: app });
        assert.equal(r.code, 2);
        assert.equal(
          r.stderr,
          `preflight: ${input}: is an input of this run; refusing to write over it (choose another file)\n`,
        );
      }
    });
  }
  it('diff -o refuses the env files it reads', () => {
    const r = runBuiltCli(['diff', '.', '.', '--env-file', '.env', '-o', '.env', '--force'], { cwd: app });
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /^preflight: \.env: is an input of this run/);
    assert.equal(readFileSync(join(app, '.env'), 'utf8'), 'A=1\n');
  });
  it('fix -o refuses the compose file, .env and a --lock file even with --force; replaces its own diff and JSON', () => {
    const compose = readFileSync(join(app, 'compose.yaml'), 'utf8');
    writeFileSync(join(app, 'digests.lock'), `nginx:1.27=sha256:${'0'.repeat(64)}\n`);
    for (const input of ['compose.yaml', '.env', 'digests.lock']) {
      const r = runBuiltCli(['fix', '.', '--lock', 'digests.lock', '-o', input, '--force'], { cwd: app });
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, new RegExp(`^preflight: ${input.replace('.', '\\.')}: is an input of this run`));
    }
    assert.equal(readFileSync(join(app, 'compose.yaml'), 'utf8'), compose);
    for (const format of ['diff', 'json']) {
      for (let i = 0; i < 2; i++) {
        const r = runBuiltCli(['fix', '.', '--format', format, '-o', `fix.${format}`, '--fail-on', 'never'], {
          cwd: app,
        });
        assert.equal(r.code, 0, r.stderr);
      }
      assert.ok(isPreflightOutput(readFileSync(join(app, `fix.${format}`), 'utf8')));
    }
  });
  it('an unwritable -o path is a one-line error naming it', () => {
    const r = runBuiltCli(['check', '.', '-o', 'missing-dir/report.txt'], { cwd: app });
    assert.equal(r.code, 2);
    assert.equal(r.stderr, 'preflight: missing-dir/report.txt: cannot write: its directory does not exist\n');
  });
});
