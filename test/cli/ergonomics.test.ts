import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { preflightCatalogue } from '../../src/commands/catalogue.js';
import { runBuiltCli } from '../support/cli.js';

/**
 * The command line as ESLint users expect it (issue 14, "CLI ergonomics"): `rules`, `explain`,
 * `--quiet`, `--max-warnings`, `-f -`, `--no-color`, `-o` everywhere, exit codes 0 / 1 / 2.
 * Each case runs the built launcher as a user does.
 */
const dir = mkdtempSync(join(tmpdir(), 'preflight-cli-ergonomics-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const ANSI = /\u001b\[/;
/** One warning (restart-policy) and one info (image-no-digest) among its findings, no error. */
const WARNS_ONLY = 'services:\n  web:\n    image: nginx:1.27\n';

describe('preflight rules', () => {
  it('lists every rule of the catalogue, grouped by section, exit 0', () => {
    const r = runBuiltCli(['rules']);
    assert.equal(r.code, 0, r.stderr);
    for (const m of preflightCatalogue().all()) assert.match(r.stdout, new RegExp(`^  ${m.id} `, 'm'));
    assert.match(r.stdout, /^restart$/m);
    assert.match(r.stdout, new RegExp(`^${preflightCatalogue().all().length} rules;`, 'm'));
  });

  it('filters by section (argument or --section), command and severity', () => {
    const volumes = JSON.parse(runBuiltCli(['rules', 'volumes', '--format', 'json']).stdout).rules;
    assert.ok(volumes.length > 0);
    assert.ok(volumes.every((r: { section: string }) => r.section === 'volumes'));
    const same = JSON.parse(runBuiltCli(['rules', '--section', 'volumes', '--format', 'json']).stdout).rules;
    assert.deepEqual(same, volumes);
    const narrowed = JSON.parse(
      runBuiltCli([
        'rules',
        '--section',
        'volumes,secrets',
        '--command',
        'check',
        '--severity',
        'error',
        '--format',
        'json',
      ]).stdout,
    ).rules as { id: string; section: string; source: string; severity: string; docsUrl: string }[];
    const expected = preflightCatalogue()
      .all()
      .filter((m) => ['volumes', 'secrets'].includes(m.section) && m.source === 'check' && m.severity === 'error');
    assert.deepEqual(narrowed.map((r) => r.id).sort(), expected.map((m) => m.id).sort());
    assert.ok(narrowed.every((r) => r.docsUrl.endsWith(`docs/rules.md#${r.id}`)));
  });

  it('an unknown section is a one-line usage error, exit 2', () => {
    const r = runBuiltCli(['rules', 'volumez']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^preflight: unknown section "volumez"; one of: restart, volumes, [^\n]*\n$/);
  });
});

describe('preflight explain', () => {
  it('prints the title, rationale, fix, example and docs link of a rule', () => {
    const meta = preflightCatalogue().get('restart-policy')!;
    const r = runBuiltCli(['explain', 'restart-policy']);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(r.stdout.includes(meta.title));
    assert.ok(r.stdout.includes(meta.rationale));
    assert.ok(r.stdout.includes(meta.fixHint));
    assert.match(r.stdout, /Example: this docker-compose.yml draws the finding\n {4}services:/);
    assert.match(r.stdout, /Fixed\n(?: {4}.*\n)*? {4} {4}restart: unless-stopped/);
    assert.match(r.stdout, /Docs: https:\/\/\S+\/docs\/rules\.md#restart-policy/);
  });

  it('says an opt-in rule reports only when .preflight.yml turns it on, in the list too', () => {
    const r = runBuiltCli(['explain', 'no-metrics-exporter']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /opt-in: reported only with `rules: \{ no-metrics-exporter: warning \}` in .preflight.yml/);
    assert.match(runBuiltCli(['rules', 'observability']).stdout, /^ {2}no-metrics-exporter .*\(opt-in\)$/m);
    assert.doesNotMatch(runBuiltCli(['rules', 'observability']).stdout, /logging-disabled .*\(opt-in\)/);
  });

  it("shows an example's other files: the compose file beside a .preflight.yml example", () => {
    const r = runBuiltCli(['explain', 'public-logs']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Example: with this docker-compose.yml\n {4}services:/);
    assert.match(
      r.stdout,
      /Example: this .preflight.yml draws the finding\n {4}deployment:\n {4} {2}public_logs: true/,
    );
    assert.match(r.stdout, /Fixed\n {4}deployment:\n {4} {2}public_logs: false/);
  });

  it('explains rules of every command, in JSON too', () => {
    for (const source of ['diff', 'secrets', 'drill', 'rollout'] as const) {
      const meta = preflightCatalogue().bySource(source)[0]!;
      const r = runBuiltCli(['explain', meta.id, '--format', 'json']);
      assert.equal(r.code, 0, r.stderr);
      const rule = JSON.parse(r.stdout).rule;
      assert.equal(rule.id, meta.id);
      assert.equal(rule.source, source);
      assert.equal(rule.rationale, meta.rationale);
    }
  });

  it('an unknown id names the ids it may have meant, exit 2', () => {
    const r = runBuiltCli(['explain', 'restart-polcy']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^preflight: unknown rule id "restart-polcy"; did you mean "restart-policy"[^\n]*\n$/);
  });
});

describe('check: --quiet, --max-warnings, exit codes', () => {
  it('exit 1 on errors, 0 without (warnings do not fail by default)', () => {
    assert.equal(runBuiltCli(['check', 'examples/shop']).code, 1);
    assert.equal(runBuiltCli(['check', '-f', '-'], { input: WARNS_ONLY, cwd: dir }).code, 0);
  });

  it('--quiet reports errors only', () => {
    const all = JSON.parse(runBuiltCli(['check', 'examples/shop', '--format', 'json']).stdout);
    const quiet = JSON.parse(runBuiltCli(['check', 'examples/shop', '--format', 'json', '--quiet']).stdout);
    const errors = all.findings.filter((f: { severity: string }) => f.severity === 'error');
    assert.ok(errors.length > 0 && errors.length < all.findings.length);
    assert.deepEqual(quiet.findings, errors);
    const text = runBuiltCli(['check', 'examples/shop', '-q']);
    assert.equal(text.code, 1);
    assert.doesNotMatch(text.stdout, /^\s+(warning|info)\s/m);
    assert.match(text.stdout, /^\s+error\s/m);
  });

  it('--max-warnings N fails with more than N warnings and says so on stderr (as ESLint)', () => {
    const json = JSON.parse(
      runBuiltCli(['check', '-f', '-', '--format', 'json'], { input: WARNS_ONLY, cwd: dir }).stdout,
    );
    const warnings = json.findings.filter((f: { severity: string }) => f.severity === 'warning').length;
    assert.ok(warnings > 0);
    const over = runBuiltCli(['check', '-f', '-', '--max-warnings', String(warnings - 1)], {
      input: WARNS_ONLY,
      cwd: dir,
    });
    assert.equal(over.code, 1);
    assert.match(
      over.stderr,
      new RegExp(`^preflight: ${warnings} warnings?, more than --max-warnings ${warnings - 1}\\n$`),
    );
    const at = runBuiltCli(['check', '-f', '-', '--max-warnings', String(warnings)], { input: WARNS_ONLY, cwd: dir });
    assert.equal(at.code, 0, at.stderr);
    // --quiet hides the warnings; --max-warnings still counts them.
    const quiet = runBuiltCli(['check', '-f', '-', '-q', '--max-warnings', '0'], { input: WARNS_ONLY, cwd: dir });
    assert.equal(quiet.code, 1);
    assert.doesNotMatch(quiet.stdout, /warning/);
  });

  it('a bad --max-warnings is a usage error, exit 2', () => {
    const r = runBuiltCli(['check', 'examples/shop', '--max-warnings', 'lots']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^preflight: --max-warnings: "lots" is not a whole number/);
  });

  it('diff takes the same flags', () => {
    const r = runBuiltCli(['diff', 'examples/shop', 'examples/shop-fixed', '--quiet', '--max-warnings', '-1']);
    assert.ok(r.code === 0 || r.code === 1, r.stderr);
    assert.doesNotMatch(r.stdout, /^\s+(warning|info)\s/m);
  });
});

describe('check -f - (standard input)', () => {
  it('checks the compose file piped in, in the current folder, named <stdin>', () => {
    const shop = readFileSync('examples/shop/docker-compose.yml', 'utf8');
    const fromFile = JSON.parse(runBuiltCli(['check', 'examples/shop', '--format', 'json']).stdout);
    const r = runBuiltCli(['check', '-f', '-', '--format', 'json'], {
      input: shop,
      cwd: join(process.cwd(), 'examples/shop'),
    });
    assert.equal(r.code, 1, r.stderr);
    const fromStdin = JSON.parse(r.stdout);
    assert.ok(fromStdin.findings.length > 0);
    assert.ok(fromStdin.findings.every((f: { file: string }) => f.file === '<stdin>'));
    const ids = (rep: { findings: { ruleId: string; line: number }[] }) =>
      rep.findings.map((f) => `${f.ruleId}:${f.line}`).sort();
    assert.deepEqual(ids(fromStdin), ids(fromFile));
  });

  it('bad YAML on stdin: one line naming <stdin>, line and problem, exit 2', () => {
    const r = runBuiltCli(['check', '-f', '-'], { input: 'services:\n  web:\n    image: nginx\n  bad: [\n', cwd: dir });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^preflight: <stdin>:\d+:\d+: invalid YAML: [^\n]+\n$/);
  });

  it('reading is bounded: more than 5 MiB is refused with one line, exit 2', () => {
    const r = runBuiltCli(['check', '-f', '-'], { input: Buffer.alloc(6 * 1024 * 1024, 'a'), cwd: dir });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^preflight: <stdin>: more than 5 MiB; [^\n]+\n$/);
  });

  it('stdin given twice is refused', () => {
    const r = runBuiltCli(['check', '-f', '-', '-f', '-'], { input: WARNS_ONLY, cwd: dir });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^preflight: <stdin>: standard input can be given once\n$/);
  });
});

