/**
 * Exit codes, as ESLint's: 0 nothing at the failing level (and --help, --version), 1 findings or a
 * failed plan, 2 a usage or input error. A probe per command and per kind of mistake; none may end
 * in another code, a stack trace or "internal error". No Docker and no network: the commands that
 * need them are probed only up to the point where they refuse their arguments.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { runBuiltCli } from '../support/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'preflight-exit-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const DIGEST = `sha256:${'0'.repeat(64)}`;
writeFileSync(
  join(dir, 'good.yaml'),
  `services:\n  web:\n    image: nginx:1.27@${DIGEST}\n    restart: unless-stopped\n`,
);
writeFileSync(join(dir, 'bad.yaml'), 'services:\n  db:\n    image: postgres:16\n');
writeFileSync(join(dir, 'a.env'), 'A=1\n');

const PROBES: [code: 0 | 1 | 2, args: string[]][] = [
  [0, ['--help']],
  [0, ['--version']],
  [0, ['help']],
  [0, ['help', 'secrets']],
  [0, ['check', '--help']],
  [0, ['secrets', 'help']],
  [2, []],
  [2, ['secrets']],
  [2, ['drill']],
  [2, ['rollout']],
  [2, ['nosuch']],
  [2, ['check', '--nosuch']],
  [2, ['check', 'missing.yaml']],
  [2, ['check', 'bad.yaml', '--format', 'bogus']],
  [2, ['check', 'bad.yaml', '--fail-on', 'bogus']],
  [2, ['check', 'bad.yaml', '-c', '/dev/zero']],
  [2, ['check', 'bad.yaml', '--env-file', '/']],
  [2, ['check', 'bad.yaml', '-o', '/']],
  [1, ['check', 'bad.yaml']],
  [0, ['check', 'bad.yaml', '--fail-on', 'never']],
  [2, ['diff']],
  [2, ['diff', 'good.yaml']],
  [0, ['diff', 'good.yaml', 'good.yaml']],
  [2, ['diff', 'good.yaml', 'missing.yaml']],
  [2, ['diff', '--cvm', 'x/../../etc', 'good.yaml']],
  [2, ['secrets', 'plan']],
  [2, ['secrets', 'plan', 'good.yaml', '--env-file', 'missing.env']],
  [2, ['secrets', 'encrypt', '--pubkey', '00']],
  [2, ['secrets', 'encrypt', '--pubkey', '00'.repeat(32), '--env-file', 'a.env']],
  [2, ['secrets', 'encrypt', '--pubkey', 'zz', 'A=1']],
  [2, ['drill', 'restart', 'missing.yaml']],
  [2, ['drill', 'clean', '--nosuch']],
  [2, ['agent', '--nosuch']],
  [2, ['agent', '--socket', 'a.sock', '--app-compose', '.']],
  [2, ['rollout', 'plan', '--fleet', 'missing.yml']],
  [2, ['fix', 'missing.yaml']],
  [2, ['fix', 'bad.yaml', '--rule', 'nosuch']],
  [2, ['fix', 'bad.yaml', '--digest', 'bad']],
  [0, ['rules']],
  [2, ['rules', '--nosuch']],
];

describe('exit codes', () => {
  for (const [code, args] of PROBES) {
    it(`${code} for preflight ${args.join(' ')}`, () => {
      const r = runBuiltCli(args, { cwd: dir, env: { PHALA_CLOUD_API_KEY: 'test-key-not-used' } });
      assert.equal(r.code, code, `exit ${r.code}: ${r.stderr.slice(0, 300)}`);
      assert.doesNotMatch(r.stderr, /internal error|^\s+at /m);
    });
  }
});
