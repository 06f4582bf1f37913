/**
 * Recognising a data store the image table does not name: by a known product in the image name
 * (`zulip/zulip-postgresql`, `…/postgres-walg`, `tensorchord/pgvecto-rs`), by its command
 * (`postgres`, `redis-server`, `mongod`), or by environment variables only the server reads
 * (`PGDATA`, `POSTGRES_INITDB_ARGS`, `MYSQL_ROOT_PASSWORD`). Clients and tools carry the same words
 * (`postgres-exporter`, `redis-commander`, a backup job with `POSTGRES_HOST`), so those are left out.
 */
import { matchImage, parseImage, type ImageRef } from './image.js';
import { STATEFUL_IMAGES, statefulProduct, type StatefulImage } from './stateful-images.js';

export interface StatefulInput {
  image?: string;
  /** The service's environment (values as set; `undefined` for pass-through names). */
  environment: Readonly<Record<string, string | undefined>>;
  /** Entrypoint and command words, in that order. */
  argv: readonly string[];
}

export interface StatefulMatch {
  entry: StatefulImage;
  /** How the product was recognised, for messages: the table, the image name, the command or the environment. */
  recognisedBy: 'image' | 'name' | 'command' | 'environment';
  /** What showed it (`postgresql` in the name, `redis-server`, `PGDATA`). */
  evidence: string;
}

/** Name words that make an image a product, and the product (Bitnami's own entry for `bitnami/…`). */
const NAME_TOKENS: { tokens: string[]; product: string; bitnami?: string }[] = [
  {
    tokens: ['postgres', 'postgresql', 'pgvector', 'pgvecto', 'postgis', 'timescaledb'],
    product: 'PostgreSQL',
    bitnami: 'PostgreSQL (Bitnami)',
  },
  { tokens: ['mysql', 'percona'], product: 'MySQL', bitnami: 'MySQL/MariaDB (Bitnami)' },
  { tokens: ['mariadb'], product: 'MariaDB', bitnami: 'MySQL/MariaDB (Bitnami)' },
  { tokens: ['mongo', 'mongodb'], product: 'MongoDB' },
  { tokens: ['redis'], product: 'Redis' },
  { tokens: ['valkey'], product: 'Valkey' },
  { tokens: ['keydb'], product: 'KeyDB' },
  { tokens: ['elasticsearch'], product: 'Elasticsearch' },
  { tokens: ['opensearch'], product: 'OpenSearch' },
  { tokens: ['rabbitmq'], product: 'RabbitMQ' },
  { tokens: ['clickhouse'], product: 'ClickHouse' },
  { tokens: ['influxdb'], product: 'InfluxDB' },
  { tokens: ['cassandra'], product: 'Cassandra' },
  { tokens: ['couchdb'], product: 'CouchDB' },
  { tokens: ['neo4j'], product: 'Neo4j' },
  { tokens: ['etcd'], product: 'etcd' },
  { tokens: ['cockroach', 'cockroachdb'], product: 'CockroachDB' },
];

/**
 * Name words of tools around a data store (exporters, admin UIs, proxies, backup and migration jobs):
 * an image named `postgres-exporter` or `redis-commander` keeps no data of its own.
 */
const TOOL_TOKENS = new Set([
  'exporter',
  'backup',
  'backups',
  'dump',
  'admin',
  'pgadmin',
  'pgadmin4',
  'meta',
  'rest',
  'postgrest',
  'bouncer',
  'pgbouncer',
  'pool',
  'pgpool',
  'pooler',
  'proxy',
  'operator',
  'client',
  'cli',
  'ui',
  'web',
  'commander',
  'express',
  'insight',
  'gui',
  'sync',
  'migrate',
  'migration',
  'migrations',
  'upgrade',
  'init',
  'sidecar',
  'agent',
  'monitor',
  'stats',
  'dashboard',
  'browser',
  'manager',
  'connect',
  'sentinel',
  'tools',
]);

/** Programs that are the server itself: a command starting with one runs that data store. */
const SERVER_PROGRAMS: Record<string, string> = {
  postgres: 'PostgreSQL',
  'redis-server': 'Redis',
  'valkey-server': 'Valkey',
  'keydb-server': 'KeyDB',
  mongod: 'MongoDB',
  mysqld: 'MySQL',
  mariadbd: 'MariaDB',
};