describe('colour', () => {
  const colourful = { FORCE_COLOR: '1' };
  it('FORCE_COLOR colours the text report; --no-color (before or after the command) turns it off', () => {
    assert.match(runBuiltCli(['check', 'examples/shop'], { env: colourful }).stdout, ANSI);
    assert.doesNotMatch(runBuiltCli(['check', 'examples/shop', '--no-color'], { env: colourful }).stdout, ANSI);
    assert.doesNotMatch(runBuiltCli(['--no-color', 'rules'], { env: colourful }).stdout, ANSI);
  });
});

describe('-o on every command that reports', () => {
  const reporting = [
    ['check'],
    ['diff'],
    ['rules'],
    ['explain'],
    ['secrets', 'plan'],
    ['secrets', 'encrypt'],
    ['drill', 'restart'],
    ['drill', 'upgrade'],
    ['drill', 'resume'],
    ['drill', 'report'],
    ['rollout', 'plan'],
    ['rollout', 'run'],
    ['rollout', 'status'],
  ];
  for (const cmd of reporting)
    it(`${cmd.join(' ')} --help lists -o, --output`, () => {
      const r = runBuiltCli([...cmd, '--help']);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /^ {2}-o, --output <file>/m);
    });

  it('rules and explain write to -o and replace their own file, never a user file without --force', () => {
    const out = join(dir, 'rules.json');
    assert.equal(runBuiltCli(['rules', '--format', 'json', '-o', out]).code, 0);
    assert.equal(JSON.parse(readFileSync(out, 'utf8')).tool.name, 'preflight');
    assert.equal(runBuiltCli(['explain', 'restart-policy', '--format', 'json', '-o', out]).code, 0);
    assert.equal(JSON.parse(readFileSync(out, 'utf8')).rule.id, 'restart-policy');
    const mine = join(dir, 'notes.txt');
    writeFileSync(mine, 'my notes\n');
    const refused = runBuiltCli(['rules', '-o', mine]);
    assert.equal(refused.code, 2);
    assert.equal(readFileSync(mine, 'utf8'), 'my notes\n');
  });

  it('secrets plan writes its plan to -o', () => {
    const env = join(dir, 'new.env');
    writeFileSync(env, 'DB_PASSWORD=x\nSESSION_SECRET=y\nLOG_SINK_TOKEN=z\n');
    const out = join(dir, 'plan.json');
    const r = runBuiltCli(['secrets', 'plan', 'examples/shop-fixed', '--env-file', env, '--format', 'json', '-o', out]);
    assert.ok(r.code === 0 || r.code === 1, r.stderr);
    assert.equal(r.stdout, '');
    assert.equal(JSON.parse(readFileSync(out, 'utf8')).tool.name, 'preflight');
  });
});

describe('start-up paths', () => {
  it('--version and -V print the version alone; --help lists every command', () => {
    const v = runBuiltCli(['--version']);
    assert.equal(v.code, 0);
    assert.match(v.stdout, /^\d+\.\d+\.\d+\S*\n$/);
    assert.equal(runBuiltCli(['-V']).stdout, v.stdout);
    const h = runBuiltCli(['--help']);
    assert.equal(h.code, 0);
    for (const c of ['check', 'rules', 'explain', 'secrets', 'diff', 'drill', 'rollout', 'agent'])
      assert.match(h.stdout, new RegExp(`^ {2}${c} `, 'm'));
  });

  it('`help <command>` shows that command’s own options', () => {
    const r = runBuiltCli(['help', 'check']);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /--max-warnings <n>/);
  });

  it('an unknown command or option is a usage error, exit 2', () => {
    assert.equal(runBuiltCli(['chekc']).code, 2);
    assert.equal(runBuiltCli(['check', '--bogus']).code, 2);
  });
});
