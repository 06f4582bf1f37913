import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EXPORTER_IMAGES } from '../../src/knowledge/exporters.js';
import { IMAGES_WITH_OWN_HEALTHCHECK } from '../../src/knowledge/healthcheck-images.js';
import { matchImage } from '../../src/knowledge/image.js';
import { normalizePath, pathCovers } from '../../src/knowledge/paths.js';
import { STATEFUL_IMAGES } from '../../src/knowledge/stateful-images.js';
import { recogniseStateful, versionedDataDirs } from '../../src/knowledge/stateful-recognise.js';

describe('matchImage: the one image matcher of every table', () => {
  it('matches the repository path, the registry and path, or a bare last segment', () => {
    const product = (image: string) => matchImage(STATEFUL_IMAGES, image)?.product;
    assert.equal(product('postgres:16'), 'PostgreSQL');
    assert.equal(product('docker.io/library/postgres:16-alpine'), 'PostgreSQL');
    assert.equal(product('ghcr.io/immich-app/postgres:14-vectorchord0.4.3'), 'PostgreSQL');
    assert.equal(product('bitnami/postgresql:16'), 'PostgreSQL (Bitnami)');
    assert.equal(product('quay.io/minio/minio:RELEASE.2025-01-20T14-49-07Z'), 'MinIO');
    assert.equal(product('Redis:7'), 'Redis', 'case does not matter');
    assert.equal(product('myorg/app:1'), undefined);
    assert.equal(matchImage(EXPORTER_IMAGES, 'gcr.io/cadvisor/cadvisor:v0.49.1')?.product, 'cAdvisor');
  });

  it('a path entry wins over a bare-name entry (bitnami/redis is Redis, bitnami/postgresql is Bitnami)', () => {
    assert.equal(matchImage(STATEFUL_IMAGES, 'bitnami/redis:7.2')?.product, 'Redis');
    assert.equal(matchImage(STATEFUL_IMAGES, 'bitnami/mongodb:7')?.product, 'MongoDB');
  });

  it('knows the images that declare a HEALTHCHECK, on any registry', () => {
    for (const image of [
      'ghcr.io/open-webui/open-webui:main',
      'ghcr.io/paperless-ngx/paperless-ngx:2.14',
      'ghcr.io/nextcloud-releases/all-in-one:latest',
      'ghcr.io/zulip/zulip-server:12.1-0',
      'calcom.docker.scarf.sh/calcom/cal.com:v5.0',
      'quay.io/jupyter/scipy-notebook:2025-01-20',
      'ghcr.io/immich-app/immich-server:v1.130.0',
      'ghcr.io/goauthentik/server:2025.2.4',
      'louislam/uptime-kuma:1',
      'vaultwarden/server:1.33.2',
    ])
      assert.ok(matchImage(IMAGES_WITH_OWN_HEALTHCHECK, image), image);
    assert.equal(matchImage(IMAGES_WITH_OWN_HEALTHCHECK, 'postgres:16'), undefined);
    for (const e of IMAGES_WITH_OWN_HEALTHCHECK)
      assert.match(e.source, /^https:\/\/github\.com\/.+Dockerfile|dockerfile/i);
  });
});

describe('normalizePath / pathCovers: the one path normaliser', () => {
  it('collapses repeated slashes and drops a trailing one, keeping / and relative starts', () => {
    assert.equal(normalizePath('/var//lib/postgresql/'), '/var/lib/postgresql');
    assert.equal(normalizePath('/'), '/');
    assert.equal(normalizePath('//'), '/');
    assert.equal(normalizePath('./data/'), './data');
  });
  it('covers the path itself and what lies below it, never a sibling with the same prefix', () => {
    assert.ok(pathCovers('/var/lib/postgresql', '/var/lib/postgresql/18/docker'));
    assert.ok(pathCovers('/data/', '/data'));
    assert.ok(pathCovers('/', '/anything'));
    assert.ok(!pathCovers('/var/lib/postgresql/data', '/var/lib/postgresql/18/docker'));
    assert.ok(!pathCovers('/data', '/database'));
  });
});

