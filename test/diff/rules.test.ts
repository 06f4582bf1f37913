import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { getComposeHash } from '@phala/dstack-sdk';
import { preflightCatalogue } from '../../src/commands/catalogue.js';
import { DIFF_RULE_IDS } from '../../src/diff/index.js';
import { diffOf, ids, only } from './helpers.js';

// Must-fire / must-not-fire pairs for every rule id of `preflight diff`, in the style of ESLint's RuleTester.

const app = (svc: string, extraTop = '') => `services:\n${svc}${extraTop}`;
const DATA_VOL = `volumes:\n  data: {}\n`;

describe('volume-renamed', () => {
  it('fires when the same service mounts a new volume name at the same path, pointing at NEW', () => {
    const r = diffOf(
      app(`  web:\n    image: app:1\n    volumes:\n      - data:/data\n`, DATA_VOL),
      app(`  web:\n    image: app:2\n    volumes:\n      - store:/data\n`, `volumes:\n  store: {}\n`),
    );
    const [f] = only(r, 'volume-renamed');
    assert.ok(f, ids(r).join());
    assert.equal(f.severity, 'error');
    assert.equal(f.section, 'volumes');
    assert.equal(f.file, 'new/docker-compose.yml');
    assert.equal(f.line, 5);
    assert.match(f.message, /dstack_data/);
    assert.match(f.message, /dstack_store/);
    assert.deepEqual(only(r, 'volume-removed'), [], 'the rename explains the volume: not reported twice');
  });
  it('does not fire when the new key keeps the old Docker volume name', () => {
    const r = diffOf(
      app(`  web:\n    image: app:1\n    volumes:\n      - data:/data\n`, DATA_VOL),
      app(
        `  web:\n    image: app:2\n    volumes:\n      - store:/data\n`,
        `volumes:\n  store:\n    name: dstack_data\n`,
      ),
    );
    assert.deepEqual(only(r, 'volume-renamed'), []);
    assert.deepEqual(only(r, 'volume-removed'), []);
  });
  it('leaves a project rename to project-name-changed: no volume-renamed for the new prefix', () => {
    const r = diffOf(
      app(`  web:\n    image: app:1\n    volumes:\n      - data:/data\n`, DATA_VOL),
      `name: shop\n` + app(`  web:\n    image: app:1\n    volumes:\n      - data:/data\n`, DATA_VOL),
    );
    assert.deepEqual(only(r, 'volume-renamed'), []);
    assert.deepEqual(only(r, 'volume-removed'), []);
    assert.equal(only(r, 'project-name-changed').length, 1);
  });
});

describe('volume-removed', () => {
  it('fires when no service of NEW mounts a volume OLD used, pointing at OLD', () => {
    const r = diffOf(
      app(
        `  web:\n    image: app:1\n    volumes:\n      - data:/data\n      - cache:/cache\n`,
        `volumes:\n  data: {}\n  cache: {}\n`,
      ),
      app(`  web:\n    image: app:1\n    volumes:\n      - data:/data\n`, DATA_VOL),
    );
    const [f] = only(r, 'volume-removed');
    assert.ok(f);
    assert.equal(f.file, 'old/docker-compose.yml');
    assert.equal(f.line, 9, 'the top-level volume key in OLD');
    assert.match(f.message, /cache/);
    assert.equal(only(r, 'volume-removed').length, 1);
  });
  it('does not fire when another service of NEW mounts it', () => {
    const r = diffOf(
      app(`  web:\n    image: app:1\n    volumes:\n      - data:/data\n`, DATA_VOL),
      app(`  web:\n    image: app:1\n  worker:\n    image: app:1\n    volumes:\n      - data:/data\n`, DATA_VOL),
    );
    assert.deepEqual(
      ids(r).filter((i) => i.startsWith('volume')),
      [],
    );
  });
});

