/**
 * The canary sweep for `preflight agent` (docs/agent.md): the agent holds secrets of its own (the
 * state file's root secret, every private key it derives) and is given the app's (an app-compose.json
 * whose compose and pre-launch script hold a marker). The real CLI serves them; every response, the
 * lines it prints, its --key-log and its one-line errors for broken inputs are grepped for the marker
 * (and its 6-character prefix), the root secret (and its first 12 hex digits) and every private key
 * it answered. The one place the app-compose text appears is Info's `tcb_info.app_compose`, verbatim
 * as on dstack (docs/platform.md#guest-agent): an app checks its sha256 against `compose_hash`.
 */
import assert from 'node:assert/strict';
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import crypto from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { BUILT_CLI, runBuiltCli } from '../support/cli.js';
import { rawCall, tempDir } from '../agent/helpers.js';

const MARK = `Zq${crypto.randomBytes(6).toString('hex')}`;
const PREFIX = MARK.slice(0, 6);
const ROOT = crypto.randomBytes(32).toString('hex');
const APP_COMPOSE = JSON.stringify({
  manifest_version: 2,
  name: 'canary',
  runner: 'docker-compose',
  docker_compose_file: `services:\n  db:\n    image: mysql:8\n    environment:\n      MYSQL_ROOT_PASSWORD: ${MARK}a\n`,
  pre_launch_script: `#!/bin/sh\nexport API_TOKEN=${MARK}b\n`,
  kms_enabled: true,
  allowed_envs: ['API_TOKEN'],
});

function startAgent(args: string[]): {
  child: ChildProcessWithoutNullStreams;
  output: () => string;
  ready: Promise<void>;
} {
  const child = spawn(process.execPath, [BUILT_CLI, 'agent', ...args], { env: { ...process.env, NO_COLOR: '1' } });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (out += d));
  const ready = new Promise<void>((resolve, reject) => {
    child.stdout.on('data', () => (out.includes('Ctrl-C or SIGTERM') ? resolve() : undefined));
    child.once('exit', (code) => reject(new Error(`agent exited early (${code}): ${out}`)));
  });
  return { child, output: () => out, ready };
}

