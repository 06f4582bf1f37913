/**
 * Inputs that used to end in "internal error", hang or fill memory: each is now one line (or one per
 * problem) naming the file or value, exit 2. Times are not asserted here (limits are in `npm run bench`).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { runBuiltCli } from '../support/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'preflight-hostile-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const NGINX = 'services:\n  web:\n    image: nginx:1.27\n';
const PUB = '11'.repeat(32);
writeFileSync(join(dir, 'ok.yaml'), NGINX);
writeFileSync(join(dir, 'a.env'), 'A=1\n');
execFileSync('mkfifo', [join(dir, 'fifo')]);

function chain(n: number): string {
  const rows = ['services:'];
  for (let i = 0; i < n; i++)
    rows.push(`  s${i}:`, '    image: nginx', ...(i < n - 1 ? [`    extends: s${i + 1}`] : []));
  return rows.join('\n') + '\n';
}

function fanOut(): string {
  const rows = ['services:', '  base:', '    image: nginx', '    labels:'];
  for (let i = 0; i < 3000; i++) rows.push(`      l${i}: v`);
  for (let i = 0; i < 400; i++) rows.push(`  s${i}:`, '    extends: base');
  return rows.join('\n') + '\n';
}

const CASES: { name: string; files?: Record<string, string>; args: string[]; says: RegExp }[] = [
  {
    name: '--env-file is a FIFO',
    args: ['check', 'ok.yaml', '--env-file', 'fifo'],
    says: /^fifo: is not a regular file \(a FIFO\)/,
  },
  { name: '--env-file is /dev/zero', args: ['check', 'ok.yaml', '--env-file', '/dev/zero'], says: /character device/ },
  { name: '-c is a FIFO', args: ['check', 'ok.yaml', '-c', 'fifo'], says: /^fifo: is not a regular file/ },
  {
    name: '--env-file is a directory',
    args: ['check', 'ok.yaml', '--env-file', '.'],
    says: /: is a directory, not an env file$/,
  },
  {
    name: 'secrets plan --previous is a FIFO',
    args: ['secrets', 'plan', 'ok.yaml', '--env-file', 'a.env', '--previous', 'fifo'],
    says: /^fifo: is not a regular file/,
  },
  {
    name: 'diff --old-env-file is a FIFO',
    args: ['diff', 'ok.yaml', 'ok.yaml', '--old-env-file', 'fifo'],
    says: /^fifo: is not a regular file/,
  },
  {
    name: 'secrets encrypt --env-file is /dev/zero',
    args: ['secrets', 'encrypt', '--env-file', '/dev/zero', '--pubkey', PUB],
    says: /character device/,
  },
  {
    name: 'extends.file is a device',
    files: { 'dev.yaml': 'services:\n  web:\n    extends:\n      file: /dev/zero\n      service: x\n' },
    args: ['check', 'dev.yaml'],
    says: /^\/dev\/zero: is not a regular file/,
  },
  {
    name: 'extends.file is a number',
    files: { 'num.yaml': 'services:\n  web:\n    image: nginx\n    extends:\n      file: 5\n      service: x\n' },
    args: ['check', 'num.yaml'],
    says: /^num\.yaml:5:13: extends\.file must be a path/,
  },
  {
    name: 'a 5,000-long extends chain',
    files: { 'chain.yaml': chain(5000) },
    args: ['check', 'chain.yaml'],
    says: /extends: a chain of more than 64 services/,
  },
  {
    name: 'extends fan-out',
    files: { 'fan.yaml': fanOut() },
    args: ['check', 'fan.yaml'],
    says: /extends copies more than 200000 values/,
  },
  {
    name: 'interpolation amplification',
    files: {
      'amp.yaml': `services:\n  web:\n    image: nginx\n    command: "${'${A}'.repeat(40)}"\n    environment:\n${Array.from({ length: 30 }, (_, i) => `      E${i}: "${'${A}'.repeat(40)}"`).join('\n')}\n`,
      'amp.env': `A=${'x'.repeat(1024 * 1024)}\n`,
    },
    args: ['check', 'amp.yaml', '--env-file', 'amp.env'],
    says: /variables expand to more than 32 MiB of text/,
  },
  {
    name: 'diff on wrong types',
    files: { 'wt.yaml': 'services:\n  web:\n    image: [1]\n    volumes: 5\n' },
    args: ['diff', 'ok.yaml', 'wt.yaml'],
    says: /^wt\.yaml:\d+:\d+: not a valid compose file: services\.web\.(image|volumes)/,
  },
  {
    name: 'an all-zero --pubkey',
    args: ['secrets', 'encrypt', 'A=1', '--pubkey', '00'.repeat(32)],
    says: /low-order X25519 point/,
  },
  {
    name: 'agent --app-compose DIR',
    args: ['agent', '--socket', 'agent.sock', '--app-compose', '.'],
    says: /^\.: is a directory, not an app-compose\.json/,
  },
  {
    name: 'a directory given as a compose file',
    args: ['check', '-f', '.'],
    says: /: is a directory; -f takes a compose file/,
  },
];

describe('hostile and careless input', () => {
  for (const c of CASES) {
    it(c.name, () => {
      for (const [name, text] of Object.entries(c.files ?? {})) writeFileSync(join(dir, name), text);
      const r = runBuiltCli(c.args, { cwd: dir, timeoutMs: 60_000 });
      assert.equal(r.code, 2, `exit 2, got ${r.code}: ${r.stderr.slice(0, 300)}`);
      const lines = r.stderr.trimEnd().split('\n');
      assert.doesNotMatch(r.stderr, /internal error|^\s+at /m);
      assert.match(lines[0]!.replace(/^preflight: /, ''), c.says);
    });
  }
});

describe('writes that would replace what the user gave', () => {
  it('--write-lock refuses the env file, a compose file, a link and a foreign file; replaces its own lock', () => {
    const plan = (lock: string, ...more: string[]) =>
      runBuiltCli(['secrets', 'plan', 'ok.yaml', '--env-file', 'a.env', '--write-lock', lock, ...more], { cwd: dir });
    assert.match(plan('a.env').stderr, /^preflight: a\.env: is an input of this run/);
    assert.match(plan('ok.yaml', '--force').stderr, /^preflight: ok\.yaml: is an input of this run/);
    assert.equal(readFileSync(join(dir, 'a.env'), 'utf8'), 'A=1\n');
    assert.equal(plan('s.lock').code, 0);
    assert.equal(plan('s.lock').code, 0, 'its own lockfile is replaced');
    symlinkSync(join(dir, 's.lock'), join(dir, 'link.lock'));
    assert.match(plan('link.lock').stderr, /is a symbolic link/);
    writeFileSync(join(dir, 'notes.lock'), 'mine\n');
    assert.match(plan('notes.lock').stderr, /is not a file Preflight wrote; pass --force/);
    assert.equal(plan('notes.lock', '--force').code, 0);
  });

  it('a lock key readable by others is tightened to 0600 with a warning', () => {
    chmodSync(join(dir, 's.lock.key'), 0o644);
    const r = runBuiltCli(['secrets', 'plan', 'ok.yaml', '--env-file', 'a.env', '--previous', 's.lock'], { cwd: dir });
    assert.match(r.stderr, /s\.lock\.key had mode 644 .*now 0600/);
    assert.equal(statSync(join(dir, 's.lock.key')).mode & 0o777, 0o600);
  });

  it('encrypt --out refuses the env file it reads, even with --force', () => {
    const r = runBuiltCli(['secrets', 'encrypt', '--env-file', 'a.env', '--pubkey', PUB, '--out', 'a.env', '--force'], {
      cwd: dir,
    });
    assert.match(r.stderr, /^preflight: a\.env: is an input of this run/);
  });

  it("the agent's --key-log appends only to a key log, never through a link", () => {
    mkdirSync(join(dir, 'agent'), { recursive: true });
    writeFileSync(join(dir, 'agent', 'precious.txt'), 'mine\n');
    const r = runBuiltCli(['agent', '--socket', 'agent/a.sock', '--key-log', 'agent/precious.txt'], { cwd: dir });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^preflight: agent\/precious\.txt: exists and is not a file Preflight wrote/);
    symlinkSync(join(dir, 'agent', 'precious.txt'), join(dir, 'agent', 'link.jsonl'));
    const l = runBuiltCli(['agent', '--socket', 'agent/b.sock', '--key-log', 'agent/link.jsonl'], { cwd: dir });
    assert.match(l.stderr, /is a symbolic link/);
    assert.equal(readFileSync(join(dir, 'agent', 'precious.txt'), 'utf8'), 'mine\n');
  });
});