describe('service-data-orphaned', () => {
  it('fires when a service with data is renamed and the new one does not mount its volume', () => {
    const r = diffOf(
      app(`  db:\n    image: postgres:16\n    volumes:\n      - pg:/var/lib/postgresql/data\n`, `volumes:\n  pg: {}\n`),
      app(
        `  database:\n    image: postgres:16\n    volumes:\n      - pgdata:/var/lib/postgresql/data\n`,
        `volumes:\n  pgdata: {}\n`,
      ),
    );
    const [f] = only(r, 'service-data-orphaned');
    assert.ok(f, ids(r).join());
    assert.equal(f.file, 'old/docker-compose.yml');
    assert.equal(f.line, 2);
    assert.match(f.message, /renamed to database/);
    assert.deepEqual(only(r, 'volume-removed'), []);
  });
  it('does not fire when the renamed service keeps mounting the same volume', () => {
    const r = diffOf(
      app(`  db:\n    image: postgres:16\n    volumes:\n      - pg:/var/lib/postgresql/data\n`, `volumes:\n  pg: {}\n`),
      app(
        `  database:\n    image: postgres:16\n    volumes:\n      - pg:/var/lib/postgresql/data\n`,
        `volumes:\n  pg: {}\n`,
      ),
    );
    assert.deepEqual(
      ids(r).filter((i) => i !== 'deployment-changed'),
      [],
    );
  });
});

describe('data-dir-moved', () => {
  it('one finding when NEW drops the volume under a data store: data-dir-moved, not volume-removed as well', () => {
    const r = diffOf(
      app(`  cache:\n    image: redis:7.4.1\n    volumes:\n      - cache-data:/data\n`, `volumes:\n  cache-data: {}\n`),
      app(`  cache:\n    image: redis:7.4.1\n    volumes:\n      - /data\n`),
    );
    assert.deepEqual(
      ids(r).filter((id) => id !== 'deployment-changed'),
      ['data-dir-moved'],
      ids(r).join(),
    );
    assert.match(
      only(r, 'data-dir-moved')[0]!.message,
      /which no named volume covers; OLD's data is in volume cache-data .*NEW starts empty, and keeps what it writes only until its container is recreated$/,
    );
  });
  it('a volume another service of OLD shared is still volume-removed for the others', () => {
    const shared = `volumes:\n  shared: {}\n`;
    const r = diffOf(
      app(
        `  cache:\n    image: redis:7.4.1\n    volumes:\n      - shared:/data\n  backup:\n    image: backup:1\n    volumes:\n      - shared:/backup\n`,
        shared,
      ),
      app(`  cache:\n    image: redis:7.4.1\n  backup:\n    image: backup:1\n`),
    );
    assert.equal(only(r, 'data-dir-moved').length, 1);
    assert.equal(only(r, 'volume-removed').length, 1, ids(r).join());
  });
  it('fires when PGDATA moves out of the volume', () => {
    const r = diffOf(
      app(`  db:\n    image: postgres:16\n    volumes:\n      - pg:/var/lib/postgresql/data\n`, `volumes:\n  pg: {}\n`),
      app(
        `  db:\n    image: postgres:16\n    environment:\n      PGDATA: /pgdata\n    volumes:\n      - pg:/var/lib/postgresql/data\n`,
        `volumes:\n  pg: {}\n`,
      ),
    );
    const [f] = only(r, 'data-dir-moved');
    assert.ok(f, ids(r).join());
    assert.equal(f.severity, 'error');
    assert.equal(f.line, 5, 'points at PGDATA in NEW');
    assert.match(f.message, /\/pgdata/);
  });
  it('fires when the mount target moves so the data directory sits elsewhere in the volume', () => {
    const r = diffOf(
      app(`  db:\n    image: postgres:16\n    volumes:\n      - pg:/var/lib/postgresql\n`, `volumes:\n  pg: {}\n`),
      app(`  db:\n    image: postgres:16\n    volumes:\n      - pg:/var/lib/postgresql/data\n`, `volumes:\n  pg: {}\n`),
    );
    assert.match(only(r, 'data-dir-moved')[0]?.message ?? '', /moved inside volume pg/);
  });
  it('does not fire when the mount and PGDATA move together', () => {
    const r = diffOf(
      app(`  db:\n    image: postgres:16\n    volumes:\n      - pg:/var/lib/postgresql/data\n`, `volumes:\n  pg: {}\n`),
      app(
        `  db:\n    image: postgres:16\n    environment:\n      PGDATA: /pgdata\n    volumes:\n      - pg:/pgdata\n`,
        `volumes:\n  pg: {}\n`,
      ),
    );
    assert.deepEqual(only(r, 'data-dir-moved'), []);
  });
  it('fires for an app whose DATA_DIR leaves its volume (naming convention)', () => {
    const r = diffOf(
      app(
        `  web:\n    image: app:1\n    environment:\n      DATA_DIR: /data\n    volumes:\n      - data:/data\n`,
        DATA_VOL,
      ),
      app(
        `  web:\n    image: app:2\n    environment:\n      DATA_DIR: /srv/data\n    volumes:\n      - data:/data\n`,
        DATA_VOL,
      ),
    );
    const [f] = only(r, 'data-dir-moved');
    assert.ok(f);
    assert.equal(f.severity, 'error');
    assert.match(f.message, /DATA_DIR/);
  });
  it("warns when an unknown app's mount target moves, and not when nothing moved", () => {
    const moved = diffOf(
      app(`  web:\n    image: app:1\n    volumes:\n      - data:/data\n`, DATA_VOL),
      app(`  web:\n    image: app:1\n    volumes:\n      - data:/var/data\n`, DATA_VOL),
    );
    assert.equal(only(moved, 'data-dir-moved')[0]?.severity, 'warning');
    const same = diffOf(
      app(`  web:\n    image: app:1\n    volumes:\n      - data:/data\n`, DATA_VOL),
      app(`  web:\n    image: app:2\n    volumes:\n      - data:/data/\n`, DATA_VOL),
    );
    assert.deepEqual(only(same, 'data-dir-moved'), []);
  });
});

