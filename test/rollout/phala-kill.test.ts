import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { RolloutReport } from '../../src/findings/rollout.js';
import { BUILT_CLI } from '../support/cli.js';
import { fleetProjectSuite } from './support/phala-fleet.js';

/**
 * The rollout process SIGKILLed at every per-instance boundary (each phase, journaled just before
 * the kill: drain, drained, upgrade requested and sent, booted, healthy, enabled, done), on the
 * fake Phala Cloud API with a command-hook balancer, resumed each time. The platform's own log is
 * the witness: one PATCH per replica, whatever the journal says.
 */
const PHASES = [
  'draining',
  'drained',
  'upgrade-requesting',
  'upgrade-requested',
  'booted',
  'healthy',
  'enabled',
  'done',
];

describe('rollout on the fake Phala API, killed at every instance phase', () => {
  const suite = fleetProjectSuite(
    'pf-rollout-kill-',
    `balancer:
  drain: "echo drain {{name}} >> lb.log"
  enable: "echo enable {{name}} >> lb.log"
`,
  );

  const cli = (args: string[], killAt: string) =>
    new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve) => {
      const child = spawn(
        process.execPath,
        [BUILT_CLI, 'rollout', ...args, '--fleet', 'fleet.yml', '--run-dir', 'runs', '--format', 'json'],
        {
          cwd: suite.dir,
          env: {
            ...process.env,
            PHALA_CLOUD_API_KEY: suite.sim.fake.apiKey,
            PHALA_CLOUD_API_PREFIX: suite.sim.fake.baseURL,
            PREFLIGHT_STEPS_KILL_AT: killAt,
          },
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (b) => (stdout += b));
      child.stderr.on('data', (b) => (stderr += b));
      child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
    });

  it('resumed after each kill: every replica on the target, one upgrade request each, never 2 out of rotation', async () => {
    const first = await cli(['run'], 'run-start:1');
    assert.equal(first.signal, 'SIGKILL', first.stderr);
    let killed = 1;
    let last = first;
    for (let k = 0; k < 40; k++) {
      last = await cli(['resume'], `instance-${PHASES[k % PHASES.length]}:1`);
      if (last.signal !== 'SIGKILL') break;
      killed++;
    }
    assert.equal(last.code, 0, last.stderr.slice(-600));
    assert.equal(killed, 1 + 3 * PHASES.length, `killed ${killed} times: once at run-start, then at every phase of 3`);
    const report = JSON.parse(last.stdout) as RolloutReport;
    assert.equal(report.status, 'passed', JSON.stringify(report.findings));
    assert.ok(report.maxOutOfRotation <= 1, `out of rotation at once: ${report.maxOutOfRotation}`);
    assert.deepEqual(
      report.instances.map((i) => [i.phase, i.version === report.targetVersion, i.upgradeRequests]),
      [
        ['done', true, 1],
        ['done', true, 1],
        ['done', true, 1],
      ],
    );
    const patches = suite.sim.fake.log.filter((l) => l.method === 'PATCH').map((l) => l.path);
    assert.deepEqual(
      patches,
      suite.sim.fake.fleet.replicas.map((r) => `/cvms/${r.vmUuid.replace(/-/g, '')}`),
      'the platform saw one upgrade request per replica, in order',
    );
    assert.ok(suite.sim.fake.fleet.replicas.every((r) => r.composeHash === report.targetVersion));
    // A drain redone after a kill is fine; every replica ends enabled, and never two drained at once.
    const lb = readFileSync(join(suite.dir, 'lb.log'), 'utf8').trim().split('\n');
    const out = new Set<string>();
    for (const l of lb) {
      const [what, name] = l.split(' ') as [string, string];
      if (what === 'drain') out.add(name);
      else out.delete(name);
      assert.ok(out.size <= 1, `drained at once: ${[...out].join(', ')}`);
    }
    assert.equal(out.size, 0, 'every replica back in rotation');
  });
});
