import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { after, describe, it } from 'node:test';
import { connectPhala, phalaCliDir, resolveCredentials } from '../../src/phala/index.js';
import { InputError, UsageError } from '../../src/util/errors.js';
import { FakePhala } from '../support/fake-phala/index.js';

const root = mkdtempSync(join(tmpdir(), 'preflight-phala-creds-'));
after(() => rmSync(root, { recursive: true, force: true }));
let n = 0;

const FILE_KEY = 'phak_file_secret_0123456789';
const OTHER_KEY = 'phak_other_secret_9876543210';

/** A fresh HOME with ~/.phala-cloud/credentials.json holding `content` (an object or raw text). */
function home(content?: unknown, mode = 0o600): { env: NodeJS.ProcessEnv; file: string; dir: string } {
  const h = join(root, `home${++n}`);
  const dir = join(h, '.phala-cloud');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'credentials.json');
  if (content !== undefined) {
    writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content, null, 2), { mode });
    chmodSync(file, mode);
  }
  return { env: { HOME: h }, file, dir };
}

const login = (profiles: Record<string, unknown>, current = Object.keys(profiles)[0]) => ({
  schema_version: 1,
  current_profile: current,
  profiles,
});

const profile = (token: string, extra: Record<string, unknown> = {}) => ({
  token,
  api_prefix: 'https://cloud-api.phala.com/api/v1',
  workspace: { name: 'My Team', slug: 'my-team' },
  user: { username: 'alice' },
  updated_at: '2026-01-01T00:00:00Z',
  ...extra,
});

const noKeyIn = (key: string) => (e: unknown) =>
  e instanceof Error && !e.message.includes(key) && !e.message.includes('\n');