describe('stateful-major-upgrade', () => {
  const pg = (tag: string) =>
    app(
      `  db:\n    image: postgres:${tag}\n    volumes:\n      - pg:/var/lib/postgresql/data\n`,
      `volumes:\n  pg: {}\n`,
    );
  it('fires on a PostgreSQL major upgrade, naming the migration and its source', () => {
    const [f] = only(diffOf(pg('15-alpine'), pg('16.2-alpine')), 'stateful-major-upgrade');
    assert.ok(f);
    assert.equal(f.severity, 'error');
    assert.equal(f.line, 3);
    assert.match(f.message, /pg_upgrade/);
    assert.match(f.message, /postgresql\.org/);
  });
  it('does not fire on a minor upgrade, or for Redis (newer reads older)', () => {
    assert.deepEqual(only(diffOf(pg('16.1'), pg('16.4')), 'stateful-major-upgrade'), []);
    const redis = (t: string) =>
      app(`  cache:\n    image: redis:${t}\n    volumes:\n      - r:/data\n`, `volumes:\n  r: {}\n`);
    assert.deepEqual(only(diffOf(redis('6'), redis('7.2')), 'stateful-major-upgrade'), []);
  });
  it('MySQL: one series in place is a warning, skipping a series an error', () => {
    const my = (t: string) =>
      app(`  db:\n    image: mysql:${t}\n    volumes:\n      - m:/var/lib/mysql\n`, `volumes:\n  m: {}\n`);
    assert.equal(only(diffOf(my('5.7'), my('8.0')), 'stateful-major-upgrade')[0]?.severity, 'warning');
    assert.equal(only(diffOf(my('5.7'), my('8.4')), 'stateful-major-upgrade')[0]?.severity, 'error');
  });
});

