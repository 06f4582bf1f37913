import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { runBuiltCli } from '../support/cli.js';
import { CASES, writeCaseFiles } from './bad-input-cases.js';

/**
 * Hostile and broken input to the built CLI (the cases: bad-input-cases.ts): each must end in one
 * clear line on stderr that names the file (and the line where there is one), exit code 2, no stack
 * trace. How long each takes is measured by `npm run bench`, not asserted here.
 */
const dir = mkdtempSync(join(tmpdir(), 'preflight-bad-input-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('bad input: one clear line on stderr, exit 2', () => {
  CASES.forEach((c, i) => {
    it(c.name, () => {
      const caseDir = join(dir, `case-${i}`);
      writeCaseFiles(caseDir, c);
      const r = runBuiltCli(['check', ...c.args], { cwd: caseDir });
      const lines = r.stderr.trimEnd().split('\n');
      assert.equal(r.code, 2, `exit 2, got ${r.code}; stderr: ${r.stderr}`);
      assert.equal(lines.length, 1, `one line on stderr, got:\n${r.stderr}`);
      const line = lines[0]!;
      assert.doesNotMatch(line, /internal error/);
      assert.doesNotMatch(r.stderr, /^\s+at /m, 'no stack trace');
      assert.ok(line.startsWith(`preflight: ${c.names}`), `names the file ${c.names}: ${line}`);
      if (c.line !== undefined)
        assert.ok(line.startsWith(`preflight: ${c.names}:${c.line}`), `names line ${c.line}: ${line}`);
      assert.match(line, c.says);
      assert.equal(r.stdout, '', 'no report on stdout');
    });
  });
});