describe('canary sweep: the agent', () => {
  it('responses, printed lines and --key-log hold no marker, no root secret and no private key', async () => {
    const t = tempDir();
    const socket = join(t.dir, 'dstack.sock');
    const state = join(t.dir, 'state.json');
    const keyLog = join(t.dir, 'keys.jsonl');
    const appCompose = join(t.dir, 'app-compose.json');
    writeFileSync(
      state,
      JSON.stringify({ format: 'preflight-agent-state', version: 1, root_secret: ROOT, created_at: '2026-01-01' }),
      { mode: 0o600 },
    );
    writeFileSync(appCompose, APP_COMPOSE);
    const agent = startAgent(['--socket', socket, '--state', state, '--key-log', keyLog, '--app-compose', appCompose]);
    const privateKeys: string[] = [];
    const responses: Array<[string, string]> = [];
    try {
      await agent.ready;
      const call = async (path: string, body: object) => {
        const r = await rawCall(socket, path, JSON.stringify(body));
        const json = { ...r.json };
        if (path.endsWith('Info')) {
          const tcb = JSON.parse(String(json.tcb_info)) as Record<string, unknown>;
          assert.equal(tcb.app_compose, APP_COMPOSE, 'Info serves the app-compose.json verbatim, as dstack does');
          json.tcb_info = JSON.stringify({ ...tcb, app_compose: '(the file, verbatim)' });
        }
        for (const k of ['key', 'private_key'])
          if (typeof json[k] === 'string') privateKeys.push(String(json[k]).replace(/^0x/, ''));
        responses.push([path, JSON.stringify(json)]);
        return r;
      };
      await call('/GetKey', { path: '/db', purpose: 'encryption' });
      await call('/GetKey', { path: '/wallet', purpose: 'signing', algorithm: 'ed25519' });
      await call('/GetTlsKey', { subject: 'app.local', alt_names: ['app.local'] });
      await call('/prpc/Tappd.DeriveKey', { path: '/tls', subject: 'app' });
      await call('/prpc/Tappd.DeriveK256Key', { path: '/k256', purpose: 'p' });
      await call('/GetQuote', { report_data: 'ab'.repeat(32) });
      await call('/Attest', { report_data: 'cd'.repeat(32) });
      await call('/Sign', { algorithm: 'secp256k1', data: 'ef'.repeat(16) });
      await call('/Info', {});
      await call('/prpc/Tappd.Info', {});
      await call('/Version', {});
      // Error answers: a field of the wrong kind, an unknown method.
      const bad = await call('/GetQuote', { report_data: `${MARK}c` });
      assert.ok(bad.status >= 400, `a bad report_data is refused (${bad.status})`);
      await call('/NoSuchMethod', { secret: `${MARK}d` });
      assert.ok(privateKeys.length >= 4, `${privateKeys.length} private keys answered`);
    } finally {
      agent.child.kill('SIGTERM');
      await new Promise((r) => (agent.child.exitCode !== null ? r(null) : agent.child.once('exit', r)));
    }
    const secrets = (where: string, text: string) => {
      assert.ok(!text.includes(PREFIX), `the marker (prefix ${PREFIX}) leaked in ${where}`);
      assert.ok(!text.includes(ROOT.slice(0, 12)), `the root secret leaked in ${where}`);
    };
    const keys = (where: string, text: string) => {
      for (const k of privateKeys) assert.ok(!text.includes(k), `a private key leaked in ${where}`);
    };
    for (const [path, text] of responses) secrets(`the answer to ${path}`, text);
    const printed = agent.output();
    assert.match(printed, /key \/GetKey path="\/db"/, 'the agent printed its key requests');
    secrets('the printed lines', printed);
    keys('the printed lines', printed);
    const log = readFileSync(keyLog, 'utf8');
    assert.ok(log.split('\n').filter(Boolean).length >= 4, 'the key log holds the requests');
    secrets('--key-log', log);
    keys('--key-log', log);
    t.cleanup();
  });

  it('broken inputs holding the marker: one line, exit 2, no marker, no root secret', () => {
    const t = tempDir();
    try {
      const socket = join(t.dir, 'a.sock');
      // Each refused before the agent listens: corrupt state files (read with a key provider that uses
      // them), and an app-compose.json whose provider contradicts --key-provider none.
      const cases: Array<[string, string, string[]]> = [
        ['state.json', `{"format":"preflight-agent-state","version":1,"root_secret":"${ROOT}`, ['--state']],
        ['state.json', `{"format":"preflight-agent-state","version":1,"root_secret":"${MARK}e"}`, ['--state']],
        ['state.json', `${MARK}f ${ROOT}`, ['--state']],
        ['app.json', `{"kms_enabled": true, "key_provider": "${MARK}h"}`, ['--app-compose', '--key-provider', 'none']],
        ['app.json', `{"kms_enabled": "${MARK}i"}`, ['--app-compose', '--key-provider', 'none']],
      ];
      for (const [name, text, [flag, ...more]] of cases) {
        const file = join(t.dir, name);
        writeFileSync(file, text, { mode: 0o600 });
        const r = runBuiltCli(['agent', '--socket', socket, flag!, file, ...more], { timeoutMs: 60_000 });
        const what = `agent ${flag} with ${text.slice(0, 40)}…`;
        assert.equal(r.code, 2, `${what}: ${r.stderr}`);
        assert.equal(r.stderr.trim().split('\n').length, 1, `${what}: ${r.stderr}`);
        assert.ok(!r.stdout.includes(PREFIX) && !r.stderr.includes(PREFIX), `the marker leaked: ${what}: ${r.stderr}`);
        assert.ok(!`${r.stdout}${r.stderr}`.includes(ROOT.slice(0, 12)), `the root secret leaked: ${what}`);
      }
    } finally {
      t.cleanup();
    }
  });
});