describe('stateful-downgrade', () => {
  const mongo = (tag: string) =>
    app(`  db:\n    image: mongo:${tag}\n    volumes:\n      - m:/data/db\n`, `volumes:\n  m: {}\n`);
  it('fires when a stateful image goes back a major version', () => {
    const [f] = only(diffOf(mongo('7.0'), mongo('6.0')), 'stateful-downgrade');
    assert.ok(f);
    assert.equal(f.severity, 'error');
  });
  it('does not fire on an upgrade or the same version', () => {
    assert.deepEqual(only(diffOf(mongo('7.0'), mongo('7.0')), 'stateful-downgrade'), []);
    assert.deepEqual(only(diffOf(mongo('6.0'), mongo('7.0')), 'stateful-downgrade'), []);
  });
});

describe('user-changed', () => {
  it('fires when a service with a volume runs as another user', () => {
    const r = diffOf(
      app(`  web:\n    image: app:1\n    user: "1000"\n    volumes:\n      - data:/data\n`, DATA_VOL),
      app(`  web:\n    image: app:1\n    user: "2000"\n    volumes:\n      - data:/data\n`, DATA_VOL),
    );
    const [f] = only(r, 'user-changed');
    assert.ok(f);
    assert.equal(f.line, 4);
    assert.match(f.message, /2000.*1000/);
  });
  it('does not fire for a stateless service, or when the user stays', () => {
    assert.deepEqual(
      only(
        diffOf(app(`  web:\n    image: app:1\n    user: "1"\n`), app(`  web:\n    image: app:1\n    user: "2"\n`)),
        'user-changed',
      ),
      [],
    );
    const keep = app(`  web:\n    image: app:1\n    user: "1000"\n    volumes:\n      - data:/data\n`, DATA_VOL);
    assert.deepEqual(only(diffOf(keep, keep), 'user-changed'), []);
  });
});

describe('secret-missing and secret-dropped (from the secrets plan)', () => {
  const uses = (vars: string[]) =>
    app(`  web:\n    image: app:1\n    environment:\n${vars.map((v) => `      ${v}: \${${v}}\n`).join('')}`);
  it('fires secret-missing when NEW needs a variable the new env file lacks, and secret-dropped for a key left out', () => {
    const r = diffOf(
      { compose: uses(['DB_PASSWORD', 'OLD_TOKEN']), env: 'DB_PASSWORD=x1\nOLD_TOKEN=y2\n' },
      { compose: uses(['DB_PASSWORD', 'API_KEY']), env: 'DB_PASSWORD=x1\n' },
    );
    const [missing] = only(r, 'secret-missing');
    assert.ok(missing, ids(r).join());
    assert.match(missing.message, /API_KEY/);
    assert.equal(missing.file, 'new/docker-compose.yml');
    const [dropped] = only(r, 'secret-dropped');
    assert.match(dropped?.message ?? '', /OLD_TOKEN/);
    assert.ok(r.secretPlan, 'the plan is returned with the diff');
    assert.deepEqual(r.secretPlan.missing, ['API_KEY']);
    const out = JSON.stringify(r.report);
    assert.ok(!out.includes('x1') && !out.includes('y2'), 'no secret value in the report');
  });
  it('does not fire when the new set carries everything over', () => {
    const r = diffOf(
      { compose: uses(['DB_PASSWORD']), env: 'DB_PASSWORD=x\n' },
      { compose: uses(['DB_PASSWORD']), env: 'DB_PASSWORD=x\n' },
    );
    assert.deepEqual(
      ids(r).filter((i) => i.startsWith('secret')),
      [],
    );
  });
  it('uses allowed_envs of both manifests when no env file is given', () => {
    const r = diffOf(
      { compose: uses(['A']), manifest: { runner: 'docker-compose', allowed_envs: ['A', 'B'] } },
      { compose: uses(['A', 'C']), manifest: { runner: 'docker-compose', allowed_envs: ['A'] } },
    );
    assert.match(only(r, 'secret-missing')[0]?.message ?? '', /\bC\b/);
    assert.match(only(r, 'secret-dropped')[0]?.message ?? '', /\bB\b/);
  });
});

