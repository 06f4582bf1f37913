import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { check } from '../../src/commands/check.js';
import { diff } from '../../src/commands/diff.js';
import { runDrill } from '../../src/commands/drill.js';
import { planSecrets } from '../../src/commands/secrets.js';
import { InputError } from '../../src/util/errors.js';
import { appDir, envFileFor, scratch } from '../drills/helpers.js';
import { assertNoDrillLeftovers, describeDocker } from '../support/docker.js';

/**
 * One `.preflight.yml` configures every command: a check id, a diff id, a secrets-plan id and a
 * drill id in the same file, each honoured by the command that reports it, and found in a parent
 * folder of the projects (as ESLint finds its configuration).
 */
const root = mkdtempSync(join(tmpdir(), 'preflight-one-config-'));
after(() => rmSync(root, { recursive: true, force: true }));

const SERVICE = (volume: string) => `services:
  web:
    image: registry.example/web:1.2.3
    environment:
      DB_PASSWORD: \${DB_PASSWORD}
    volumes:
      - ${volume}:/data
volumes:
  ${volume}:
`;
const CONFIG = `rules:
  restart-policy: off               # check
  volume-renamed: info              # diff
  secret-unreferenced: off          # secrets plan
  drill-write-outside-volume: info  # drill restart
exemptions:
  - rule: drill-sigterm-ignored
    service: web
    reason: this test app ignores SIGTERM on purpose
`;

function project(name: string, text: string): string {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'docker-compose.yml'), text);
  return dir;
}
const oldDir = project('old', SERVICE('data'));
const newDir = project('new', SERVICE('store'));
writeFileSync(join(root, '.preflight.yml'), CONFIG);
const envFile = join(root, 'next.env');
writeFileSync(envFile, 'DB_PASSWORD=correct-horse-battery\nUNUSED_TOKEN=x\n');

describe('one .preflight.yml for every command', () => {
  it('check: the check id is off (found in the parent folder)', () => {
    const ids = check([newDir]).findings.map((f) => f.ruleId);
    assert.ok(!ids.includes('restart-policy'), ids.join(', '));
    rmSync(join(root, '.preflight.yml'));
    try {
      assert.ok(
        check([newDir]).findings.some((f) => f.ruleId === 'restart-policy'),
        'fires without the file',
      );
    } finally {
      writeFileSync(join(root, '.preflight.yml'), CONFIG);
    }
  });

  it('diff: the diff id has the configured severity', () => {
    const renamed = diff(oldDir, newDir).report.findings.filter((f) => f.ruleId === 'volume-renamed');
    assert.equal(renamed.length, 1);
    assert.equal(renamed[0]!.severity, 'info');
  });

  it('secrets plan: the secrets id is off', async () => {
    const { plan } = await planSecrets({ paths: [newDir], envFile });
    assert.deepEqual(
      plan.findings.filter((f) => f.ruleId === 'secret-unreferenced'),
      [],
    );
  });

  it('an id no command reports is an input error naming the line', () => {
    writeFileSync(join(root, '.preflight.yml'), 'rules:\n  restart-policy: off\n  no-such-rule: warning\n');
    try {
      assert.throws(
        () => check([newDir]),
        (e: unknown) => e instanceof InputError && e.line === 3 && /unknown rule "no-such-rule"/.test(e.message),
      );
    } finally {
      writeFileSync(join(root, '.preflight.yml'), CONFIG);
    }
  });
});

await describeDocker('one .preflight.yml: the drill honours its ids', () => {
  after(async () => {
    await assertNoDrillLeftovers();
  });

  it('drill restart: the drill id has the configured severity, the exempted finding is suppressed with its reason', async () => {
    const app = join(root, 'drill-app');
    cpSync(appDir('outside-volume'), app, { recursive: true });
    // Two flaws, so one id can be re-rated and the other exempted: files outside a volume, SIGTERM ignored.
    const compose = join(app, 'compose.yaml');
    writeFileSync(
      compose,
      readFileSync(compose, 'utf8').replace(
        '"file:/var/lib/app/items.log"',
        '"file:/var/lib/app/items.log", "--ignore-sigterm"',
      ),
    );
    // The drill settings stay the fixture's; the rules and exemptions come from the shared file.
    const drillSettings = readFileSync(join(app, '.preflight.yml'), 'utf8');
    writeFileSync(join(app, '.preflight.yml'), `${CONFIG}${drillSettings}`);
    const { file } = await envFileFor('outside-volume-one-config');
    const r = await runDrill({
      kind: 'restart',
      dir: app,
      envFile: file,
      faults: ['reboot'],
      runRoot: join(scratch, 'runs'),
    });
    const outside = r.report.findings.filter((f) => f.ruleId === 'drill-write-outside-volume');
    assert.equal(outside.length, 1);
    assert.equal(outside[0]!.severity, 'info');
    assert.deepEqual(
      r.report.findings.filter((f) => f.ruleId === 'drill-sigterm-ignored'),
      [],
    );
    const ignored = r.report.suppressed.filter((f) => f.ruleId === 'drill-sigterm-ignored');
    assert.equal(ignored.length, 1);
    assert.match(ignored[0]!.suppression.reason, /on purpose/);
  });
});