describe('API key lookup', () => {
  it('PHALA_CLOUD_API_KEY comes first, then the phala CLI login', () => {
    const { env } = home(login({ default: profile(FILE_KEY) }));
    const fromEnv = resolveCredentials({ env: { ...env, PHALA_CLOUD_API_KEY: OTHER_KEY } });
    assert.equal(fromEnv.apiKey, OTHER_KEY);
    assert.equal(fromEnv.source, 'env');
    assert.equal(fromEnv.baseURL, undefined);
    const fromFile = resolveCredentials({ env });
    assert.equal(fromFile.apiKey, FILE_KEY);
    assert.equal(fromFile.source, 'phala-cli');
    assert.equal(fromFile.profile, 'default');
    assert.equal(fromFile.baseURL, 'https://cloud-api.phala.com/api/v1');
    assert.match(fromFile.description, /^phala CLI profile "default" \(.*credentials\.json\)$/);
    const given = resolveCredentials({ apiKey: 'k', env: { ...env, PHALA_CLOUD_API_KEY: OTHER_KEY } });
    assert.equal(given.source, 'option');
  });

  it('the key is never an enumerable property, so it does not print', () => {
    const { env } = home(login({ default: profile(FILE_KEY) }));
    const c = resolveCredentials({ env });
    assert.ok(!Object.keys(c).includes('apiKey'));
    assert.ok(!JSON.stringify(c).includes(FILE_KEY));
    assert.ok(!inspect(c).includes(FILE_KEY));
  });

  it('profile: PHALA_CLOUD_PROFILE, else current_profile; a workspace slug or name finds its profile', () => {
    const { env } = home(
      login(
        {
          default: profile(FILE_KEY),
          staging: profile(OTHER_KEY, { workspace: { name: 'Staging Team', slug: 'stage' } }),
        },
        'staging',
      ),
    );
    assert.equal(resolveCredentials({ env }).profile, 'staging');
    assert.equal(resolveCredentials({ env: { ...env, PHALA_CLOUD_PROFILE: 'default' } }).apiKey, FILE_KEY);
    assert.equal(resolveCredentials({ env: { ...env, PHALA_CLOUD_PROFILE: 'stage' } }).profile, 'staging');
    assert.equal(resolveCredentials({ env: { ...env, PHALA_CLOUD_PROFILE: 'Staging Team' } }).profile, 'staging');
    assert.throws(
      () => resolveCredentials({ env: { ...env, PHALA_CLOUD_PROFILE: 'prod' } }),
      (e: unknown) =>
        e instanceof UsageError && /"prod" is not in .*\(profiles: "default", "staging"\)/.test(e.message),
    );
  });

  it('base URL: the given one, else PHALA_CLOUD_API_PREFIX, else the profile api_prefix', () => {
    const { env } = home(login({ default: profile(FILE_KEY, { api_prefix: 'https://eu.example.test/api/v1' }) }));
    assert.equal(resolveCredentials({ env }).baseURL, 'https://eu.example.test/api/v1');
    assert.equal(
      resolveCredentials({ env: { ...env, PHALA_CLOUD_API_PREFIX: 'http://127.0.0.1:9/api/v1' } }).baseURL,
      'http://127.0.0.1:9/api/v1',
    );
    assert.equal(resolveCredentials({ env, baseURL: 'http://x.test/api/v1' }).baseURL, 'http://x.test/api/v1');
    const bad = home(login({ default: profile(FILE_KEY, { api_prefix: 'file:///etc/passwd' }) }));
    assert.throws(
      () => resolveCredentials({ env: bad.env }),
      (e: unknown) => e instanceof InputError && /api_prefix is not an http/.test(e.message),
    );
  });

  it('PHALA_CLOUD_DIR moves the folder, as in the CLI', () => {
    const { env, dir } = home(login({ default: profile(FILE_KEY) }));
    assert.equal(phalaCliDir(env), dir);
    assert.equal(phalaCliDir({ HOME: '/nowhere', PHALA_CLOUD_DIR: dir }), dir);
    assert.equal(resolveCredentials({ env: { HOME: '/nowhere', PHALA_CLOUD_DIR: dir } }).apiKey, FILE_KEY);
  });

  it('no key anywhere: one line saying what to do', () => {
    const { env } = home();
    assert.throws(
      () => resolveCredentials({ env }),
      (e: unknown) => e instanceof UsageError && /set PHALA_CLOUD_API_KEY or log in with `phala login`/.test(e.message),
    );
    const empty = home(login({ default: profile('  ') }));
    assert.throws(() => resolveCredentials({ env: empty.env }), UsageError);
  });

  it('only the old machine-encrypted api-key file: says to log in again', () => {
    const { env, dir } = home();
    writeFileSync(join(dir, 'api-key'), '00112233445566778899aabbccddeeff:abcdef', { mode: 0o600 });
    assert.throws(() => resolveCredentials({ env }), /api-key is the old phala CLI login: run `phala login` again/);
  });
});

