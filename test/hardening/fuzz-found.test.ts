/** check on inputs `npm run fuzz` found it crashed on (each the fuzzer's minimised reproducer): now a finding or a one-line input error. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { checkDetailed } from '../../src/commands/check.js';
import { InputError } from '../../src/util/errors.js';

const dirs: string[] = [];
function project(compose: string | Buffer): string {
  const dir = mkdtempSync(join(tmpdir(), 'preflight-check-fuzz-'));
  dirs.push(dir);
  writeFileSync(join(dir, 'compose.yaml'), compose);
  return dir;
}
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('check on fuzzed input', () => {
  it('!reset on a service that extends another: one-line input error at the extends line', () => {
    const dir = project('services:\n  web: !reset\n    extends: backend\n  backend:\n    build: .\n');
    assert.throws(
      () => checkDetailed([dir], { cwd: dir }),
      (err: Error) =>
        err instanceof InputError &&
        /compose\.yaml:3:5: service "web": !reset/.test(err.message) &&
        !err.message.includes('\n'),
    );
  });

  it('an environment name with bytes that are no UTF-8 (and a parenthesis): env-name-invalid reports it, no crash', () => {
    const bytes = Buffer.concat([
      Buffer.from('services:\n  agent:\n    image: h4x3rotab/tee-agent:v0.4\n    environment:\n      - LLM_API_K'),
      Buffer.from([0xc3, 0x28, 0xff, 0xfe]),
      Buffer.from('EY\n'),
    ]);
    const dir = project(bytes);
    const { report } = checkDetailed([dir], { cwd: dir });
    assert.ok(
      report.findings.some((f) => f.ruleId === 'env-name-invalid'),
      report.findings.map((f) => f.ruleId).join(),
    );
  });
});