describe('deployment-changed', () => {
  const m = (extra: Record<string, unknown>) => ({
    compose: app(`  web:\n    image: app:1\n`),
    manifest: { manifest_version: 2, name: 'a', runner: 'docker-compose', kms_enabled: true, ...extra },
  });
  it('fires for public_logs turned on (warning) and reports the compose hash as getComposeHash computes it', () => {
    const o = m({ public_logs: false });
    const n = m({ public_logs: true });
    const r = diffOf(o, n);
    const found = only(r, 'deployment-changed');
    const logs = found.find((f) => /public_logs/.test(f.message));
    assert.equal(logs?.severity, 'warning');
    assert.equal(logs?.file, 'new/app-compose.json');
    const hash = found.find((f) => /compose hash/.test(f.message));
    const expected = getComposeHash({ ...n.manifest, docker_compose_file: n.compose } as never);
    assert.ok(hash?.message.includes(expected), `expected ${expected} in: ${hash?.message ?? '(no hash finding)'}`);
  });
  it('fires for allowed_envs changes, naming the keys', () => {
    const r = diffOf(m({ allowed_envs: ['A'] }), m({ allowed_envs: ['A', 'B'] }));
    assert.ok(only(r, 'deployment-changed').some((f) => /allowed_envs changes \(\+B\)/.test(f.message)));
  });
  it('says the hash changes when compose text differs without manifests, and stays quiet for identical inputs', () => {
    const r = diffOf(app(`  web:\n    image: app:1\n`), app(`  web:\n    image: app:2\n`));
    assert.match(only(r, 'deployment-changed')[0]?.message ?? '', /compose hash changes \(the compose text differs/);
    assert.deepEqual(ids(diffOf(m({}), m({}))), []);
  });
});

describe('key-provider-changed', () => {
  const m = (extra: Record<string, unknown>) => ({
    compose: app(`  web:\n    image: app:1\n`),
    manifest: { runner: 'docker-compose', kms_enabled: true, ...extra },
  });
  it('fires when the key provider changes', () => {
    const [f] = only(
      diffOf(m({}), m({ kms_enabled: false, local_key_provider_enabled: true })),
      'key-provider-changed',
    );
    assert.ok(f);
    assert.equal(f.section, 'keys');
    assert.equal(f.severity, 'error');
    assert.match(f.message, /kms to local/);
  });
  it('leaves no_instance_id to instance-id-changed', () => {
    assert.deepEqual(only(diffOf(m({}), m({ no_instance_id: true })), 'key-provider-changed'), []);
  });
  it('does not fire when only other settings change', () => {
    assert.deepEqual(only(diffOf(m({}), m({ public_logs: true })), 'key-provider-changed'), []);
  });
});

describe('project-name-changed', () => {
  const web = (restart: string) =>
    app(
      `  web:\n    image: app:1\n    restart: ${restart}\n    volumes:\n      - data:/data\n      - cache:/cache\n`,
      `volumes:\n  data: {}\n  cache:\n    name: shared-cache\n`,
    );
  it("fires once at NEW's name: naming the prefixed volumes and the old containers that come back", () => {
    const r = diffOf(web('always'), `name: shop\n${web('always')}`);
    const found = only(r, 'project-name-changed');
    assert.equal(found.length, 1, ids(r).join());
    const [f] = found;
    assert.equal(f!.severity, 'error');
    assert.equal(f!.file, 'new/docker-compose.yml');
    assert.equal(f!.line, 1);
    assert.match(
      f!.message,
      /from dstack to shop: volume data \(dstack_data → shop_data\) starts empty; the old project's web \(restart: always\) keeps starting at every boot/,
    );
    assert.ok(!f!.message.includes('shared-cache'), 'a volume with its own name: keeps its data');
  });
  it('points at OLD when NEW drops the name; says containers are left behind without a restart policy', () => {
    const [f] = only(diffOf(`name: shop\n${web('"no"')}`, web('"no"')), 'project-name-changed');
    assert.equal(f?.file, 'old/docker-compose.yml');
    assert.match(f?.message ?? '', /from shop to dstack.*left behind/);
  });
  it('unless-stopped containers may come back after a forced stop, on-failure ones after any non-zero exit', () => {
    const [f] = only(diffOf(web('unless-stopped'), `name: shop\n${web('unless-stopped')}`), 'project-name-changed');
    assert.match(
      f?.message ?? '',
      /web \(restart: unless-stopped\) may come back with the old image at a later boot \(after a forced stop\)$/,
    );
    assert.doesNotMatch(f?.message ?? '', /every boot|left behind/);
    const [g] = only(diffOf(web('on-failure:3'), `name: shop\n${web('on-failure:3')}`), 'project-name-changed');
    assert.match(
      g?.message ?? '',
      /web \(restart: on-failure:3\) may come back .*on-failure after any exit code other than 0\)$/,
    );
  });
  it('does not fire when the name stays, or is written as the default', () => {
    assert.deepEqual(only(diffOf(web('always'), web('always')), 'project-name-changed'), []);
    assert.deepEqual(only(diffOf(web('always'), `name: dstack\n${web('always')}`), 'project-name-changed'), []);
  });
});

