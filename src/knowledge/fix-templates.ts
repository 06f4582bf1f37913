/**
 * What `preflight fix` writes where a rule's fix adds configuration: a readiness probe per known
 * image (healthcheck-missing) and the node-exporter sidecar (no-metrics-exporter). Each probe is the
 * one the product documents, runs a client the image ships, and needs no credentials; an image not
 * in the table gets no probe (the fix is refused: only the app's author knows its health endpoint).
 */
import type { ImageEntry } from './image.js';

export interface ProbeTemplate extends ImageEntry {
  product: string;
  /** The healthcheck `test` (CMD or CMD-SHELL form; `$$` is a literal `$` for the container's shell). */
  test: string[];
  /** Takes long to start or to recover after an unclean stop (a start period spares it the retries). */
  slowStart?: boolean;
  source: string;
}

export const PROBE_TEMPLATES: readonly ProbeTemplate[] = [
  {
    product: 'PostgreSQL',
    images: ['postgres', 'postgis/postgis', 'timescale/timescaledb', 'pgvector/pgvector', 'timescale/timescaledb-ha'],
    test: ['CMD-SHELL', 'pg_isready -U "$${POSTGRES_USER:-postgres}"'],
    slowStart: true,
    source:
      'https://www.postgresql.org/docs/current/app-pg-isready.html ("It is not necessary to supply correct user ' +
      'name, password, or database name values to obtain the server status")',
  },
  {
    product: 'MySQL',
    images: ['mysql', 'percona/percona-server'],
    test: ['CMD', 'mysqladmin', 'ping', '-h', 'localhost'],
    slowStart: true,
    source:
      'https://dev.mysql.com/doc/refman/8.4/en/mysqladmin.html (ping: "The return status from mysqladmin is 0 ' +
      'if the server is running, 1 if it is not. This is 0 even in case of an error such as Access denied")',
  },
  {
    product: 'MariaDB',
    images: ['mariadb'],
    test: ['CMD', 'healthcheck.sh', '--connect', '--innodb_initialized'],
    slowStart: true,
    source: 'https://mariadb.com/kb/en/using-healthcheck-sh/ (shipped in the official image since 10.4)',
  },
  {
    product: 'Redis',
    images: ['redis', 'redis/redis-stack-server', 'bitnami/redis'],
    test: ['CMD', 'redis-cli', 'ping'],
    source: 'https://redis.io/docs/latest/commands/ping/ (PONG when the server is up)',
  },
  {
    product: 'Valkey',
    images: ['valkey/valkey', 'bitnami/valkey'],
    test: ['CMD', 'valkey-cli', 'ping'],
    source: 'https://valkey.io/commands/ping/',
  },
  {
    product: 'MongoDB',
    images: ['mongo'],
    test: ['CMD', 'mongosh', '--quiet', '--eval', "db.adminCommand('ping')"],
    slowStart: true,
    source:
      'https://www.mongodb.com/docs/manual/reference/command/ping/ (mongosh is in the official image from 5.0 ' +
      'on; the legacy mongo shell is gone from 6.0)',
  },
  {
    product: 'RabbitMQ',
    images: ['rabbitmq'],
    test: ['CMD', 'rabbitmq-diagnostics', '-q', 'ping'],
    slowStart: true,
    source: 'https://www.rabbitmq.com/docs/monitoring#health-checks (stage 1: rabbitmq-diagnostics -q ping)',
  },
];

/** The probe timings the fix writes: a failure is seen in under a minute; a slow starter gets a start period. */
export const PROBE_TIMINGS = { interval: '10s', timeout: '5s', retries: 5 } as const;
export const SLOW_START_PERIOD = '30s';

/**
 * The node-exporter sidecar as its README's Docker section runs it — the host's root mounted
 * read-only with `rslave` propagation, `--path.rootfs=/host`, the host PID namespace — without
 * `network_mode: host`: in a CVM the host network would put port 9100 on the guest, where the
 * gateway serves any port to anyone; it is scraped over the compose network instead.
 */
export const NODE_EXPORTER_SERVICE = {
  name: 'node-exporter',
  definition: {
    image: 'quay.io/prometheus/node-exporter:v1.9.1',
    command: ['--path.rootfs=/host'],
    pid: 'host',
    restart: 'unless-stopped',
    volumes: ['/:/host:ro,rslave'],
  },
  comment: 'host metrics on :9100 of the compose network; scrape them through an authenticated route',
  /**
   * The setup: the README's Docker section. The tag: v1.9.1 is a release (tag commit f2ec547b, 2025-04-01;
   * the prometheus-node-exporter Helm chart, which pulls quay.io/prometheus/node-exporter, ships it as its
   * appVersion), and node_exporter's release CI pushes every vX.Y.Z tag as quay.io/prometheus/node-exporter:vX.Y.Z
   * (and prom/node-exporter:vX.Y.Z).
   */
  source: [
    'https://github.com/prometheus/node_exporter#docker',
    'https://github.com/prometheus/node_exporter/releases/tag/v1.9.1',
    'https://github.com/prometheus-community/helm-charts/blob/02293d182c5c4e355100eef79aa8f433789f208f' +
      '/charts/prometheus-node-exporter/Chart.yaml (appVersion: 1.9.1)',
    'https://github.com/prometheus/node_exporter/blob/002c1ca02917406cbecc457162e2bdb1f29c2f49' +
      '/.circleci/config.yml (QUAY_IMAGE_NAME: quay.io/prometheus/node-exporter, DOCKER_IMAGE_TAG=$CIRCLE_TAG)',
  ].join('; '),
} as const;
