/**
 * Real-world compose files as regression cases for the noise rules (issue 9): each case is a
 * minimal reproduction, written for this test, of one pattern a public project's compose file
 * shows (`source` names the file and the commit it was read at). `expect` gives, per rule, how
 * many findings `check` must report and what the first one says; `quiet` lists rules that must
 * report nothing (the noise the case guards against). Rules in neither list are not asserted.
 * The shared corpus is never copied here.
 */
export interface RealWorldCase {
  name: string;
  source: string;
  /** The pattern the case reproduces, and the judgement. */
  pattern: string;
  files: Record<string, string>;
  expect: Record<string, { count: number; message?: string }>;
  quiet: string[];
}

export const REAL_WORLD_CASES: RealWorldCase[] = [
  {
    name: 'cal.com: an unauthenticated Redis published on a variable port, postgres without a tag',
    source: 'calcom/docker docker-compose.yaml @4d6a0c4',
    pattern:
      'redis:latest published as "${REDIS_PORT:-6379}:6379" with no password is reachable through the gateway (one finding); `postgres` untagged is 18+, whose data is not under /var/lib/postgresql/data',
    files: {
      'docker-compose.yml': `services:
  database:
    image: postgres
    restart: always
    volumes:
      - database-data:/var/lib/postgresql/data/
    environment:
      POSTGRES_PASSWORD: \${POSTGRES_PASSWORD:?set it}
  redis:
    image: redis:latest
    restart: always
    volumes:
      - redis-data:/data
    ports:
      - "\${REDIS_PORT:-6379}:6379"
volumes:
  database-data:
  redis-data:
`,
    },
    expect: {
      'published-internal-port': { count: 1, message: 'service "redis" (Redis, a cache) publishes port 6379' },
      'stateful-no-volume': { count: 1, message: 'database' },
    },
    quiet: ['no-metrics-exporter', 'public-sysinfo', 'plaintext-secret', 'required-env-unguarded'],
  },
  {
    name: 'Outline: its development Redis and Postgres bound to 127.0.0.1',
    source: 'outline/outline docker-compose.yml @d77dcdf853',
    pattern:
      'ports bound to loopback are not behind the gateway: no published-internal-port; the literal POSTGRES_PASSWORD is a true plaintext-secret',
    files: {
      'docker-compose.yml': `services:
  redis:
    image: redis:7
    ports:
      - "127.0.0.1:6379:6379"
  postgres:
    image: postgres:16
    ports:
      - "127.0.0.1:5432:5432"
    environment:
      POSTGRES_USER: user
      POSTGRES_PASSWORD: pass
      POSTGRES_DB: outline
`,
    },
    expect: { 'plaintext-secret': { count: 1, message: 'POSTGRES_PASSWORD' } },
    quiet: ['published-internal-port', 'no-metrics-exporter', 'public-sysinfo'],
  },
  {
    name: 'Mattermost: bare pass-through variables and an image named by variables',
    source: 'mattermost/docker docker-compose.yml @7d9d7bf',
    pattern:
      '`- POSTGRES_PASSWORD` with no value passes the variable through (a reference with no guard: one finding for the variable); `mattermost/${MATTERMOST_IMAGE}:${MATTERMOST_IMAGE_TAG}` lets the encrypted env pick the image',
    files: {
      'docker-compose.yml': `services:
  postgres:
    image: postgres:16
    restart: unless-stopped
    volumes:
      - pgdata:/var/lib/postgresql/data
    environment:
      - POSTGRES_USER
      - POSTGRES_PASSWORD
      - POSTGRES_DB
  mattermost:
    depends_on:
      - postgres
    image: mattermost/\${MATTERMOST_IMAGE}:\${MATTERMOST_IMAGE_TAG}
    restart: unless-stopped
    ports:
      - "8065:8065"
volumes:
  pgdata:
`,
    },
    expect: {
      'required-env-unguarded': { count: 1, message: 'POSTGRES_PASSWORD' },
      'image-from-variable': { count: 1, message: 'mattermost' },
    },
    quiet: ['depends-on-unhealthy', 'image-unpinned', 'published-internal-port'],
  },
  {
    name: 'Nextcloud AIO: the mastercontainer drives the engine and has a HEALTHCHECK in its image',
    source: 'nextcloud/all-in-one compose.yaml @50636f2a',
    pattern:
      'the image declares HEALTHCHECK (knowledge/healthcheck-images.ts): no healthcheck-missing; the docker socket mount is a true docker-socket finding; `network_mode: bridge` is not the host network',
    files: {
      'docker-compose.yml': `name: nextcloud-aio
services:
  nextcloud-aio-mastercontainer:
    image: ghcr.io/nextcloud-releases/all-in-one:20250325_084656
    init: true
    restart: always
    container_name: nextcloud-aio-mastercontainer
    volumes:
      - nextcloud_aio_mastercontainer:/mnt/docker-aio-config
      - /var/run/docker.sock:/var/run/docker.sock:ro
    network_mode: bridge
    ports:
      - "80:80"
      - "8080:8080"
volumes:
  nextcloud_aio_mastercontainer:
    name: nextcloud_aio_mastercontainer
`,
    },
    expect: { 'docker-socket': { count: 1, message: 'docker.sock' } },
    quiet: ['healthcheck-missing', 'host-namespace', 'no-metrics-exporter', 'public-sysinfo'],
  },
  {
    name: 'Audiobookshelf: four host folders beside the compose file',
    source: 'advplyr/audiobookshelf docker-compose.yml @1b46d6802',
    pattern: 'each `./folder` mount is its own line and its own problem (the folder is not shipped): four findings',
    files: {
      'docker-compose.yml': `services:
  audiobookshelf:
    image: ghcr.io/advplyr/audiobookshelf:2.19.5
    ports:
      - 13378:80
    volumes:
      - ./audiobooks:/audiobooks
      - ./podcasts:/podcasts
      - ./metadata:/metadata
      - ./config:/config
    restart: unless-stopped
`,
    },
    expect: { 'relative-bind-mount': { count: 4, message: './audiobooks' } },
    quiet: ['stateful-no-volume', 'no-metrics-exporter', 'public-sysinfo'],
  },
  {
    name: 'Uptime Kuma: one service, a data folder beside the file',
    source: 'louislam/uptime-kuma compose.yaml @6398a9581',
    pattern:
      'the smallest real app: only what is wrong in a CVM (the ./data folder is not shipped); no per-project advice findings',
    files: {
      'docker-compose.yml': `services:
  uptime-kuma:
    image: louislam/uptime-kuma:2.0.0
    restart: unless-stopped
    volumes:
      - ./data:/app/data
    ports:
      - "3001:3001"
`,
    },
    expect: { 'relative-bind-mount': { count: 1, message: './data' } },
    quiet: ['no-metrics-exporter', 'public-sysinfo', 'restart-policy', 'image-unpinned'],
  },
  {
    name: 'Elasticsearch 8 single node as the Elastic docs run it',
    source: 'elastic/elasticsearch docs/reference/setup/install/docker/docker-compose.yml (8.x)',
    pattern:
      'Elasticsearch 8 turns security on by default (the first start generates the password): a published 9200 is not an unauthenticated port',
    files: {
      'docker-compose.yml': `services:
  es01:
    image: docker.elastic.co/elasticsearch/elasticsearch:8.15.3
    restart: unless-stopped
    environment:
      - discovery.type=single-node
      - ES_JAVA_OPTS=-Xms1g -Xmx1g
    volumes:
      - esdata01:/usr/share/elasticsearch/data
    ports:
      - "9200:9200"
volumes:
  esdata01:
`,
    },
    expect: {},
    quiet: ['published-internal-port', 'stateful-no-volume'],
  },
  {
    name: 'A Phala Cloud app-compose.json with the default pre-launch script',
    source: 'Phala-Network/phala-cloud templates (app-compose.json as Phala Cloud writes it, v0.0.19 script)',
    pattern:
      "Phala Cloud's default script prepares nothing a container reads at start: no pre-launch-not-ordered on `restart: always` (a custom script would draw one)",
    files: {
      'app-compose.json': JSON.stringify(
        {
          manifest_version: 2,
          name: 'demo',
          runner: 'docker-compose',
          public_logs: false,
          public_sysinfo: false,
          kms_enabled: true,
          gateway_enabled: true,
          pre_launch_script: [
            '#!/bin/bash',
            'echo "----------------------------------------------"',
            'echo "Running Phala Cloud Pre-Launch Script v0.0.19"',
            'echo "----------------------------------------------"',
            'set -e',
            'docker image prune -af',
            'echo "----------------------------------------------"',
            'echo "Script execution completed"',
            'echo "----------------------------------------------"',
          ].join('\n'),
          docker_compose_file:
            // A worker takes no traffic, so restart-serves-old-version does not speak for its restart: line.
            'services:\n  worker:\n    image: ghcr.io/acme/worker:1.2.3\n    restart: always\n',
        },
        null,
        2,
      ),
    },
    expect: {},
    quiet: ['pre-launch-not-ordered', 'public-sysinfo', 'no-metrics-exporter'],
  },
  {
    name: 'Blinko (a Phala Cloud template): a password-protected Postgres published, probes more often than their timeout',
    source: 'Phala-Network/phala-cloud templates/prebuilt/blinko/docker-compose.yml @aed2c3e',
    pattern:
      'postgres refuses to start without POSTGRES_PASSWORD, so its published 5435 is not unauthenticated; `interval: 5s` with `timeout: 10s` hides nothing (the next probe starts when one ends), so the one healthcheck-timing finding is the true one: no start_period on a slow starter, unhealthy after 25 s while the web app waits for it; each unguarded variable is one finding, its second reference a related location',
    files: {
      'docker-compose.yml': `services:
  blinko-website:
    image: blinkospace/blinko:1.1.0
    environment:
      NEXTAUTH_SECRET: \${NEXTAUTH_SECRET}
      DATABASE_URL: postgresql://postgres:\${POSTGRES_PASSWORD}@postgres:5432/postgres
    depends_on:
      postgres:
        condition: service_healthy
    restart: always
    ports:
      - 1111:1111
    volumes:
      - blinko:/app/.blinko
    healthcheck:
      test: ["CMD", "wget", "--spider", "http://blinko-website:1111/"]
      interval: 30s
      timeout: 10s
      retries: 5
      start_period: 30s
  postgres:
    image: postgres:14
    restart: always
    ports:
      - 5435:5432
    environment:
      POSTGRES_PASSWORD: \${POSTGRES_PASSWORD}
    volumes:
      - db:/var/lib/postgresql/data
    healthcheck:
      test: ["CMD", "pg_isready", "-U", "postgres", "-d", "postgres"]
      interval: 5s
      timeout: 10s
      retries: 5
volumes:
  blinko:
  db:
`,
    },
    expect: {
      'required-env-unguarded': { count: 2, message: 'NEXTAUTH_SECRET' },
      'healthcheck-timing': { count: 1, message: 'has no start_period: it is marked unhealthy after 25s' },
    },
    quiet: ['published-internal-port', 'stateful-no-volume', 'healthcheck-missing'],
  },
  {
    name: 'Paperless-ngx with PostgreSQL 18 and Valkey',
    source: 'paperless-ngx/paperless-ngx docker/compose/docker-compose.postgres.yml @b0e0e8a35',
    pattern:
      'postgres 18 keeps its data under /var/lib/postgresql, where the volume is; valkey is a stateful image with its volume; the paperless image declares a HEALTHCHECK; the short-form depends_on on db and broker, which have no healthcheck, is a true healthcheck-missing each',
    files: {
      'docker-compose.yml': `services:
  broker:
    image: docker.io/valkey/valkey:9-alpine
    restart: unless-stopped
    volumes:
      - redisdata:/data
  db:
    image: docker.io/library/postgres:18
    restart: unless-stopped
    volumes:
      - pgdata:/var/lib/postgresql
    environment:
      POSTGRES_PASSWORD: \${POSTGRES_PASSWORD:?set it}
  webserver:
    image: ghcr.io/paperless-ngx/paperless-ngx:2.18
    restart: unless-stopped
    depends_on:
      - db
      - broker
    ports:
      - "8000:8000"
    volumes:
      - data:/usr/src/paperless/data
volumes:
  data:
  pgdata:
  redisdata:
`,
    },
    expect: { 'healthcheck-missing': { count: 2, message: 'is depended on by "webserver"' } },
    quiet: ['stateful-no-volume', 'published-internal-port', 'plaintext-secret'],
  },
];
