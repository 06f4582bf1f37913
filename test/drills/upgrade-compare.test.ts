import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compareVolume } from '../../src/drills/upgrade/compare.js';
import { stringify } from 'yaml';
import { globToRegExp, upgradeConfigFrom } from '../../src/drills/upgrade/config.js';
import { configFromText } from '../support/config.js';

/** `drill.upgrade` settings (as a plain object) through the real configuration loader. */
const upgradeSettings = (upgrade?: Record<string, unknown>) =>
  upgradeConfigFrom(configFromText(stringify(upgrade === undefined ? {} : { drill: { upgrade } })));
import { dataErrorLines } from '../../src/drills/upgrade/checks.js';
import { maskSecrets } from '../../src/drills/checks.js';
import type { VolumeFingerprint } from '../../src/drills/upgrade/fingerprint.js';
import { InputError } from '../../src/util/errors.js';

const fp = (files: VolumeFingerprint['files'], extra: Partial<VolumeFingerprint> = {}): VolumeFingerprint => ({
  volume: 'pf-x_data',
  key: 'data',
  files,
  fileCount: Object.keys(files).length,
  bytes: Object.values(files).reduce((n, f) => n + f.size, 0),
  ms: 1,
  ...extra,
});

describe('upgrade fingerprint comparison', () => {
  const before = fp({
    a: { size: 10, sha256: 'A' },
    b: { size: 10, sha256: 'B' },
    c: { size: 10, sha256: 'C' },
    d: { size: 10, sha256: 'D' },
    e: { size: 10, sha256: 'E' },
  });
  const after = fp({
    a: { size: 10, sha256: 'A' }, // unchanged
    b: { size: 4, sha256: 'B2' }, // shrunk
    c: { size: 12, sha256: 'C2', prefixOfOld: 'C' }, // grown (appended only)
    d: { size: 10, sha256: 'D2', prefixOfOld: 'D9' }, // rewritten
    // e deleted
    f: { size: 1, sha256: 'F' }, // added
  });
  it('sorts files into deleted, shrunk, rewritten, grown, added, unchanged', () => {
    const d = compareVolume(before, after, [], true);
    assert.deepEqual([d.deleted, d.shrunk, d.rewritten], [['e'], ['b'], ['d']]);
    assert.deepEqual([d.grown, d.added, d.unchanged, d.orphaned], [1, 1, 1, false]);
  });
  it('moves allow-listed changes to expected, by volume key, glob and kind', () => {
    const cfg = upgradeSettings({ expect_changes: ['data:d', { path: 'data:*', changes: ['deleted'] }] });
    const d = compareVolume(before, after, cfg.expectChanges, true);
    assert.deepEqual(d.rewritten, []);
    assert.deepEqual(d.deleted, []);
    assert.deepEqual(d.shrunk, ['b'], 'shrinking is not allowed by either entry');
    assert.deepEqual(d.expected.map((e) => `${e.path}:${e.change}`).sort(), ['d:rewritten', 'e:deleted']);
  });
  it('does not call unlisted files deleted when the second listing hit a bound', () => {
    const d = compareVolume(
      before,
      fp({ a: { size: 10, sha256: 'A' } }, { incomplete: 'stopped after 1 files' }),
      [],
      true,
    );
    assert.deepEqual(d.deleted, []);
    assert.match(d.incomplete ?? '', /stopped/);
  });
});

describe('drill.upgrade settings', () => {
  it('globs: * within a segment, ** across', () => {
    assert.ok(globToRegExp('pg_wal/**').test('pg_wal/a/b'));
    assert.ok(globToRegExp('*.log').test('items.log'));
    assert.ok(!globToRegExp('*.log').test('sub/items.log'));
    assert.ok(globToRegExp('**/*.log').test('sub/items.log'));
  });
  it('rejects bad settings with the key path', () => {
    assert.throws(
      () => upgradeSettings({ expect_changes: ['no-volume-prefix'] }),
      (e: unknown) => e instanceof InputError && /drill\.upgrade\.expect_changes\[0\]: must be/.test(e.message),
    );
    assert.throws(() => upgradeSettings({ bogus: 1 }), /unknown key/);
    assert.throws(() => upgradeSettings({ data_errors: ['('] }), /not a valid regular expression/);
    assert.equal(upgradeSettings({ fingerprint: { max_bytes: '512MiB' } }).maxBytes, 512 * 1024 * 1024);
  });
  it('data-error lines are found and secret values masked', () => {
    const env = new Map([['DB_PASSWORD', 'hunter2-very-secret']]);
    const lines = dataErrorLines(
      'ok\nFATAL: database files are incompatible with server (password hunter2-very-secret)\n',
      upgradeSettings(undefined).dataErrors,
      env,
    );
    assert.equal(lines.length, 1);
    assert.doesNotMatch(lines[0]!, /hunter2/);
    assert.match(maskSecrets('key AKIAABCDEFGHIJKLMNOP', new Map()), /<AWS access key id>/);
  });
});