/** Environment variables only the server image reads (its first-boot initialisation). */
const SERVER_ENV: { names: RegExp; product: string }[] = [
  { names: /^(PGDATA|POSTGRES_INITDB_ARGS|POSTGRES_INITDB_WALDIR|POSTGRES_HOST_AUTH_METHOD)$/, product: 'PostgreSQL' },
  { names: /^POSTGRES_PASSWORD(_FILE)?$/, product: 'PostgreSQL' },
  { names: /^MARIADB_(ROOT_PASSWORD|RANDOM_ROOT_PASSWORD|ALLOW_EMPTY_ROOT_PASSWORD)(_FILE)?$/, product: 'MariaDB' },
  { names: /^MYSQL_(ROOT_PASSWORD|RANDOM_ROOT_PASSWORD|ALLOW_EMPTY_PASSWORD)(_FILE)?$/, product: 'MySQL' },
  { names: /^MONGO_INITDB_ROOT_(USERNAME|PASSWORD)(_FILE)?$/, product: 'MongoDB' },
];

/** A client names where the server is (`POSTGRES_HOST`, `PMA_HOST`, `DATABASE_URL`): it is not the server. */
const CLIENT_ENV = /(_HOST|_HOSTNAME|_SERVER|_SERVERS|_ADDR|_ADDRESS|_URL|_URI|_DSN)$/;

/** The data store a service runs, if the table, its image name, its command or its environment shows one. */
export function recogniseStateful(input: StatefulInput): StatefulMatch | undefined {
  const ref = input.image ? parseImage(input.image) : undefined;
  const known = matchImage(STATEFUL_IMAGES, ref);
  if (known) return { entry: known, recognisedBy: 'image', evidence: ref!.path };
  const tokens = ref ? nameTokens(ref) : [];
  if (tokens.some((t) => TOOL_TOKENS.has(t))) return undefined;
  for (const group of NAME_TOKENS) {
    const token = tokens.find((t) => group.tokens.includes(t));
    if (!token) continue;
    const product = ref!.path.startsWith('bitnami/') && group.bitnami ? group.bitnami : group.product;
    return { entry: statefulProduct(product)!, recognisedBy: 'name', evidence: token };
  }
  const program = input.argv[0]?.slice(input.argv[0].lastIndexOf('/') + 1);
  if (program && SERVER_PROGRAMS[program])
    return { entry: statefulProduct(SERVER_PROGRAMS[program])!, recognisedBy: 'command', evidence: program };
  const names = Object.keys(input.environment);
  if (names.some((n) => CLIENT_ENV.test(n))) return undefined;
  for (const { names: pattern, product } of SERVER_ENV) {
    const hit = names.find((n) => pattern.test(n));
    if (hit) return { entry: statefulProduct(product)!, recognisedBy: 'environment', evidence: hit };
  }
  return undefined;
}

/** Where this image version keeps its data: the version's directories when the table knows the version moved them. */
export function versionedDataDirs(
  entry: StatefulImage,
  image: string | undefined,
): { dataDirs: string[]; mountAt: string; major?: number } {
  const plain = { dataDirs: entry.dataDirs, mountAt: entry.dataDirs[0]! };
  if (!entry.byVersion?.length) return plain;
  const ref = image ? parseImage(image) : undefined;
  const major = majorOf(entry, ref);
  const newest = [...entry.byVersion].sort((a, b) => b.since - a.since);
  if (major === undefined) {
    // `latest` and no tag are the newest release; an unknown version may be either side, so both count.
    const official = ref && !ref.tag?.match(/\d/) && isOfficialImage(entry, ref);
    if (official)
      return {
        dataDirs: newest[0]!.dataDirs.map((d) => d.replace('{major}', '<version>')),
        mountAt: newest[0]!.mountAt,
      };
    return { dataDirs: [...entry.dataDirs, ...newest.map((v) => v.mountAt)], mountAt: entry.dataDirs[0]! };
  }
  const rule = newest.find((v) => v.since <= major);
  if (!rule) return { ...plain, major };
  return { dataDirs: rule.dataDirs.map((d) => d.replace('{major}', String(major))), mountAt: rule.mountAt, major };
}

function majorOf(entry: StatefulImage, ref: ImageRef | undefined): number | undefined {
  const tag = ref?.tag;
  if (!tag) return undefined;
  for (const pattern of entry.versionTags ?? [/^v?(\d+)(?=$|[-_.])/]) {
    const m = pattern.exec(tag.toLowerCase());
    if (m) return Number(m[1]);
  }
  return undefined;
}

/** The product's own image on Docker Hub (`postgres`), whose `latest` is its newest major version. */
function isOfficialImage(entry: StatefulImage, ref: ImageRef): boolean {
  return entry.images[0] === ref.path.toLowerCase();
}

function nameTokens(ref: ImageRef): string[] {
  return ref.name
    .toLowerCase()
    .split(/[-_.]+/)
    .filter(Boolean);
}
