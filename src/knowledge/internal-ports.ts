/**
 * Ports of data stores, caches, queues and admin UIs that are meant for the app's own containers,
 * not for the internet, and what shows that a service has authentication on them. One entry per
 * product; `images` are matched by knowledge/image.ts's `matchImage`. Each entry names its source:
 * the image's documentation of its ports and of how authentication is turned on.
 *
 * Products whose image cannot start without credentials and has no switch to turn them off
 * (RabbitMQ's `guest` only logs in from localhost, CouchDB 3 refuses to start without an admin,
 * MinIO, Vault, pgAdmin, Typesense) are left out: a published port of theirs always asks for a login.
 */
import type { ImageEntry } from './image.js';

/**
 * An environment variable that shows authentication (or its absence), optionally only with a value matching `value`.
 */
export interface EnvSign {
  name: string;
  value?: RegExp;
}

export interface InternalPortEntry extends ImageEntry {
  product: string;
  kind: 'database' | 'cache' | 'queue' | 'search engine' | 'admin UI';
  /** Container ports the product listens on for its clients (`what` says which). */
  ports: { port: number; what: string }[];
  /** The image turns authentication on by default (it refuses to start without credentials). */
  authByDefault?: boolean;
  /**
   * From this major version of the image's tag on, authentication is on by default (as
   * `authByDefault`); an older or unreadable tag needs a sign. `source` says where the change is documented.
   */
  authByDefaultSince?: { major: number; source: string };
  /** Environment variables that turn authentication on. */
  authEnv?: EnvSign[];
  /** A command-line pattern that turns authentication on, or points at a config file that may (`redis.conf`). */
  authCommand?: RegExp;
  /** Environment settings that turn authentication off (win over everything else). */
  noAuthEnv?: EnvSign[];
  source: string;
}

const BITNAMI_EMPTY_PASSWORD: EnvSign = { name: 'ALLOW_EMPTY_PASSWORD', value: /^(yes|true|1)$/i };

