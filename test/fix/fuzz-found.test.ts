/**
 * `preflight fix` on inputs `npm run fuzz` found it broke on (scripts/fuzz/targets.mjs, the fix target):
 * each case is the fuzzer's minimised reproducer.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { parseDocument } from 'yaml';
import { fix } from '../../src/commands/fix.js';

const dirs: string[] = [];
function project(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'preflight-fix-fuzz-'));
  dirs.push(dir);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('fix on fuzzed input', () => {
  it('a file with a byte-order mark: new top-level keys at column 0, the service’s at its indent; the result parses', () => {
    const compose = '\uFEFFservices:\n  frontend:\n    image: nginx:alpine\n  db:\n    image: mariadb:10.9\n';
    const dir = project({ 'compose.yaml': compose });
    const r = fix([dir], { cwd: dir, write: true, ruleIds: ['stateful-no-volume', 'restart-policy'] });
    const fixed = readFileSync(join(dir, 'compose.yaml'), 'utf8');
    assert.equal(parseDocument(fixed).errors.length, 0, fixed);
    assert.ok(fixed.startsWith('\uFEFFservices:\n'), 'the mark stays');
    assert.match(fixed, /^volumes:\n {2}db-data:/m, fixed);
    assert.match(fixed, /^ {4}restart: unless-stopped$/m, fixed);
    assert.deepEqual(r.written, ['compose.yaml']);
  });

  it('a value of the wrong type a rule trips on (image: .inf, a YAML float): the other fixes, no crash', () => {
    const compose = 'services:\n  redpanda:\n    ports:\n      - 8081:8081\n  etl:\n    image: .inf\n';
    const dir = project({ 'compose.yaml': compose });
    const r = fix([dir], { cwd: dir });
    assert.ok(
      r.applied.some((a) => a.ruleId === 'restart-policy'),
      r.applied.map((a) => a.ruleId).join(),
    );
    assert.equal(readFileSync(join(dir, 'compose.yaml'), 'utf8'), compose, 'a dry run writes nothing');
    assert.deepEqual(readdirSync(dir), ['compose.yaml']);
  });

  it('a service whose volumes is a number (wrong type, compose-invalid): the database’s volume fix, no crash', () => {
    const compose = 'services:\n  redpanda: !reset\n    command:\n    volumes: -1\n  db:\n    image: mariadb:10.9\n';
    const dir = project({ 'compose.yaml': compose });
    const r = fix([dir], { cwd: dir, ruleIds: ['stateful-no-volume'] });
    const outcome = [...r.applied, ...r.refused].filter((a) => a.ruleId === 'stateful-no-volume');
    assert.ok(outcome.length > 0, 'the finding was fixed or refused, not a crash');
    for (const c of r.changes) assert.equal(parseDocument(c.after).errors.length, 0, c.after);
  });

  for (const [where, compose] of [
    ['at the end of the file, no final newline', 'services:\n  db:\n    image: mariadb:10.6\n    volumes:'],
    ['between two keys', 'services:\n  db:\n    volumes:\n    image: mariadb:10.6\n'],
  ])
    it(`a key with no value (volumes:) ${where}: the new list goes one level under it, the result parses`, () => {
      const dir = project({ 'compose.yaml': compose! });
      const r = fix([dir], { cwd: dir, ruleIds: ['stateful-no-volume'] });
      const fixed = r.changes.find((c) => c.file === 'compose.yaml')!.after;
      assert.equal(parseDocument(fixed).errors.length, 0, fixed);
      assert.match(fixed, /^ {4}volumes:\n {6}- db-data:\/var\/lib\/mysql$/m, fixed);
    });
});
