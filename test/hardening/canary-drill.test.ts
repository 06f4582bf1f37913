/**
 * The canary sweep's Docker part (test/hardening/canary-sweep.test.ts has the rest): a restart drill
 * of the good test app given secrets the way a user gives them (an env file's credential-named
 * values, a literal password in the compose file's environment), in every drill format, to stdout
 * and through --output; stdout, stderr, the report and every file of the run directory (journal,
 * histories, logs) are grepped for the marker and its 6-character prefix.
 */
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, it } from 'node:test';
import { runBuiltCli } from '../support/cli.js';
import { assertNoDrillLeftovers, describeDocker } from '../support/docker.js';
import { appDir, envFileFor, scratch } from '../drills/helpers.js';

const MARK = `Zq${crypto.randomBytes(6).toString('hex')}`;
const PREFIX = MARK.slice(0, 6);

function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...filesUnder(p));
    else out.push(p);
  }
  return out;
}

await describeDocker('canary sweep: drills', () => {
  after(async () => {
    await assertNoDrillLeftovers();
  });

  it('a restart drill in text, json and html, stdout, --output and the run directory hold no secret', async () => {
    const app = mkdtempSync(join(scratch, 'canary-'));
    const good = readFileSync(join(appDir('good'), 'compose.yaml'), 'utf8');
    // The good app, given secrets: one from the env file, one literal.
    const compose = good
      .replace('    restart: unless-stopped\n', '    restart: unless-stopped\n    environment:\n')
      .replace('    environment:\n', `    environment:\n      API_TOKEN: \${API_TOKEN}\n      DB_PASSWORD: ${MARK}b\n`);
    writeFileSync(join(app, 'compose.yaml'), compose);
    const { file } = await envFileFor('canary', { API_TOKEN: `${MARK}a`, SIGNING_SECRET: `${MARK}c` });
    const runRoot = join(app, 'runs');
    mkdirSync(runRoot);
    let swept = 0;
    const clean = (where: string, text: string) => {
      swept++;
      assert.ok(!text.includes(PREFIX), `the marker (prefix ${PREFIX}) leaked in ${where}`);
    };
    for (const format of ['text', 'json', 'html']) {
      const out = join(app, `drill.${format}`);
      const args = ['drill', 'restart', app, '--env-file', file, '--faults', 'kill', '--seed', 'canary'];
      const r = runBuiltCli([...args, '--format', format, '--output', out, '--run-dir', runRoot], {
        cwd: app,
        timeoutMs: 300_000,
        env: { CI: '1' },
      });
      assert.equal(r.code, 0, r.stderr);
      clean(`stdout of drill --format ${format}`, r.stdout);
      clean(`stderr of drill --format ${format}`, r.stderr);
      clean(out, readFileSync(out, 'utf8'));
    }
    const runFiles = filesUnder(runRoot);
    assert.ok(runFiles.length >= 3, `run directories hold ${runFiles.length} files`);
    for (const f of runFiles) clean(f, readFileSync(f, 'latin1'));
    assert.ok(swept >= 12, `${swept} outputs swept`);
  });
});
