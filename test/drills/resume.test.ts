import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { drillLeftovers } from '../../src/docker/cleanup.js';
import type { DrillReport } from '../../src/drills/report.js';
import { renderRestartText } from '../../src/drills/report.js';
import { isEngineEvent, KILL_HOOK_ENV, readRun } from '../../src/steps/index.js';
import { assertNoDrillLeftovers, describeDocker } from '../support/docker.js';
import { appDir, drillApp, envFileFor, scratch } from './helpers.js';

/**
 * Issue 12: a drill SIGKILLed at each step boundary and resumed finishes with the same report as
 * an uninterrupted run of the same seed (compared without timings, ids and write counts, which no
 * two runs share), leaves nothing behind, and `drill report` rebuilds a report byte for byte.
 * The kills come from the step engine's test hook (PREFLIGHT_STEPS_KILL_AT, src/steps/kill-hook.ts):
 * the CLI process SIGKILLs itself right after journaling (and fsyncing) the boundary.
 */
const ENTRY = join(dirname(fileURLToPath(import.meta.url)), 'run-cli.ts');
const FAULTS = ['restart', 'reboot'] as const;
const SEED = 'resume-at-every-boundary';

function cli(args: string[], env: Record<string, string> = {}) {
  const child = spawn(process.execPath, ['--import', 'tsx', '--', ENTRY, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, CI: '1', ...env },
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (b: Buffer) => (out += b));
  child.stderr.on('data', (b: Buffer) => (err += b));
  return new Promise<{ code: number | null; signal: NodeJS.Signals | null; out: string; err: string }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal, out, err })),
  );
}

/** What must be the same whatever the timing: the plan, what each fault did to readiness, the findings, the data verdict. */
function projection(r: DrillReport) {
  return {
    drill: r.drill,
    status: r.status,
    seed: r.seed,
    plan: r.plan,
    services: r.services,
    files: r.files,
    compose: r.compose,
    faults: r.faults.map((f) => ({
      index: f.index,
      kind: f.kind,
      service: f.service,
      ready: f.ready,
      notReady: f.notReady,
    })),
    findings: r.findings.map((f) => ({
      ruleId: f.ruleId,
      severity: f.severity,
      service: f.service,
      file: f.file,
      line: f.line,
    })),
    data: r.check && {
      valid: r.check.valid,
      lost: r.check.lost.length,
      unexpected: r.check.unexpected.length,
      acknowledged: r.check.acknowledged > 0,
    },
    finalRead: r.finalRead,
    cleanup: r.cleanup,
  };
}