describe('service-renamed-anonymous-data', () => {
  it('fires at OLD for a renamed service with an anonymous volume, not for a cache path', () => {
    const r = diffOf(
      app(`  db:\n    image: postgres:16\n    volumes:\n      - /var/lib/postgresql/data\n      - /tmp/cache\n`),
      app(`  database:\n    image: postgres:16\n    volumes:\n      - /var/lib/postgresql/data\n`),
    );
    const [f] = only(r, 'service-renamed-anonymous-data');
    assert.ok(f, ids(r).join());
    assert.equal(f.file, 'old/docker-compose.yml');
    assert.equal(f.line, 2);
    assert.equal(f.severity, 'error');
    assert.match(
      f.message,
      /renamed to database .* anonymous volume at \/var\/lib\/postgresql\/data: .*database starts without it/,
    );
  });
  it("fires for a data store with no volume over its data directory: the image's VOLUME is anonymous", () => {
    const r = diffOf(
      app(`  db:\n    image: postgres:16.4\n  web:\n    image: app:1\n`),
      app(`  database:\n    image: postgres:16.4\n`),
    );
    const found = only(r, 'service-renamed-anonymous-data');
    assert.equal(found.length, 1, found.map((f) => f.message).join('\n'));
    assert.match(
      found[0]!.message,
      /service db is renamed to database .* the PostgreSQL data directory \/var\/lib\/postgresql\/data, which no volume covers/,
    );
    assert.ok(!found.some((f) => f.service === 'web'), 'a stateless service removed loses nothing');
  });
  it('one finding names both an anonymous volume and an unmounted data directory', () => {
    const r = diffOf(
      app(`  cache:\n    image: redis:7.4.1\n    volumes:\n      - /uploads\n`),
      app(`  web:\n    image: app:1\n`),
    );
    const [f, extra] = only(r, 'service-renamed-anonymous-data');
    assert.equal(extra, undefined);
    assert.match(
      f?.message ?? '',
      /removed in NEW and keeps data in anonymous volume at \/uploads and the Redis data directory \/data/,
    );
  });
  it('does not fire for a kept service, or a removed one whose volumes are all named', () => {
    const keep = app(`  db:\n    image: postgres:16\n    volumes:\n      - /var/lib/postgresql/data\n`);
    assert.deepEqual(only(diffOf(keep, keep), 'service-renamed-anonymous-data'), []);
    const named = app(
      `  db:\n    image: postgres:16\n    volumes:\n      - pg:/var/lib/postgresql/data\n`,
      `volumes:\n  pg: {}\n`,
    );
    assert.deepEqual(only(diffOf(named, app(`  web:\n    image: app:1\n`)), 'service-renamed-anonymous-data'), []);
    const bound = app(
      `  db:\n    image: postgres:16\n    volumes:\n      - /dstack/persistent/pg:/var/lib/postgresql/data\n`,
    );
    assert.deepEqual(only(diffOf(bound, app(`  web:\n    image: app:1\n`)), 'service-renamed-anonymous-data'), []);
  });
});

