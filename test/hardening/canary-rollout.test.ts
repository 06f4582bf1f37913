/**
 * The canary sweep for rollouts (test/hardening/canary-sweep.test.ts has check, diff, fix and
 * secrets): a rollout on the fake Phala Cloud API (test/rollout/support/phala-fleet.ts) whose secrets
 * hold the marker: the target's env_file (the whole secret set, encrypted and sent), a literal
 * password in the target compose, one in the compose the fleet runs now, and an env file with a
 * syntax error. `rollout plan`, `run`, `status` in every format, to stdout and through -o, their
 * stderr (JSON lines), the --notify bodies, every file of the run directory (journal, lock,
 * encrypted-env.json) and what the fake API received in clear text are grepped for the marker and
 * its 6-character prefix.
 */
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { SimulatedFleet } from '../rollout/support/phala-fleet.js';
import { spawnBuiltCli } from '../support/cli.js';

const MARK = `Zq${crypto.randomBytes(6).toString('hex')}`;
const PREFIX = MARK.slice(0, 6);
const FORMATS = ['text', 'json', 'html', 'sarif', 'junit', 'github'];

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

describe('canary sweep: rollout on the fake Phala Cloud API', () => {
  let sim: SimulatedFleet;
  let dir: string;
  let notify: http.Server;
  let notifyUrl = '';
  const notified: string[] = [];
  let swept = 0;
  const clean = (where: string, text: string) => {
    swept++;
    assert.ok(!text.includes(PREFIX), `the marker (prefix ${PREFIX}) leaked in ${where}:\n${excerpt(text)}`);
  };

  before(async () => {
    sim = await new SimulatedFleet('real').start({
      bootMs: 200,
      replicas: 2,
      composeFile: `services:\n  web:\n    image: nginx:1.27\n    environment:\n      OLD_DB_PASSWORD: ${MARK}a\n`,
      allowedEnvs: ['API_TOKEN'],
    });
    notify = http.createServer((req, res) => {
      let body = '';
      req.on('data', (b) => (body += b));
      req.on('end', () => {
        notified.push(body);
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => notify.listen(0, '127.0.0.1', r));
    notifyUrl = `http://127.0.0.1:${(notify.address() as AddressInfo).port}/hook`;
    dir = mkdtempSync(join(tmpdir(), 'pf-canary-rollout-'));
    mkdirSync(join(dir, 'v2'));
    writeFileSync(
      join(dir, 'v2', 'compose.yaml'),
      'services:\n  web:\n    image: nginx:1.28\n    ports: ["8080:80"]\n    environment:\n' +
        `      API_TOKEN: \${API_TOKEN}\n      DB_PASSWORD: ${MARK}b\n      DATABASE_URL: postgres://app:${MARK}c@db/app\n`,
    );
    writeFileSync(join(dir, 'v2.env'), `API_TOKEN=${MARK}d\nSIGNING_SECRET="${MARK}e"\n`);
    writeFileSync(join(dir, 'broken.env'), `API_TOKEN=${MARK}f\n${MARK}g"unclosed\n`);
    const fleet = (envFile: string) => `backend: phala
phala: { app_id: ${sim.fake.fleet.appId}, poll_interval: 100ms }
target: { compose: ./v2, env_file: ./${envFile} }
strategy: { min_healthy_time: 200ms }
gates:
  - http: { path: /health, interval: 100ms }
`;
    writeFileSync(join(dir, 'fleet.yml'), fleet('v2.env'));
    writeFileSync(join(dir, 'broken.yml'), fleet('broken.env'));
  });
  after(async () => {
    await sim.close();
    notify.closeAllConnections();
    await new Promise((r) => notify.close(r));
    rmSync(dir, { recursive: true, force: true });
  });

  const cli = (args: string[], fleet = 'fleet.yml') =>
    spawnBuiltCli(['rollout', ...args, '--fleet', fleet, '--run-dir', 'runs'], {
      cwd: dir,
      env: { PHALA_CLOUD_API_KEY: sim.fake.apiKey, PHALA_CLOUD_API_PREFIX: sim.fake.baseURL, NO_COLOR: '1' },
    });

  it('plan, run and status in every format, -o files, notify bodies, the run directory: no marker', async () => {
    // Each format once, the JSON one through -o (a CLI start costs seconds on a loaded machine).
    // (plan has no html: that is the rollout report's)
    for (const format of ['text', 'sarif']) {
      const r = await cli(['plan', '--format', format]);
      assert.ok(r.code === 0 || r.code === 1, r.stderr);
      clean(`stdout of rollout plan --format ${format}`, r.stdout);
      clean(`stderr of rollout plan --format ${format}`, r.stderr);
    }
    const planned = await cli(['plan', '--format', 'json', '-o', 'plan.json']);
    assert.ok(planned.code === 0 || planned.code === 1, planned.stderr);
    clean('stderr of rollout plan -o plan.json', planned.stderr);
    clean('plan.json', readFileSync(join(dir, 'plan.json'), 'utf8'));
    const { planId } = JSON.parse(readFileSync(join(dir, 'plan.json'), 'utf8')) as { planId: string };

    const run = await cli([
      'run',
      '--plan-id',
      planId,
      '--despite-findings',
      '--format',
      'json',
      '--notify',
      notifyUrl,
    ]);
    assert.equal(run.code, 0, run.stderr);
    clean('stdout of rollout run', run.stdout);
    clean('stderr of rollout run (JSON lines)', run.stderr);
    const { runId, status } = JSON.parse(run.stdout) as { runId: string; status: string };
    assert.equal(status, 'passed');
    assert.ok(notified.length > 0, 'the notify hook heard the state changes');
    for (const body of notified) clean('a --notify body', body);

    for (const format of FORMATS) {
      const out = `status.${format}`;
      const o = await cli(['status', runId, '--format', format, '-o', out]);
      assert.equal(o.code, 0, o.stderr);
      clean(`stdout and stderr of rollout status -o ${out}`, o.stdout + o.stderr);
      clean(out, readFileSync(join(dir, out), 'utf8'));
    }

    const runFiles = filesUnder(join(dir, 'runs'));
    assert.ok(
      runFiles.some((f) => f.endsWith('encrypted-env.json')),
      `the run kept its encrypted env: ${runFiles.join(', ')}`,
    );
    for (const f of runFiles) clean(f, readFileSync(f, 'latin1'));

    // The secret set reaches the CVMs encrypted; only the compose's own literal values are clear text.
    for (const r of sim.fake.fleet.replicas) {
      assert.match(r.encryptedEnv, /^[0-9a-f]{64,}$/, `replica ${r.index} got an encrypted env`);
      const text = JSON.stringify(r);
      for (const s of ['d', 'e']) assert.ok(!text.includes(`${MARK}${s}`), `env value ${s} sent in clear text`);
    }
    assert.ok(swept >= 16, `${swept} outputs swept`);
  });

  it('an env file with a syntax error: one line naming file and line, no value', async () => {
    const r = await cli(['plan'], 'broken.yml');
    assert.equal(r.code, 2, r.stderr);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, /broken\.env:2/);
    clean('stderr of a plan with a broken env file', r.stderr);
    clean('stdout of a plan with a broken env file', r.stdout);
  });
});

function excerpt(text: string): string {
  const i = text.indexOf(PREFIX);
  return text.slice(Math.max(0, i - 200), i + 80);
}
