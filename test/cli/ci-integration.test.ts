import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { validateAction, validateWorkflow } from '@action-validator/core';
import { parse } from 'yaml';
import { REPO_ROOT, runBuiltCli } from '../support/cli.js';

/**
 * The GitHub Action (action.yml), the README's example workflow and the pre-commit hook
 * (.pre-commit-hooks.yaml): valid against SchemaStore's schemas (through @action-validator/core),
 * pointing at commands that exist, and the action's check step run as the runner runs it.
 */
const dir = mkdtempSync(join(tmpdir(), 'preflight-ci-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const actionText = readFileSync(join(REPO_ROOT, 'action.yml'), 'utf8');
const action = parse(actionText) as {
  inputs: Record<string, { default?: string }>;
  runs: {
    using: string;
    steps: {
      id?: string;
      name: string;
      uses?: string;
      run?: string;
      env?: Record<string, string>;
      with?: Record<string, string>;
      if?: string;
    }[];
  };
};

describe('action.yml', () => {
  it('is a valid action (SchemaStore github-action schema)', () => {
    assert.deepEqual(validateAction(actionText).errors, []);
    assert.equal(action.runs.using, 'composite');
  });

  it('every input a step uses is declared, and the upload step is codeql-action/upload-sarif', () => {
    const used = new Set([...actionText.matchAll(/inputs\.([a-z-]+)/g)].map((m) => m[1]!));
    for (const name of used) assert.ok(action.inputs[name], `input "${name}" is used but not declared`);
    const upload = action.runs.steps.find((s) => s.uses?.startsWith('github/codeql-action/upload-sarif@'));
    assert.ok(upload, 'no upload-sarif step');
    assert.equal(upload.with?.sarif_file, '${{ inputs.sarif-file }}');
  });

  it('runs the launcher of this repository', () => {
    const check = action.runs.steps.find((s) => s.id === 'check')!;
    assert.equal(check.env?.PREFLIGHT_BIN, '${{ github.action_path }}/bin/preflight.js');
    assert.ok(existsSync(join(REPO_ROOT, 'bin', 'preflight.js')));
    assert.match(check.run!, /node -- "\$PREFLIGHT_BIN" check /);
  });

  /** The check step's script under bash, with the environment the runner gives it from the inputs. */
  function runCheckStep(inputs: Record<string, string>) {
    const step = action.runs.steps.find((s) => s.id === 'check')!;
    const values = Object.fromEntries(Object.entries(action.inputs).map(([k, v]) => [k, inputs[k] ?? v.default ?? '']));
    const env: Record<string, string> = { ...(process.env as Record<string, string>), NO_COLOR: '1' };
    delete env.NODE_OPTIONS;
    for (const [name, expr] of Object.entries(step.env ?? {}))
      env[name] = expr
        .replace('${{ github.action_path }}', REPO_ROOT)
        .replace(/\$\{\{ inputs\.([a-z-]+) \}\}/g, (_, i: string) => values[i]!);
    const output = join(dir, `output-${Math.random().toString(36).slice(2)}`);
    env.GITHUB_OUTPUT = output;
    const r = spawnSync('bash', ['-e', '-c', step.run!], { cwd: REPO_ROOT, env, encoding: 'utf8', timeout: 60_000 });
    const out = existsSync(output) ? readFileSync(output, 'utf8') : '';
    return { ...r, exitCode: /^exit-code=(\d+)$/m.exec(out)?.[1] };
  }

  it('findings: the step passes (the upload still runs), records exit-code 1, writes SARIF, annotates', () => {
    const sarif = join(dir, 'shop.sarif');
    const r = runCheckStep({ path: 'examples/shop', 'sarif-file': sarif });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.exitCode, '1');
    const log = JSON.parse(readFileSync(sarif, 'utf8'));
    assert.ok(log.runs[0].results.length > 0);
    assert.match(r.stdout, /^::error file=examples\/shop\/docker-compose\.yml,line=\d+/m);
    const fail = action.runs.steps.find((s) => s.name === 'Fail on findings')!;
    assert.equal(fail.if, "${{ steps.check.outputs.exit-code == '1' }}");
  });

  it('a clean app records exit-code 0; fail-on, max-warnings and args reach check', () => {
    const sarif = (n: string) => join(dir, `${n}.sarif`);
    assert.equal(runCheckStep({ path: 'examples/shop-fixed', 'sarif-file': sarif('fixed') }).exitCode, '0');
    assert.equal(
      runCheckStep({ path: 'examples/shop', 'sarif-file': sarif('never'), 'fail-on': 'never' }).exitCode,
      '0',
    );
    const warnings = {
      path: 'examples/shop',
      'sarif-file': sarif('warnings'),
      'fail-on': 'never',
      'max-warnings': '0',
    };
    assert.equal(runCheckStep(warnings).exitCode, '1');
    // `args` come after the action's own flags: the last --fail-on wins.
    assert.equal(
      runCheckStep({ path: 'examples/shop', 'sarif-file': sarif('args'), args: '--fail-on never' }).exitCode,
      '0',
    );
  });

  it('bad input fails the step at once with exit 2 and Preflight’s one line', () => {
    const r = runCheckStep({ path: 'no/such/dir', 'sarif-file': join(dir, 'none.sarif') });
    assert.equal(r.status, 2);
    assert.equal(r.exitCode, '2');
    assert.match(r.stderr, /^preflight: no\/such\/dir: no such file or directory\n/);
  });
});

describe('README example workflow', () => {
  it('is a valid workflow (SchemaStore github-workflow schema) that uses this action', () => {
    const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
    const block = /```yaml\n(# \.github\/workflows\/preflight\.yml\n[\s\S]*?)```/.exec(readme)?.[1];
    assert.ok(block, 'README has no example workflow');
    assert.deepEqual(validateWorkflow(block).errors, []);
    const wf = parse(block) as {
      permissions: Record<string, string>;
      jobs: Record<string, { steps: { uses?: string; with?: Record<string, string> }[] }>;
    };
    assert.equal(wf.permissions['security-events'], 'write');
    const steps = Object.values(wf.jobs).flatMap((j) => j.steps);
    const ours = steps.find((s) => s.uses?.startsWith('cvm-preflight/cvm-preflight@'));
    assert.ok(ours);
    for (const k of Object.keys(ours.with ?? {})) assert.ok(action.inputs[k], `the example sets unknown input "${k}"`);
  });
});

describe('.pre-commit-hooks.yaml', () => {
  const hooks = parse(readFileSync(join(REPO_ROOT, '.pre-commit-hooks.yaml'), 'utf8')) as {
    id: string;
    entry: string;
    language: string;
    files: string;
    pass_filenames: boolean;
  }[];
  const hook = hooks.find((h) => h.id === 'preflight-check')!;
  const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8'));

  it('names the package’s own executable and a command it has', () => {
    assert.equal(hook.language, 'node');
    const [bin, command] = hook.entry.split(' ');
    assert.ok(pkg.bin[bin!], `"${bin}" is not a bin of package.json`);
    assert.match(runBuiltCli(['--help']).stdout, new RegExp(`^ {2}${command} `, 'm'));
  });

  it('matches compose files and app-compose.json, not override files or other YAML', () => {
    const re = new RegExp(hook.files);
    for (const f of [
      'compose.yaml',
      'compose.yml',
      'docker-compose.yml',
      'deploy/docker-compose.yaml',
      'app-compose.json',
    ])
      assert.ok(re.test(f), f);
    for (const f of ['docker-compose.override.yml', 'compose.prod.yaml.bak', 'k8s/deployment.yaml', 'my-compose.yml'])
      assert.ok(!re.test(f), f);
  });

  it('runs as pre-commit runs it: the entry with the staged files appended', () => {
    const [, ...args] = hook.entry.split(' ');
    const bad = runBuiltCli([...args, 'examples/shop-fixed/docker-compose.yml', 'examples/shop/docker-compose.yml']);
    assert.equal(bad.code, 1, bad.stderr);
    const good = runBuiltCli([...args, 'examples/shop-fixed/docker-compose.yml']);
    assert.equal(good.code, 0, good.stdout);
  });
});