describe('the credentials file must be private and small', () => {
  it('refuses a file other users can read or change, naming the fix, never the key', () => {
    for (const mode of [0o644, 0o640, 0o604, 0o660, 0o602]) {
      const { env } = home(login({ default: profile(FILE_KEY) }), mode);
      assert.throws(
        () => resolveCredentials({ env }),
        (e: unknown) =>
          e instanceof InputError &&
          /credentials\.json: mode 6\d\d lets other users read or change it; run chmod 600/.test(e.message),
      );
      assert.throws(() => resolveCredentials({ env }), noKeyIn(FILE_KEY));
    }
  });

  it('refuses a directory or a FIFO in its place (without blocking on the FIFO)', () => {
    const d = home();
    mkdirSync(d.file);
    assert.throws(() => resolveCredentials({ env: d.env }), /credentials\.json: not a regular file/);
    const f = home();
    execFileSync('mkfifo', ['-m', '600', f.file]);
    assert.throws(() => resolveCredentials({ env: f.env }), /credentials\.json: not a regular file/);
  });

  it('follows a symlink to a private regular file', () => {
    const target = join(root, `real-creds-${++n}.json`);
    writeFileSync(target, JSON.stringify(login({ default: profile(FILE_KEY) })), { mode: 0o600 });
    const { env, file } = home();
    symlinkSync(target, file);
    assert.equal(resolveCredentials({ env }).apiKey, FILE_KEY);
  });

  it('refuses a file over 64 KiB, and invalid JSON without quoting it', () => {
    const big = home(login({ default: profile(FILE_KEY, { pad: 'x'.repeat(70_000) }) }));
    assert.throws(() => resolveCredentials({ env: big.env }), /larger than 65536 bytes/);
    const broken = home(`{"schema_version": 1, "profiles": {"default": {"token": "${FILE_KEY}" }`);
    assert.throws(
      () => resolveCredentials({ env: broken.env }),
      (e: unknown) => e instanceof InputError && /credentials\.json: not valid JSON$/.test(e.message),
    );
    assert.throws(() => resolveCredentials({ env: broken.env }), noKeyIn(FILE_KEY));
    const other = home({ schema_version: 2, profiles: {} });
    assert.throws(() => resolveCredentials({ env: other.env }), /not a phala CLI credentials file/);
  });

  it('refuses a file that belongs to another user', (t) => {
    const { env, file } = home(login({ default: profile(FILE_KEY) }));
    if (process.getuid?.() !== 0) {
      // Only root can hand a file to someone else; the check still runs on every read above.
      t.diagnostic('not root: cannot create a file owned by another user');
      assert.equal(resolveCredentials({ env }).apiKey, FILE_KEY);
      return;
    }
    chownSync(file, 65534, 65534);
    assert.throws(() => resolveCredentials({ env }), /credentials\.json: belongs to another user/);
  });
});

describe('connectPhala with the CLI login', () => {
  it('sends the saved key to the profile api_prefix, and says where the key came from', async () => {
    const fake = await FakePhala.start();
    try {
      const { env } = home(login({ default: profile(fake.apiKey, { api_prefix: fake.baseURL }) }));
      const phala = await connectPhala({ env });
      assert.equal(phala.baseURL, fake.baseURL);
      assert.match(phala.credentialSource, /^phala CLI profile "default"/);
      const replicas = await phala.listReplicas(fake.fleet.appId);
      assert.equal(replicas.length, 3);
      assert.deepEqual(
        fake.log.map((r) => r.status),
        [200],
      );
      assert.ok(!inspect(phala, { depth: 5 }).includes(fake.apiKey));
    } finally {
      await fake.close();
    }
  });
});

describe('the SDK debug log', () => {
  it('DEBUG=phala::* does not turn on the SDK request log (bodies, and headers it may print)', async () => {
    const fake = await FakePhala.start();
    try {
      const code = [
        "const { connectPhala } = await import('./src/phala/index.ts');",
        `const p = await connectPhala({ apiKey: ${JSON.stringify(fake.apiKey)}, baseURL: ${JSON.stringify(fake.baseURL)} });`,
        `await p.patchCvm(${JSON.stringify(fake.fleet.replicas[0]!.vmUuid)}, { encrypted_env: 'c0ffee42' });`,
        "console.log('done');",
      ].join('\n');
      const r = await new Promise<{ code: number | null; out: string }>((resolve) => {
        const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], {
          env: { ...process.env, DEBUG: 'phala::*', DEBUG_COLORS: '0' },
        });
        let out = '';
        child.stdout.on('data', (d) => (out += d));
        child.stderr.on('data', (d) => (out += d));
        child.on('close', (c) => resolve({ code: c, out }));
      });
      assert.equal(r.code, 0, r.out);
      assert.match(r.out, /done/);
      assert.equal(fake.log.length, 1);
      assert.ok(!r.out.includes(fake.apiKey), r.out);
      assert.ok(!r.out.includes('c0ffee42'), r.out);
      assert.doesNotMatch(r.out, /phala::api-client/);
    } finally {
      await fake.close();
    }
  });
});
