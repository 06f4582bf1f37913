import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fix } from '../../src/commands/fix.js';
import type { TextEdit } from '../../src/findings/types.js';
import { applyEdits, composeEdits } from '../../src/fix/compose-edits.js';
import { runBuiltCli } from '../support/cli.js';

/**
 * Fixing to a fixed point, as ESLint does: a fix that another fix makes apply is made in a later
 * pass of the same run (healthcheck-missing gives the database a probe; only then does
 * depends-on-unhealthy report the service that waits for it only to start).
 */
const COMPOSE = `services:
  web:
    image: ghcr.io/acme/shop:1.4.2 # the shop
    restart: unless-stopped
    depends_on:
      - db
  db:
    image: postgres:16.4
    restart: unless-stopped
`;
const PAIR = ['healthcheck-missing', 'depends-on-unhealthy'];

const dirs: string[] = [];
function project(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'preflight-fix-passes-'));
  dirs.push(dir);
  writeFileSync(join(dir, 'docker-compose.yml'), text);
  return dir;
}
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('fix passes', () => {
  it('makes in a second pass the fix the first pass made apply, and stops when a pass fixes nothing', () => {
    const dir = project(COMPOSE);
    const result = fix([dir], { cwd: dir, ruleIds: PAIR });
    assert.deepEqual(
      result.before.findings.filter((f) => PAIR.includes(f.ruleId)).map((f) => f.ruleId),
      ['healthcheck-missing'],
      'before: only the probe is missing; nothing yet waits for a healthcheck',
    );
    assert.deepEqual(
      result.applied.map((a) => [a.ruleId, a.service, a.pass]),
      [
        ['healthcheck-missing', 'db', 1],
        ['depends-on-unhealthy', 'web', 2],
      ],
    );
    assert.equal(result.passes, 2);
    assert.equal(result.stoppedAtMaxPasses, false);
    assert.deepEqual(result.refused, []);
    assert.deepEqual(
      result.after.findings.filter((f) => PAIR.includes(f.ruleId)),
      [],
      'after: neither finding is left',
    );
    // One change per file, from the text read to the last pass's output; its edits make one from the other.
    assert.equal(result.changes.length, 1);
    const [change] = result.changes;
    assert.equal(change!.before, COMPOSE);
    assert.match(change!.after, /depends_on:\n {6}db:\n {8}condition: service_healthy\n/);
    assert.match(change!.after, /healthcheck:\n {6}test: \["CMD-SHELL", "pg_isready/);
    assert.equal(applyEdits(change!.before, change!.edits), change!.after);
    assert.ok(change!.after.includes('image: ghcr.io/acme/shop:1.4.2 # the shop\n'), 'the comment is kept');
    assert.match(result.patch, /^# depends-on-unhealthy: .* \(pass 2\)$/m);
    assert.equal(readFileSync(join(dir, 'docker-compose.yml'), 'utf8'), COMPOSE, 'dry run: nothing written');
  });

  it('--write writes the result of every pass; a second run has nothing left to fix', () => {
    const dir = project(COMPOSE);
    const r = runBuiltCli(['fix', dir, '--write', '--fail-on', 'never', '--rule', PAIR[0]!, '--rule', PAIR[1]!]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /2 fixes applied, 2 changing behaviour; 0 refused; 2 passes; /);
    const again = fix([dir], { cwd: dir, ruleIds: PAIR });
    assert.equal(again.passes, 0);
    assert.deepEqual(again.applied, []);
    assert.deepEqual(again.changes, []);
  });

  it('nothing to fix: no pass fixes anything, no change', () => {
    const dir = project('services:\n  web:\n    image: ghcr.io/acme/shop:1.4.2\n    restart: unless-stopped\n');
    const result = fix([dir], { cwd: dir, ruleIds: PAIR });
    assert.equal(result.passes, 0);
    assert.deepEqual(result.changes, []);
    assert.equal(result.patch, '');
  });
});

describe('composeEdits', () => {
  const at = (start: number, end: number, text: string): TextEdit => ({ file: 'f', start, end, text });

  it('maps a later edit in untouched text back to the original offsets', () => {
    const original = 'aaaa\nbbbb\ncccc\n';
    const first = [at(0, 4, 'AAAAAA')];
    const middle = applyEdits(original, first);
    const second = [at(middle.indexOf('cccc'), middle.indexOf('cccc') + 4, 'C')];
    const edits = composeEdits(original, first, second);
    assert.deepEqual(edits, [at(0, 4, 'AAAAAA'), at(10, 14, 'C')]);
    assert.equal(applyEdits(original, edits), 'AAAAAA\nbbbb\nC\n');
  });

  it('joins a later edit that touches an earlier one into one edit', () => {
    const original = 'key: 1\n';
    const first = [at(5, 6, '2')];
    const second = [at(6, 6, '0'), at(5, 5, '>')];
    const edits = composeEdits(original, first, [second[1]!, second[0]!]);
    assert.deepEqual(edits, [at(5, 6, '>20')]);
  });

  it('any two passes of random edits compose to edits of the original that make the same text', () => {
    let seed = 7;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const randomEdits = (text: string): TextEdit[] => {
      const out: TextEdit[] = [];
      let pos = 0;
      while (pos <= text.length && out.length < 4) {
        const start = pos + rand(6);
        if (start > text.length) break;
        const end = Math.min(text.length, start + rand(3));
        out.push(at(start, end, 'xyz'.slice(0, rand(4))));
        pos = end + 1;
      }
      return out;
    };
    for (let i = 0; i < 2000; i++) {
      const original = 'abcdefghijklmnop'.slice(0, rand(17));
      const first = randomEdits(original);
      const middle = applyEdits(original, first);
      const second = randomEdits(middle);
      const final = applyEdits(middle, second);
      const edits = composeEdits(original, first, second);
      for (let k = 1; k < edits.length; k++) assert.ok(edits[k]!.start >= edits[k - 1]!.end, 'sorted, not overlapping');
      assert.equal(applyEdits(original, edits), final, JSON.stringify({ original, first, second, edits }));
    }
  });
});
