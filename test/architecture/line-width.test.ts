import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';

// `npm run lint` runs scripts/check-line-width.mjs over src/ and scripts/: Biome breaks code to its lineWidth
// but leaves a long string, template or comment as it is.
const root = new URL('../..', import.meta.url).pathname;
const script = join(root, 'scripts', 'check-line-width.mjs');
const limit: number = JSON.parse(readFileSync(join(root, 'biome.json'), 'utf8')).formatter.lineWidth;
const dir = mkdtempSync(join(tmpdir(), 'preflight-line-width-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function check(...targets: string[]) {
  return spawnSync(process.execPath, [script, ...targets], { cwd: dir, encoding: 'utf8' });
}

describe('check-line-width', () => {
  it('fails on a line one column over the formatter width, naming file, line and width', () => {
    const file = join(dir, 'long.ts');
    writeFileSync(file, `const ok = 1;\nconst message = '${'x'.repeat(limit - 18)}';\n`);
    const r = check(file);
    assert.equal(r.status, 1);
    assert.match(r.stderr, new RegExp(`^long\\.ts:2: ${limit + 1} columns \\(limit ${limit}\\)$`, 'm'));
    assert.match(r.stderr, /1 line\(s\) wider than/);
  });

  it('passes a line exactly at the width, counting code points (· is one column)', () => {
    const file = join(dir, 'fits.ts');
    writeFileSync(file, `const message = '${'·'.repeat(limit - 19)}';\n`);
    const r = check(file);
    assert.equal(r.status, 0, r.stderr);
  });

  it('walks folders for .ts, .mjs and .js files and skips node_modules', () => {
    const long = `// ${'y'.repeat(limit)}\n`;
    writeFileSync(join(dir, 'a.mjs'), long);
    writeFileSync(join(dir, 'b.md'), long);
    rmSync(join(dir, 'long.ts'));
    const r = check(dir);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /^a\.mjs:1: /m);
    assert.doesNotMatch(r.stderr, /b\.md/);
  });
});