export const INTERNAL_PORTS: InternalPortEntry[] = [
  {
    product: 'PostgreSQL',
    kind: 'database',
    images: ['postgres', 'postgis/postgis', 'timescale/timescaledb', 'pgvector/pgvector', 'supabase/postgres'],
    ports: [{ port: 5432, what: 'PostgreSQL' }],
    // The entrypoint refuses to initialise without POSTGRES_PASSWORD unless auth is set to trust.
    authByDefault: true,
    noAuthEnv: [{ name: 'POSTGRES_HOST_AUTH_METHOD', value: /^trust$/i }],
    source: 'https://hub.docker.com/_/postgres (POSTGRES_PASSWORD, POSTGRES_HOST_AUTH_METHOD)',
  },
  {
    product: 'PostgreSQL (Bitnami)',
    kind: 'database',
    images: ['bitnami/postgresql'],
    ports: [{ port: 5432, what: 'PostgreSQL' }],
    authByDefault: true,
    noAuthEnv: [BITNAMI_EMPTY_PASSWORD],
    source: 'https://hub.docker.com/r/bitnami/postgresql (ALLOW_EMPTY_PASSWORD)',
  },
  {
    product: 'MySQL',
    kind: 'database',
    images: ['mysql', 'mysql/mysql-server', 'percona', 'percona/percona-server'],
    ports: [
      { port: 3306, what: 'MySQL' },
      { port: 33060, what: 'MySQL X protocol' },
    ],
    // The entrypoint refuses to start without a root password option.
    authByDefault: true,
    noAuthEnv: [{ name: 'MYSQL_ALLOW_EMPTY_PASSWORD', value: /./ }],
    source: 'https://hub.docker.com/_/mysql (MYSQL_ROOT_PASSWORD, MYSQL_ALLOW_EMPTY_PASSWORD)',
  },
  {
    product: 'MariaDB',
    kind: 'database',
    images: ['mariadb'],
    ports: [{ port: 3306, what: 'MariaDB' }],
    authByDefault: true,
    noAuthEnv: [
      { name: 'MARIADB_ALLOW_EMPTY_ROOT_PASSWORD', value: /./ },
      { name: 'MYSQL_ALLOW_EMPTY_PASSWORD', value: /./ },
    ],
    source: 'https://hub.docker.com/_/mariadb (MARIADB_ROOT_PASSWORD, MARIADB_ALLOW_EMPTY_ROOT_PASSWORD)',
  },
  {
    product: 'MySQL/MariaDB (Bitnami)',
    kind: 'database',
    images: ['bitnami/mysql', 'bitnami/mariadb'],
    ports: [{ port: 3306, what: 'MySQL' }],
    authByDefault: true,
    noAuthEnv: [BITNAMI_EMPTY_PASSWORD],
    source: 'https://hub.docker.com/r/bitnami/mysql (ALLOW_EMPTY_PASSWORD)',
  },
  {
    product: 'MongoDB',
    kind: 'database',
    images: ['mongo', 'mongodb/mongodb-community-server'],
    ports: [{ port: 27017, what: 'MongoDB' }],
    authEnv: [
      { name: 'MONGO_INITDB_ROOT_USERNAME' },
      { name: 'MONGO_INITDB_ROOT_PASSWORD' },
      { name: 'MONGO_INITDB_ROOT_PASSWORD_FILE' },
      { name: 'MONGODB_INITDB_ROOT_USERNAME' },
    ],
    authCommand: /(?:^|\s)--(?:auth|keyFile)\b/,
    source: 'https://hub.docker.com/_/mongo (MONGO_INITDB_ROOT_USERNAME/PASSWORD enable --auth)',
  },
  {
    product: 'MongoDB (Bitnami)',
    kind: 'database',
    images: ['bitnami/mongodb'],
    ports: [{ port: 27017, what: 'MongoDB' }],
    authByDefault: true,
    noAuthEnv: [BITNAMI_EMPTY_PASSWORD],
    source: 'https://hub.docker.com/r/bitnami/mongodb (ALLOW_EMPTY_PASSWORD)',
  },
  {
    product: 'Redis',
    kind: 'cache',
    images: ['redis', 'redis/redis-stack-server', 'redis/redis-stack', 'valkey/valkey', 'eqalpha/keydb'],
    ports: [
      { port: 6379, what: 'Redis' },
      { port: 8001, what: 'RedisInsight (redis-stack)' },
    ],
    authEnv: [{ name: 'REDIS_ARGS', value: /--requirepass|--aclfile/ }],
    // The official image starts with protected mode off and no password; a config file may set one.
    authCommand: /--requirepass|--aclfile|\.conf\b/,
    source:
      'https://hub.docker.com/_/redis (Security: "protected-mode is off by default"; requirepass); ' +
      'https://redis.io/docs/latest/operate/oss_and_stack/install/install-stack/docker/ (REDIS_ARGS)',
  },
  {
    product: 'Redis/Valkey (Bitnami)',
    kind: 'cache',
    images: ['bitnami/redis', 'bitnami/valkey'],
    ports: [{ port: 6379, what: 'Redis' }],
    authByDefault: true,
    noAuthEnv: [BITNAMI_EMPTY_PASSWORD],
    source: 'https://hub.docker.com/r/bitnami/redis (REDIS_PASSWORD, ALLOW_EMPTY_PASSWORD)',
  },
  {
    product: 'Memcached',
    kind: 'cache',
    images: ['memcached', 'bitnami/memcached'],
    ports: [{ port: 11211, what: 'Memcached' }],
    authEnv: [{ name: 'MEMCACHED_PASSWORD' }],
    authCommand: /(?:^|\s)(?:-S|--enable-sasl)\b/,
    source:
      'https://github.com/memcached/memcached/wiki/SASLHowto (-S); https://hub.docker.com/r/bitnami/memcached ' +
      '(MEMCACHED_PASSWORD)',
  },
  {
    product: 'Elasticsearch',
    kind: 'search engine',
    images: ['elasticsearch', 'elasticsearch/elasticsearch', 'docker.elastic.co/elasticsearch/elasticsearch'],
    ports: [
      { port: 9200, what: 'Elasticsearch HTTP' },
      { port: 9300, what: 'Elasticsearch transport' },
    ],
    // 8.0 turned security on by default: the first start generates the elastic user's password.
    authByDefaultSince: {
      major: 8,
      source:
        'https://www.elastic.co/guide/en/elasticsearch/reference/8.0/configuring-stack-security.html ("security ' +
        'is enabled and configured automatically"); ' +
        'https://www.elastic.co/guide/en/elasticsearch/reference/8.0/docker.html',
    },
    authEnv: [{ name: 'ELASTIC_PASSWORD' }, { name: 'xpack.security.enabled', value: /^true$/i }],
    noAuthEnv: [{ name: 'xpack.security.enabled', value: /^false$/i }],
    source:
      'https://www.elastic.co/guide/en/elasticsearch/reference/current/docker.html (ELASTIC_PASSWORD, ' +
      'xpack.security.enabled)',
  },
  {
    product: 'OpenSearch',
    kind: 'search engine',
    images: ['opensearchproject/opensearch'],
    ports: [
      { port: 9200, what: 'OpenSearch HTTP' },
      { port: 9600, what: 'OpenSearch performance analyzer' },
    ],
    authByDefault: true,
    noAuthEnv: [
      { name: 'DISABLE_SECURITY_PLUGIN', value: /^true$/i },
      { name: 'plugins.security.disabled', value: /^true$/i },
    ],
    source:
      'https://opensearch.org/docs/latest/install-and-configure/install-opensearch/docker/ (DISABLE_SECURITY_PLUGIN)',
  },
  {
    product: 'Kafka',
    kind: 'queue',
    images: ['apache/kafka', 'bitnami/kafka', 'confluentinc/cp-kafka'],
    ports: [{ port: 9092, what: 'Kafka' }],
    authEnv: [
      { name: 'KAFKA_LISTENER_SECURITY_PROTOCOL_MAP', value: /SASL/i },
      { name: 'KAFKA_CFG_LISTENER_SECURITY_PROTOCOL_MAP', value: /SASL/i },
    ],
    source:
      'https://kafka.apache.org/documentation/#security_sasl (listener.security.protocol.map; PLAINTEXT has no ' +
      'authentication)',
  },
  {
    product: 'ZooKeeper',
    kind: 'queue',
    images: ['zookeeper', 'bitnami/zookeeper', 'confluentinc/cp-zookeeper'],
    ports: [{ port: 2181, what: 'ZooKeeper client' }],
    authEnv: [{ name: 'ZOO_ENABLE_AUTH', value: /^(yes|true)$/i }],
    source: 'https://hub.docker.com/_/zookeeper; https://hub.docker.com/r/bitnami/zookeeper (ZOO_ENABLE_AUTH)',
  },
  {
    product: 'NATS',
    kind: 'queue',
    images: ['nats', 'bitnami/nats'],
    ports: [
      { port: 4222, what: 'NATS client' },
      { port: 8222, what: 'NATS monitoring' },
    ],
    authEnv: [{ name: 'NATS_PASSWORD' }, { name: 'NATS_TOKEN' }],
    // A config file (-c) may hold an authorization block.
    authCommand: /(?:^|\s)(?:--user|--auth|--pass|-c|--config)\b/,
    source:
      'https://docs.nats.io/running-a-nats-service/introduction/flags (--user, --pass, --auth); ' +
      'https://hub.docker.com/_/nats',
  },
  {
    product: 'etcd',
    kind: 'database',
    images: ['etcd', 'quay.io/coreos/etcd', 'coreos/etcd', 'bitnami/etcd'],
    ports: [
      { port: 2379, what: 'etcd client' },
      { port: 2380, what: 'etcd peer' },
    ],
    authEnv: [{ name: 'ETCD_ROOT_PASSWORD' }],
    authCommand: /--client-cert-auth\b/,
    source:
      'https://etcd.io/docs/latest/op-guide/authentication/ (off by default); ' +
      'https://hub.docker.com/r/bitnami/etcd (ETCD_ROOT_PASSWORD)',
  },
  {
    product: 'Cassandra',
    kind: 'database',
    images: ['cassandra'],
    ports: [{ port: 9042, what: 'Cassandra CQL' }],
    source:
      'https://cassandra.apache.org/doc/latest/cassandra/managing/operating/security.html ' +
      '(AllowAllAuthenticator by default)',
  },
  {
    product: 'Neo4j',
    kind: 'database',
    images: ['neo4j'],
    ports: [
      { port: 7474, what: 'Neo4j HTTP' },
      { port: 7687, what: 'Neo4j Bolt' },
    ],
    authByDefault: true,
    noAuthEnv: [{ name: 'NEO4J_AUTH', value: /^none$/i }],
    source:
      'https://neo4j.com/docs/operations-manual/current/docker/introduction/ (NEO4J_AUTH=none disables authentication)',
  },
  {
    product: 'Qdrant',
    kind: 'database',
    images: ['qdrant/qdrant'],
    ports: [
      { port: 6333, what: 'Qdrant HTTP' },
      { port: 6334, what: 'Qdrant gRPC' },
    ],
    authEnv: [{ name: 'QDRANT__SERVICE__API_KEY' }],
    source:
      'https://qdrant.tech/documentation/guides/security/ (no authentication by default; QDRANT__SERVICE__API_KEY)',
  },
  {
    product: 'Meilisearch',
    kind: 'search engine',
    images: ['getmeili/meilisearch'],
    ports: [{ port: 7700, what: 'Meilisearch' }],
    authEnv: [{ name: 'MEILI_MASTER_KEY' }],
    authCommand: /--master-key\b/,
    source: 'https://www.meilisearch.com/docs/learn/security/basic_security (MEILI_MASTER_KEY)',
  },
  {
    product: 'Weaviate',
    kind: 'database',
    images: ['semitechnologies/weaviate', 'cr.weaviate.io/semitechnologies/weaviate'],
    ports: [
      { port: 8080, what: 'Weaviate HTTP' },
      { port: 50051, what: 'Weaviate gRPC' },
    ],
    authEnv: [
      { name: 'AUTHENTICATION_APIKEY_ENABLED', value: /^true$/i },
      { name: 'AUTHENTICATION_OIDC_ENABLED', value: /^true$/i },
    ],
    source:
      'https://weaviate.io/developers/weaviate/configuration/authentication (anonymous access unless API key or ' +
      'OIDC is enabled)',
  },
  {
    product: 'Chroma',
    kind: 'database',
    images: ['chromadb/chroma'],
    ports: [{ port: 8000, what: 'Chroma' }],
    authEnv: [{ name: 'CHROMA_SERVER_AUTHN_PROVIDER' }],
    source: 'https://docs.trychroma.com/production/administration/auth (CHROMA_SERVER_AUTHN_PROVIDER)',
  },
  {
    product: 'Prometheus',
    kind: 'admin UI',
    images: ['prom/prometheus', 'bitnami/prometheus'],
    ports: [{ port: 9090, what: 'Prometheus UI and API' }],
    authCommand: /--web\.config\.file\b/,
    source: 'https://prometheus.io/docs/prometheus/latest/configuration/https/ (basic auth via --web.config.file)',
  },
  {
    product: 'Mongo Express',
    kind: 'admin UI',
    images: ['mongo-express'],
    ports: [{ port: 8081, what: 'Mongo Express' }],
    authEnv: [{ name: 'ME_CONFIG_BASICAUTH_USERNAME' }, { name: 'ME_CONFIG_BASICAUTH_PASSWORD' }],
    noAuthEnv: [{ name: 'ME_CONFIG_BASICAUTH', value: /^false$/i }],
    source:
      'https://hub.docker.com/_/mongo-express (ME_CONFIG_BASICAUTH_USERNAME/PASSWORD; the default admin:pass is ' +
      'public)',
  },
  {
    product: 'Redis Commander',
    kind: 'admin UI',
    images: ['rediscommander/redis-commander', 'ghcr.io/joeferner/redis-commander'],
    ports: [{ port: 8081, what: 'Redis Commander' }],
    authEnv: [{ name: 'HTTP_PASSWORD' }, { name: 'HTTP_PASSWORD_HASH' }, { name: 'HTTP_PASSWORD_FILE' }],
    source: 'https://github.com/joeferner/redis-commander#environment-variables (HTTP_USER, HTTP_PASSWORD)',
  },
  {
    product: 'RedisInsight',
    kind: 'admin UI',
    images: ['redis/redisinsight', 'redislabs/redisinsight'],
    ports: [
      { port: 5540, what: 'RedisInsight' },
      { port: 8001, what: 'RedisInsight (v1)' },
    ],
    source: 'https://redis.io/docs/latest/operate/redisinsight/install/install-on-docker/ (port 5540, no login)',
  },
  {
    product: 'Kafka UI',
    kind: 'admin UI',
    images: ['provectuslabs/kafka-ui', 'kafbat/kafka-ui', 'ghcr.io/kafbat/kafka-ui'],
    ports: [{ port: 8080, what: 'Kafka UI' }],
    authEnv: [{ name: 'AUTH_TYPE', value: /^(?!disabled$)./i }],
    source: 'https://docs.kafka-ui.provectus.io/configuration/authentication (AUTH_TYPE; none by default)',
  },
];