await describeDocker('drill resume: killed at every step boundary', () => {
  after(async () => {
    await assertNoDrillLeftovers();
  });

  it('finishes with the report of an uninterrupted run, and `drill report` rebuilds it byte for byte', async () => {
    const reference = await drillApp('good', { faults: [...FAULTS], seed: SEED });
    assert.equal(reference.report.status, 'passed', renderRestartText(reference.report));

    const { file } = await envFileFor('good');
    const runRoot = mkdtempSync(join(scratch, 'resume-'));
    const start = [
      'drill',
      'restart',
      appDir('good'),
      '--env-file',
      file,
      '--faults',
      FAULTS.join(','),
      '--seed',
      SEED,
      '--run-dir',
      runRoot,
      '--format',
      'json',
      '--quiet',
    ];
    // Each process is killed at its first step-start or step-end, alternately: every step is
    // interrupted once before it ran (redone) and once after it ended (skipped on resume).
    let last = await cli(start, { [KILL_HOOK_ENV]: 'step-start:1' });
    const [runId] = readdirSync(runRoot);
    const resume = ['drill', 'resume', runId!, '--run-dir', runRoot, '--format', 'json', '--quiet'];
    let kills = 0;
    while (last.signal === 'SIGKILL') {
      kills++;
      assert.ok(kills < 40, 'every resumed process gets further');
      last = await cli(resume, { [KILL_HOOK_ENV]: kills % 2 ? 'step-end:1' : 'step-start:1' });
    }
    assert.equal(last.code, 0, last.err);
    const steps = 1 + FAULTS.length + 3; // start, the faults, final-read, checks, teardown
    assert.equal(kills, 2 * steps, 'killed once before and once after each step');

    const resumed = JSON.parse(last.out) as DrillReport;
    assert.deepEqual(projection(resumed), projection(reference.report));
    assert.equal(resumed.timing.segments, kills + 1);
    assert.deepEqual(await drillLeftovers(undefined, runId), { containers: [], volumes: [], networks: [] });

    const run = readRun(join(runRoot, runId!));
    assert.equal(run.events.filter((e) => isEngineEvent(e, 'resumed')).length, kills);
    assert.ok(
      run.events.some((e) => isEngineEvent(e, 'lock-taken-over')),
      'each resume took the dead process’s lock',
    );
    const redone = run.events.filter((e) => isEngineEvent(e, 'step-start') && e.attempt === 2).length;
    assert.equal(redone, steps, 'each step killed right after it started ran again');

    // `drill report` rebuilds the report of the resumed run and of the uninterrupted one, byte for byte.
    const again = await cli(['drill', 'report', runId!, '--run-dir', runRoot, '--format', 'json']);
    assert.equal(again.code, 0, again.err);
    assert.equal(again.out, last.out);
    const text = await cli(['drill', 'report', reference.runDir]);
    assert.equal(text.out, renderRestartText(reference.report));
    const page = await cli(['drill', 'report', runId!, '--run-dir', runRoot, '--format', 'html']);
    assert.match(page.out, /^<!DOCTYPE html>/);
    assert.match(page.out, /data-result="passed"/);
    assert.equal((page.out.match(/<svg class="chart"/g) ?? []).length, 1, 'one timeline chart');
    assert.doesNotMatch(page.out, /<script/);
    // A finished run cannot be resumed; the refusal names the reason.
    const refused = await cli(resume);
    assert.equal(refused.code, 2);
    assert.match(refused.err, new RegExp(`^preflight: cannot resume run ${runId}: it already ended \\(passed\\)`));
  });

  it('refuses to resume when a network the services use was removed outside the drill, and `drill clean` still cleans', async () => {
    const { file } = await envFileFor('good');
    const runRoot = mkdtempSync(join(scratch, 'resume-net-'));
    const start = ['drill', 'restart', appDir('good'), '--env-file', file, '--faults', 'restart'];
    const killed = await cli([...start, '--seed', SEED, '--run-dir', runRoot, '--quiet'], {
      [KILL_HOOK_ENV]: 'step-end:1',
    });
    assert.equal(killed.signal, 'SIGKILL', killed.err);
    const [runId] = readdirSync(runRoot);
    const label = `io.preflight.drill=${runId}`;
    const docker = (...args: string[]) => execFileSync('docker', args, { encoding: 'utf8' }).trim().split('\n');
    // Docker refuses to remove a network with running containers on it; stopped ones do not hold it.
    const containers = docker('ps', '-aq', '--filter', `label=${label}`).filter(Boolean);
    assert.ok(containers.length > 0, 'the killed run left its containers');
    docker('stop', '-t', '1', ...containers);
    const networks = docker(
      'network',
      'ls',
      '-q',
      '--filter',
      `label=com.docker.compose.project`,
      '--filter',
      `label=${label}`,
    );
    const names = docker('network', 'inspect', '--format', '{{.Name}}', ...networks.filter(Boolean));
    assert.ok(names.length > 0, 'the killed run left its network');
    docker('network', 'rm', ...names);

    const refused = await cli(['drill', 'resume', runId!, '--run-dir', runRoot, '--quiet']);
    assert.equal(refused.code, 2, refused.err);
    assert.match(refused.err, new RegExp(`^preflight: cannot resume run ${runId}: network ${names[0]} is gone`));
    assert.equal(refused.err.trim().split('\n').length, 1);
    const cleaned = await cli(['drill', 'clean', '--run-dir', runRoot]);
    assert.equal(cleaned.code, 0, cleaned.err);
    assert.deepEqual(await drillLeftovers(undefined, runId), { containers: [], volumes: [], networks: [] });
  });
});