describe('storage-fs-changed and instance-id-changed', () => {
  const m = (extra: Record<string, unknown>) => ({
    compose: app(`  web:\n    image: app:1\n`),
    manifest: { manifest_version: 2, runner: 'docker-compose', kms_enabled: true, ...extra },
  });
  it("storage-fs-changed: an error at NEW's storage_fs, and no deployment-changed line for it", () => {
    const r = diffOf(m({ storage_fs: 'zfs' }), m({ storage_fs: 'ext4' }));
    const [f] = only(r, 'storage-fs-changed');
    assert.equal(f?.severity, 'error');
    assert.equal(f?.section, 'volumes');
    assert.equal(f?.file, 'new/app-compose.json');
    assert.match(f?.message ?? '', /from zfs to ext4: .*fails to mount/);
    assert.ok(!only(r, 'deployment-changed').some((x) => /storage_fs/.test(x.message)));
    assert.deepEqual(only(diffOf(m({ storage_fs: 'ext4' }), m({ storage_fs: 'ext4' })), 'storage-fs-changed'), []);
    assert.deepEqual(only(diffOf(m({}), m({ storage_fs: 'zfs' })), 'storage-fs-changed'), [], 'zfs is the default');
  });
  it('instance-id-changed: an error naming the disk key and, when turned on, the lost route', () => {
    const [on] = only(diffOf(m({}), m({ no_instance_id: true })), 'instance-id-changed');
    assert.equal(on?.severity, 'error');
    assert.equal(on?.section, 'keys');
    assert.match(on?.message ?? '', /false to true: .*disk key.*no route/);
    const [off] = only(diffOf(m({ no_instance_id: true }), m({ no_instance_id: false })), 'instance-id-changed');
    assert.ok(off && !/no route/.test(off.message));
    assert.deepEqual(only(diffOf(m({ no_instance_id: true }), m({ no_instance_id: true })), 'instance-id-changed'), []);
  });
});

describe('diff as a whole', () => {
  it('registers metadata for every rule id (source diff) so renderers know them', () => {
    for (const id of DIFF_RULE_IDS) {
      const meta = preflightCatalogue().get(id);
      assert.ok(meta, id);
      assert.ok(meta.fixHint && meta.rationale, id);
    }
    assert.equal(preflightCatalogue().get('volume-renamed')?.source, 'diff');
  });
  it('honours .preflight.yml of NEW: severities and exemptions with a reason', () => {
    const o = app(`  web:\n    image: app:1\n    user: "1"\n    volumes:\n      - data:/data\n`, DATA_VOL);
    const n = (config: string) => ({
      compose: app(`  web:\n    image: app:1\n    user: "2"\n    volumes:\n      - data:/data\n`, DATA_VOL),
      config,
    });
    assert.equal(only(diffOf(o, n('rules:\n  user-changed: error\n')), 'user-changed')[0]?.severity, 'error');
    const r = diffOf(o, n('exemptions:\n  - rule: user-changed\n    reason: chowned by the init job\n'));
    assert.deepEqual(only(r, 'user-changed'), []);
    assert.equal(r.report.suppressed[0]?.suppression.reason, 'chowned by the init job');
  });
});
