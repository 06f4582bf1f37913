/**
 * How each stateful product's on-disk format behaves across versions, for `preflight diff`
 * (stateful-major-upgrade, stateful-downgrade). Keyed by the product name of the stateful-image
 * table (stateful-images.ts). Each entry names its source.
 *
 * - `migration`: a new major version cannot open the old data; an explicit migration is needed.
 * - `stepwise`: the server upgrades the data in place at start, but only from the previous release
 *   series; skipping a series fails. `series` lists them in order (matched by tag prefix).
 * - `compatible`: newer versions read older data; only downgrades are a problem.
 *
 * Downgrades: every product here writes formats older versions cannot be relied on to read.
 */
export interface DataFormat {
  product: string;
  upgrade: 'migration' | 'stepwise' | 'compatible';
  /** Release series in order, for products whose "major" is not the first number (MySQL 5.7 → 8.0). */
  series?: string[];
  /** What to do, in one line. */
  howTo: string;
  source: string;
}

export const DATA_FORMATS: DataFormat[] = [
  {
    product: 'PostgreSQL',
    upgrade: 'migration',
    howTo: 'pg_upgrade, or pg_dumpall from OLD and restore into NEW',
    source: 'https://www.postgresql.org/docs/current/upgrading.html',
  },
  {
    product: 'PostgreSQL (Bitnami)',
    upgrade: 'migration',
    howTo: 'pg_upgrade, or pg_dumpall from OLD and restore into NEW',
    source: 'https://www.postgresql.org/docs/current/upgrading.html',
  },
  {
    product: 'MySQL',
    upgrade: 'stepwise',
    series: ['5.6', '5.7', '8.0', '8.4', '9'],
    howTo: 'upgrade one release series at a time (5.7 → 8.0 → 8.4), with a backup; or dump and reload',
    source: 'https://dev.mysql.com/doc/refman/8.4/en/upgrade-paths.html',
  },
  {
    product: 'MySQL/MariaDB (Bitnami)',
    upgrade: 'stepwise',
    series: ['5.6', '5.7', '8.0', '8.4', '9', '10', '11'],
    howTo: 'upgrade one release series at a time, with a backup',
    source: 'https://dev.mysql.com/doc/refman/8.4/en/upgrade-paths.html',
  },
  {
    product: 'MariaDB',
    upgrade: 'stepwise',
    howTo: 'set MARIADB_AUTO_UPGRADE=1 (runs mariadb-upgrade at start) and keep a backup; downgrades are not supported',
    source: 'https://mariadb.com/kb/en/upgrading/ ; https://hub.docker.com/_/mariadb (MARIADB_AUTO_UPGRADE)',
  },
  {
    product: 'MongoDB',
    upgrade: 'stepwise',
    series: ['3.6', '4.0', '4.2', '4.4', '5', '6', '7', '8'],
    howTo: 'upgrade one major release at a time and set featureCompatibilityVersion after each',
    source: 'https://www.mongodb.com/docs/manual/release-notes/ (upgrade procedures, featureCompatibilityVersion)',
  },
  {
    product: 'Elasticsearch',
    upgrade: 'stepwise',
    howTo: 'indices are readable only by the next major version: upgrade one major at a time and reindex older indices',
    source: 'https://www.elastic.co/guide/en/elasticsearch/reference/current/setup-upgrade.html',
  },
  {
    product: 'OpenSearch',
    upgrade: 'stepwise',
    howTo: 'upgrade one major at a time; reindex indices created two majors back',
    source: 'https://opensearch.org/docs/latest/install-and-configure/upgrade-opensearch/index/',
  },
  {
    product: 'RabbitMQ',
    upgrade: 'stepwise',
    howTo: 'enable all stable feature flags before upgrading, one release series at a time',
    source: 'https://www.rabbitmq.com/docs/upgrade',
  },
  {
    product: 'InfluxDB',
    upgrade: 'migration',
    howTo: '1.x → 2.x needs `influxd upgrade` (the official image runs it with DOCKER_INFLUXDB_INIT_MODE=upgrade)',
    source: 'https://docs.influxdata.com/influxdb/v2/install/upgrade/v1-to-v2/',
  },
  {
    product: 'Neo4j',
    upgrade: 'migration',
    howTo: 'neo4j-admin database migrate after switching major versions, with a backup',
    source: 'https://neo4j.com/docs/upgrade-migration-guide/current/',
  },
  {
    product: 'Cassandra',
    upgrade: 'stepwise',
    howTo: 'one major at a time, then nodetool upgradesstables',
    source: 'https://cassandra.apache.org/doc/latest/cassandra/managing/operating/upgrading.html',
  },
  {
    product: 'Meilisearch',
    upgrade: 'migration',
    howTo: 'create a dump with OLD and import it into NEW (--import-dump)',
    source: 'https://www.meilisearch.com/docs/learn/update_and_migration/updating',
  },
  {
    product: 'CockroachDB',
    upgrade: 'stepwise',
    howTo: 'one major release at a time, finalising each',
    source: 'https://www.cockroachlabs.com/docs/stable/upgrade-cockroach-version',
  },
  {
    product: 'Redis',
    upgrade: 'compatible',
    howTo: 'newer versions load older RDB/AOF files; an older version may refuse a newer RDB',
    source: 'https://redis.io/docs/latest/operate/oss_and_stack/management/persistence/',
  },
  {
    product: 'Valkey',
    upgrade: 'compatible',
    howTo: 'newer versions load older RDB/AOF files; an older version may refuse a newer RDB',
    source: 'https://valkey.io/topics/persistence/',
  },
];

export function dataFormatOf(product: string): DataFormat | undefined {
  return DATA_FORMATS.find((f) => f.product === product);
}
