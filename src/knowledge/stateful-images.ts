/**
 * Which images keep data where. One entry per product; `images` are matched by knowledge/image.ts's
 * `matchImage` (repository path, registry and path, or a bare last segment). Images the table does
 * not name are recognised by name, environment or command in stateful-recognise.ts.
 * Each entry names its source: the image's documentation of its data directory.
 */
import type { ImageEntry } from './image.js';

/** Where a product keeps its data from a major version on (postgres 18 moved it). */
export interface VersionedDataDirs {
  /** The first major version this applies to. */
  since: number;
  /** Data directories from that version on (`{major}` stands for the image's major version). */
  dataDirs: string[];
  /** Where to mount a volume so it holds them (the image's `VOLUME`). */
  mountAt: string;
  source: string;
}

export interface StatefulImage extends ImageEntry {
  /** Product name used in messages. */
  product: string;
  images: string[];
  /**
   * Container paths where the product keeps data (alternatives by version or variant: a volume over any one counts).
   */
  dataDirs: string[];
  /** Data directories that changed with a major version; the newest entry whose `since` ≤ the image's major wins. */
  byVersion?: VersionedDataDirs[];
  /**
   * Patterns that find the major version in a tag, first match wins (`pg18`, `18.1-alpine`); default: its leading
   * number.
   */
  versionTags?: RegExp[];
  /** Environment variables that move the data directory (first set one wins). */
  dataDirEnv?: string[];
  /** Command-line flags that move the data directory (`--dir`, `--data-dir=...`). */
  dataDirFlags?: string[];
  /** Subcommands whose next argument is the data directory (`minio server /data`). */
  dataDirArgAfter?: string[];
  /** Takes long to start or recover (needs a start_period on its healthcheck). */
  slowStart?: boolean;
  /** Data format changes across major versions: a major upgrade needs a migration (pg_upgrade, dump/restore…). */
  majorUpgradeNeedsMigration?: boolean;
  /**
   * Stops well within Docker's 10 s default: a web app whose data is plain files or SQLite (crash-safe
   * journal), with no buffers to flush on shutdown; stop-grace-period leaves it alone.
   */
  quickShutdown?: boolean;
  /**
   * An application that keeps its own data (its releases migrate their own schema), not a data store:
   * an old version of it that runs on during an upgrade writes, where an old database only serves.
   */
  application?: boolean;
  /** Only stateful when this pattern matches the command (e.g. NATS only with JetStream). */
  statefulWhenCommand?: RegExp;
  source: string;
}