describe('recogniseStateful: data stores the table does not name', () => {
  const of = (image: string, environment: Record<string, string | undefined> = {}, argv: string[] = []) =>
    recogniseStateful({ image, environment, argv });

  it('by a product in the image name (Zulip, WAL-G, pgvecto-rs, Bitnami variants)', () => {
    // zulip/docker-zulip compose.yaml: database: image: "zulip/zulip-postgresql:14"
    assert.deepEqual(
      [of('zulip/zulip-postgresql:14')?.entry.product, of('zulip/zulip-postgresql:14')?.recognisedBy],
      ['PostgreSQL', 'name'],
    );
    assert.equal(of('ghcr.io/acme/postgres-walg:16')?.entry.product, 'PostgreSQL');
    assert.equal(of('tensorchord/pgvecto-rs:pg14-v0.2.0')?.entry.product, 'PostgreSQL');
    assert.equal(of('bitnami/postgresql-repmgr:16')?.entry.product, 'PostgreSQL (Bitnami)');
    assert.equal(of('sameersbn/redis:latest')?.entry.product, 'Redis');
  });

  it('not the tools around a data store', () => {
    for (const image of [
      'prometheuscommunity/postgres-exporter:v0.15.0',
      'rediscommander/redis-commander:latest',
      'mongo-express:1.0',
      'dpage/pgadmin4:8',
      'prodrigestivill/postgres-backup-local:16',
      'edoburu/pgbouncer:latest',
      'supabase/postgres-meta:v0.84.2',
      'bitnami/redis-sentinel:7.2',
      'provectuslabs/kafka-ui:latest',
    ])
      assert.equal(of(image), undefined, image);
  });

  it('by the command the server runs', () => {
    assert.equal(of('myorg/db:1', {}, ['postgres', '-c', 'wal_level=logical'])?.entry.product, 'PostgreSQL');
    assert.equal(of('myorg/cache:1', {}, ['redis-server', '--appendonly', 'yes'])?.entry.product, 'Redis');
    assert.equal(of('myorg/docs:1', {}, ['/usr/bin/mongod', '--bind_ip_all'])?.recognisedBy, 'command');
  });

  it('by variables only the server reads, not by a client that names a host', () => {
    assert.equal(of('citusdata/citus:12', { POSTGRES_PASSWORD: 'x' })?.entry.product, 'PostgreSQL');
    assert.equal(of('paradedb/paradedb:0.15', { PGDATA: '/pg' })?.recognisedBy, 'environment');
    assert.equal(of('org/db:1', { MARIADB_ROOT_PASSWORD: 'x' })?.entry.product, 'MariaDB');
    assert.equal(of('phpmyadmin:5', { PMA_HOST: 'db', MYSQL_ROOT_PASSWORD: 'x' }), undefined);
    assert.equal(of('org/api:1', { POSTGRES_PASSWORD: 'x', POSTGRES_HOST: 'db' }), undefined);
    assert.equal(of('org/api:1', { DATABASE_URL: 'postgres://db/app' }), undefined);
  });
});

describe('versionedDataDirs: postgres 18 moved its data', () => {
  const pg = STATEFUL_IMAGES.find((e) => e.product === 'PostgreSQL')!;
  it('below 18: /var/lib/postgresql/data', () => {
    assert.deepEqual(versionedDataDirs(pg, 'postgres:16.4-alpine'), {
      dataDirs: ['/var/lib/postgresql/data'],
      mountAt: '/var/lib/postgresql/data',
      major: 16,
    });
    assert.equal(versionedDataDirs(pg, 'pgvector/pgvector:pg17').major, 17);
  });
  it('18 and later: /var/lib/postgresql/<major>/docker, mounted at /var/lib/postgresql', () => {
    assert.deepEqual(versionedDataDirs(pg, 'postgres:18'), {
      dataDirs: ['/var/lib/postgresql/18/docker'],
      mountAt: '/var/lib/postgresql',
      major: 18,
    });
    assert.equal(versionedDataDirs(pg, 'pgvector/pgvector:0.8.1-pg18-trixie').major, 18);
    assert.equal(versionedDataDirs(pg, 'postgis/postgis:18-3.6').mountAt, '/var/lib/postgresql');
  });
  it('latest and no tag of the official image are the newest; an unknown version accepts either', () => {
    assert.equal(versionedDataDirs(pg, 'postgres').mountAt, '/var/lib/postgresql');
    assert.equal(versionedDataDirs(pg, 'postgres:alpine').mountAt, '/var/lib/postgresql');
    assert.deepEqual(versionedDataDirs(pg, undefined).dataDirs, ['/var/lib/postgresql/data', '/var/lib/postgresql']);
  });
});