export const STATEFUL_IMAGES: StatefulImage[] = [
  {
    product: 'PostgreSQL',
    images: ['postgres', 'postgis/postgis', 'timescale/timescaledb', 'pgvector/pgvector', 'supabase/postgres'],
    dataDirs: ['/var/lib/postgresql/data'],
    byVersion: [
      {
        since: 18,
        dataDirs: ['/var/lib/postgresql/{major}/docker'],
        mountAt: '/var/lib/postgresql',
        source:
          'https://github.com/docker-library/postgres/blob/12eb5762e3cf3c44440ed078b59843b5dfbde570/18/trixie/Do' +
          'ckerfile (PGDATA /var/lib/postgresql/18/docker, VOLUME /var/lib/postgresql); docs/platform.md#images',
      },
    ],
    // pgvector/pgvector:pg18, 0.8.1-pg17-bookworm; postgres:18.1-alpine; postgis/postgis:18-3.6.
    versionTags: [/(?:^|[-_.])pg(\d+)(?=$|[-_.])/, /^v?(\d+)(?=$|[-_.])/],
    dataDirEnv: ['PGDATA'],
    dataDirFlags: ['-D', '--pgdata'],
    slowStart: true,
    majorUpgradeNeedsMigration: true,
    source: 'https://hub.docker.com/_/postgres (PGDATA)',
  },
  {
    product: 'PostgreSQL (TimescaleDB HA)',
    images: ['timescale/timescaledb-ha'],
    dataDirs: ['/home/postgres/pgdata/data'],
    dataDirEnv: ['PGDATA'],
    slowStart: true,
    majorUpgradeNeedsMigration: true,
    source:
      'https://github.com/timescale/timescaledb-docker-ha/blob/master/Dockerfile (ENV ' +
      'PGDATA=/home/postgres/pgdata/data)',
  },
  {
    product: 'PostgreSQL (Bitnami)',
    images: ['bitnami/postgresql'],
    dataDirs: ['/bitnami/postgresql'],
    dataDirEnv: ['POSTGRESQL_DATA_DIR'],
    slowStart: true,
    majorUpgradeNeedsMigration: true,
    source: 'https://hub.docker.com/r/bitnami/postgresql (Persisting your database)',
  },
  {
    product: 'MySQL',
    images: ['mysql', 'mysql/mysql-server', 'percona', 'percona/percona-server'],
    dataDirs: ['/var/lib/mysql'],
    dataDirFlags: ['--datadir'],
    slowStart: true,
    majorUpgradeNeedsMigration: true,
    source: 'https://hub.docker.com/_/mysql (Where to Store Data)',
  },
  {
    product: 'MariaDB',
    images: ['mariadb'],
    dataDirs: ['/var/lib/mysql'],
    dataDirFlags: ['--datadir'],
    slowStart: true,
    majorUpgradeNeedsMigration: true,
    source: 'https://hub.docker.com/_/mariadb (Where to Store Data)',
  },
  {
    product: 'MySQL/MariaDB (Bitnami)',
    images: ['bitnami/mysql', 'bitnami/mariadb'],
    dataDirs: ['/bitnami/mysql', '/bitnami/mariadb'],
    slowStart: true,
    majorUpgradeNeedsMigration: true,
    source: 'https://hub.docker.com/r/bitnami/mysql',
  },
  {
    product: 'MongoDB',
    images: ['mongo', 'mongodb/mongodb-community-server', 'bitnami/mongodb'],
    dataDirs: ['/data/db'],
    dataDirFlags: ['--dbpath'],
    slowStart: true,
    majorUpgradeNeedsMigration: true,
    source: 'https://hub.docker.com/_/mongo (Where to Store Data; feature compatibility version)',
  },
  {
    product: 'Redis',
    images: ['redis', 'redis/redis-stack', 'redis/redis-stack-server', 'bitnami/redis'],
    dataDirs: ['/data'],
    dataDirFlags: ['--dir'],
    source: 'https://hub.docker.com/_/redis (start with persistent storage)',
  },
  {
    product: 'Valkey',
    images: ['valkey/valkey', 'bitnami/valkey'],
    dataDirs: ['/data'],
    dataDirFlags: ['--dir'],
    source: 'https://hub.docker.com/r/valkey/valkey',
  },
  {
    product: 'KeyDB',
    images: ['eqalpha/keydb'],
    dataDirs: ['/data'],
    dataDirFlags: ['--dir'],
    source: 'https://hub.docker.com/r/eqalpha/keydb',
  },
  {
    product: 'Elasticsearch',
    images: ['elasticsearch', 'elasticsearch/elasticsearch', 'bitnami/elasticsearch'],
    dataDirs: ['/usr/share/elasticsearch/data'],
    dataDirEnv: ['path.data'],
    slowStart: true,
    majorUpgradeNeedsMigration: true,
    source: 'https://www.elastic.co/guide/en/elasticsearch/reference/current/docker.html (persistent data)',
  },
  {
    product: 'OpenSearch',
    images: ['opensearchproject/opensearch'],
    dataDirs: ['/usr/share/opensearch/data'],
    slowStart: true,
    majorUpgradeNeedsMigration: true,
    source: 'https://opensearch.org/docs/latest/install-and-configure/install-opensearch/docker/',
  },
  {
    product: 'RabbitMQ',
    images: ['rabbitmq', 'bitnami/rabbitmq'],
    dataDirs: ['/var/lib/rabbitmq'],
    dataDirEnv: ['RABBITMQ_MNESIA_BASE'],
    slowStart: true,
    majorUpgradeNeedsMigration: true,
    source: 'https://hub.docker.com/_/rabbitmq (hostname and data)',
  },
  {
    product: 'MinIO',
    images: ['minio/minio', 'bitnami/minio', 'quay.io/minio/minio'],
    dataDirs: ['/data'],
    dataDirArgAfter: ['server'],
    source: 'https://min.io/docs/minio/container/index.html (server /data)',
  },
  {
    product: 'Qdrant',
    images: ['qdrant/qdrant'],
    dataDirs: ['/qdrant/storage'],
    dataDirEnv: ['QDRANT__STORAGE__STORAGE_PATH'],
    source: 'https://qdrant.tech/documentation/guides/installation/ (storage volume)',
  },
  {
    product: 'ClickHouse',
    images: ['clickhouse/clickhouse-server', 'yandex/clickhouse-server', 'clickhouse'],
    dataDirs: ['/var/lib/clickhouse'],
    slowStart: true,
    source: 'https://hub.docker.com/r/clickhouse/clickhouse-server (volumes)',
  },
  {
    product: 'InfluxDB',
    images: ['influxdb'],
    dataDirs: ['/var/lib/influxdb2', '/var/lib/influxdb'],
    majorUpgradeNeedsMigration: true,
    source: 'https://hub.docker.com/_/influxdb (data directory)',
  },
  {
    product: 'etcd',
    images: ['etcd', 'quay.io/coreos/etcd', 'bitnami/etcd', 'coreos/etcd'],
    dataDirs: ['/etcd-data', '/bitnami/etcd'],
    dataDirEnv: ['ETCD_DATA_DIR'],
    dataDirFlags: ['--data-dir'],
    source: 'https://etcd.io/docs/latest/op-guide/container/',
  },
  {
    product: 'NATS JetStream',
    images: ['nats', 'bitnami/nats'],
    dataDirs: ['/data', '/tmp/nats/jetstream'],
    dataDirFlags: ['--store_dir', '-sd'],
    statefulWhenCommand: /(^|\s)(-js|--jetstream)(\s|$)|jetstream/i,
    source: 'https://docs.nats.io/running-a-nats-service/nats_docker/jetstream_docker',
  },
  {
    product: 'Grafana',
    images: ['grafana/grafana', 'grafana/grafana-oss', 'grafana/grafana-enterprise', 'bitnami/grafana'],
    dataDirs: ['/var/lib/grafana'],
    dataDirEnv: ['GF_PATHS_DATA'],
    application: true,
    quickShutdown: true,
    source: 'https://grafana.com/docs/grafana/latest/setup-grafana/installation/docker/ (persistent storage)',
  },
  {
    product: 'Prometheus',
    images: ['prom/prometheus', 'bitnami/prometheus'],
    dataDirs: ['/prometheus'],
    dataDirFlags: ['--storage.tsdb.path'],
    source: 'https://prometheus.io/docs/prometheus/latest/installation/ (volumes & bind-mount)',
  },
  {
    product: 'Vault',
    images: ['hashicorp/vault', 'vault'],
    dataDirs: ['/vault/file', '/vault/data'],
    source: 'https://hub.docker.com/r/hashicorp/vault (/vault/file)',
  },
  {
    product: 'Neo4j',
    images: ['neo4j'],
    dataDirs: ['/data'],
    slowStart: true,
    majorUpgradeNeedsMigration: true,
    source: 'https://neo4j.com/docs/operations-manual/current/docker/mounting-volumes/',
  },
  {
    product: 'Cassandra',
    images: ['cassandra', 'bitnami/cassandra'],
    dataDirs: ['/var/lib/cassandra'],
    slowStart: true,
    majorUpgradeNeedsMigration: true,
    source: 'https://hub.docker.com/_/cassandra (Where to Store Data)',
  },
  {
    product: 'CouchDB',
    images: ['couchdb', 'apache/couchdb'],
    dataDirs: ['/opt/couchdb/data'],
    source: 'https://hub.docker.com/_/couchdb (Persistent data)',
  },
  {
    product: 'Meilisearch',
    images: ['getmeili/meilisearch'],
    dataDirs: ['/meili_data'],
    dataDirEnv: ['MEILI_DB_PATH'],
    dataDirFlags: ['--db-path'],
    majorUpgradeNeedsMigration: true,
    source: 'https://www.meilisearch.com/docs/learn/self_hosted/install_meilisearch_locally (Docker)',
  },
  {
    product: 'Weaviate',
    images: ['semitechnologies/weaviate', 'cr.weaviate.io/semitechnologies/weaviate'],
    dataDirs: ['/var/lib/weaviate'],
    dataDirEnv: ['PERSISTENCE_DATA_PATH'],
    source: 'https://weaviate.io/developers/weaviate/installation/docker-compose (PERSISTENCE_DATA_PATH)',
  },
  {
    product: 'Chroma',
    images: ['chromadb/chroma'],
    dataDirs: ['/chroma/chroma', '/data'],
    dataDirEnv: ['PERSIST_DIRECTORY'],
    source: 'https://docs.trychroma.com/production/containers/docker',
  },
  {
    product: 'Milvus',
    images: ['milvusdb/milvus'],
    dataDirs: ['/var/lib/milvus'],
    source: 'https://milvus.io/docs/install_standalone-docker-compose.md',
  },
  {
    product: 'Gitea',
    images: ['gitea/gitea'],
    dataDirs: ['/data'],
    application: true,
    quickShutdown: true,
    source: 'https://docs.gitea.com/installation/install-with-docker (volumes)',
  },
  {
    product: 'Forgejo',
    images: ['forgejo/forgejo', 'codeberg.org/forgejo/forgejo'],
    dataDirs: ['/data'],
    application: true,
    quickShutdown: true,
    source: 'https://forgejo.org/docs/latest/admin/installation-docker/',
  },
  {
    product: 'Nextcloud',
    images: ['nextcloud'],
    dataDirs: ['/var/www/html'],
    application: true,
    quickShutdown: true,
    source: 'https://hub.docker.com/_/nextcloud (Persistent data)',
  },
  {
    product: 'WordPress',
    images: ['wordpress', 'bitnami/wordpress'],
    dataDirs: ['/var/www/html'],
    application: true,
    quickShutdown: true,
    source: 'https://hub.docker.com/_/wordpress (wp-content persistence)',
  },
  {
    product: 'Ghost',
    images: ['ghost'],
    dataDirs: ['/var/lib/ghost/content'],
    application: true,
    quickShutdown: true,
    source: 'https://hub.docker.com/_/ghost (Stateful)',
  },
  {
    product: 'n8n',
    images: ['n8nio/n8n', 'docker.n8n.io/n8nio/n8n'],
    dataDirs: ['/home/node/.n8n'],
    dataDirEnv: ['N8N_USER_FOLDER'],
    application: true,
    quickShutdown: true,
    source: 'https://docs.n8n.io/hosting/installation/docker/ (n8n_data volume)',
  },
  {
    product: 'Ollama',
    images: ['ollama/ollama'],
    dataDirs: ['/root/.ollama'],
    dataDirEnv: ['OLLAMA_MODELS'],
    quickShutdown: true,
    source: 'https://hub.docker.com/r/ollama/ollama (-v ollama:/root/.ollama)',
  },
  {
    product: 'Open WebUI',
    images: ['open-webui/open-webui', 'ghcr.io/open-webui/open-webui'],
    dataDirs: ['/app/backend/data'],
    dataDirEnv: ['DATA_DIR'],
    application: true,
    quickShutdown: true,
    source: 'https://docs.openwebui.com/getting-started/quick-start (open-webui volume)',
  },
  {
    product: 'Mosquitto',
    images: ['eclipse-mosquitto'],
    dataDirs: ['/mosquitto/data'],
    source: 'https://hub.docker.com/_/eclipse-mosquitto (Directories)',
  },
  {
    product: 'Kafka',
    images: ['apache/kafka', 'bitnami/kafka', 'confluentinc/cp-kafka'],
    dataDirs: ['/var/lib/kafka/data', '/bitnami/kafka', '/tmp/kafka-logs'],
    dataDirEnv: ['KAFKA_LOG_DIRS'],
    slowStart: true,
    source: 'https://hub.docker.com/r/apache/kafka',
  },
  {
    product: 'ZooKeeper',
    images: ['zookeeper', 'bitnami/zookeeper', 'confluentinc/cp-zookeeper'],
    dataDirs: ['/data', '/datalog', '/bitnami/zookeeper', '/var/lib/zookeeper/data'],
    source: 'https://hub.docker.com/_/zookeeper (Where to store data)',
  },
  {
    product: 'Memgraph',
    images: ['memgraph/memgraph', 'memgraph/memgraph-platform'],
    dataDirs: ['/var/lib/memgraph'],
    source: 'https://memgraph.com/docs/getting-started/install-memgraph/docker',
  },
  {
    product: 'SurrealDB',
    images: ['surrealdb/surrealdb'],
    dataDirs: ['/data'],
    source: 'https://surrealdb.com/docs/surrealdb/installation/running/docker',
  },
  {
    product: 'CockroachDB',
    images: ['cockroachdb/cockroach'],
    dataDirs: ['/cockroach/cockroach-data'],
    dataDirFlags: ['--store'],
    slowStart: true,
    majorUpgradeNeedsMigration: true,
    source: 'https://www.cockroachlabs.com/docs/stable/start-a-local-cluster-in-docker-linux',
  },
  {
    product: 'Loki',
    images: ['grafana/loki'],
    dataDirs: ['/loki'],
    source: 'https://grafana.com/docs/loki/latest/setup/install/docker/',
  },
  {
    product: 'Typesense',
    images: ['typesense/typesense'],
    dataDirs: ['/data'],
    dataDirFlags: ['--data-dir'],
    source: 'https://typesense.org/docs/guide/install-typesense.html (docker)',
  },
  {
    product: 'Bitcoin Core',
    images: ['ruimarinho/bitcoin-core', 'bitcoin/bitcoin'],
    dataDirs: ['/home/bitcoin/.bitcoin'],
    dataDirFlags: ['-datadir'],
    source: 'https://hub.docker.com/r/ruimarinho/bitcoin-core',
  },
  {
    product: 'Geth',
    images: ['ethereum/client-go'],
    dataDirs: ['/root/.ethereum'],
    dataDirFlags: ['--datadir'],
    slowStart: true,
    source: 'https://geth.ethereum.org/docs/getting-started/installing-geth (docker)',
  },
];

/** A table entry by product name (for rules and tables keyed by product). */
export function statefulProduct(product: string): StatefulImage | undefined {
  return STATEFUL_IMAGES.find((e) => e.product === product);
}
