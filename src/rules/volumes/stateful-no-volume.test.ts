import { ruleTester } from '../rule-tester.js';
import { statefulNoVolume } from './stateful-no-volume.js';

ruleTester(statefulNoVolume, {
  valid: [
    {
      name: 'postgres with a named volume',
      compose: `
      services:
        db: { image: postgres:16, volumes: ["pgdata:/var/lib/postgresql/data"] }
      volumes: { pgdata: {} }
    `,
    },
    {
      name: 'PGDATA below a named volume',
      compose: `
      services:
        db:
          image: postgres:16
          environment: { PGDATA: /var/lib/postgresql/data/pgdata }
          volumes: ["pgdata:/var/lib/postgresql/data"]
      volumes: { pgdata: }
    `,
    },
    {
      name: 'PGDATA moved to where the volume is',
      compose: `
      services:
        db:
          image: postgres:16
          environment: [PGDATA=/pg]
          volumes: [{ type: volume, source: pg, target: /pg }]
      volumes: { pg: {} }
    `,
    },
    {
      name: 'a named volume at a parent directory',
      compose: `
      services:
        mongo: { image: mongo:7, volumes: ["mongo-data:/data"] }
      volumes: { mongo-data: {} }
    `,
    },
    {
      name: 'redis --dir moved onto the volume',
      compose: `
      services:
        cache: { image: redis:7, command: redis-server --dir /cache --appendonly yes, volumes: ["cache-data:/cache"] }
      volumes: { cache-data: {} }
    `,
    },
    {
      name: 'minio server /export with a volume there',
      compose: `
      services:
        s3: { image: minio/minio:RELEASE.2024-10-02T17-50-41Z, command: server /export, volumes: ["s3:/export"] }
      volumes: { s3: {} }
    `,
    },
    {
      name: 'NATS without JetStream keeps nothing',
      compose: `
      services:
        nats: { image: nats:2.10 }
    `,
    },
    {
      name: 'bind mount from the persistent disk',
      compose: `
      services:
        db: { image: mariadb:11, volumes: ["/dstack/persistent/mysql:/var/lib/mysql"] }
    `,
    },
    {
      name: 'bitnami image at its own path, registry-qualified',
      compose: `
      services:
        db: { image: docker.io/bitnami/postgresql:16, volumes: ["pg-data:/bitnami/postgresql"] }
      volumes: { pg-data: {} }
    `,
    },
    {
      name: 'stateless images',
      compose: `
      services:
        web: { image: nginx:1.27 }
        app: { build: . }
    `,
    },
    {
      name: "a bind mount or anonymous volume over the data directory is its own rule's finding, not a second one here",
      // relative-bind-mount / host-path-volatile / anonymous-volume / tmpfs-data report these with the data named.
      compose: `
      services:
        mysql: { image: mysql:8.4, volumes: ["./mysql:/var/lib/mysql"] }
        mongo: { image: mongo:7, volumes: ["/opt/mongo:/data/db"] }
        valkey: { image: valkey/valkey:8, volumes: ["/data"] }
        pg: { image: postgres:16, tmpfs: ["/var/lib/postgresql/data"] }
    `,
    },
    {
      name: 'postgres 18 with its volume at /var/lib/postgresql (Paperless-ngx docker-compose.postgres.yml)',
      // paperless-ngx/paperless-ngx docker/compose/docker-compose.postgres.yml: db: image:
      // docker.io/library/postgres:18,
      // volumes: [pgdata:/var/lib/postgresql]
      compose: `
      services:
        db:
          image: docker.io/library/postgres:18
          restart: unless-stopped
          volumes:
            - pgdata:/var/lib/postgresql
      volumes:
        pgdata:
    `,
    },
    {
      name: 'postgres 18 with PGDATA set under the old path keeps its data where the volume is',
      compose: `
      services:
        db:
          image: postgres:18-alpine
          environment: { PGDATA: /var/lib/postgresql/data/pgdata }
          volumes: ["pg:/var/lib/postgresql/data"]
      volumes: { pg: {} }
    `,
    },
    {
      name: "Zulip's own postgres image with its named volume (docker-zulip compose.yaml)",
      // zulip/docker-zulip compose.yaml: database: image: "zulip/zulip-postgresql:14",
      // volumes: ["postgresql-14:/var/lib/postgresql/data:rw"]
      compose: `
      services:
        database:
          image: "zulip/zulip-postgresql:14"
          volumes:
            - "postgresql-14:/var/lib/postgresql/data:rw"
      volumes:
        postgresql-14:
    `,
    },
    {
      name: 'Sentry self-hosted postgres: trust auth and a named volume (getsentry/self-hosted docker-compose.yml)',
      compose: `
      services:
        postgres:
          image: "postgres:14.11"
          command: ["postgres", "-c", "wal_level=logical"]
          environment:
            POSTGRES_HOST_AUTH_METHOD: "trust"
          volumes:
            - "sentry-postgres:/var/lib/postgresql/data"
      volumes:
        sentry-postgres:
    `,
    },
    {
      name: 'tools named after a data store keep no data (exporter, admin UI, backup job)',
      compose: `
      services:
        exporter: { image: prometheuscommunity/postgres-exporter:v0.15.0 }
        ui: { image: rediscommander/redis-commander:latest }
        backup:
          image: prodrigestivill/postgres-backup-local:16
          environment: { POSTGRES_HOST: db, POSTGRES_PASSWORD: "\${PG_PASS}" }
    `,
    },
    {
      name: 'an app that connects to postgres is not a postgres server',
      compose: `
      services:
        api:
          image: org/api:1.2
          environment:
            POSTGRES_PASSWORD: "\${PG_PASS}"
            POSTGRES_HOST: db
        built:
          build: .
          environment:
            POSTGRES_PASSWORD: "\${PG_PASS}"
    `,
    },
  ],
  invalid: [
    {
      name: 'postgres without any volume points at the image, and the hint names the path for its version',
      code: `
        services:
          db:
            image: postgres:16
      `,
      errors: [
        {
          line: 3,
          column: 12,
          service: 'db',
          messageId: 'noVolume',
          message:
            'service "db" (PostgreSQL 16) keeps its data in /var/lib/postgresql/data, which no named volume covers',
          severity: 'error',
          fix: 'Mount a named volume at /var/lib/postgresql/data',
        },
      ],
    },
    {
      name: 'postgres 18 with a volume at /var/lib/postgresql/data: error, the data moved',
      code: `
        services:
          db:
            image: postgres:18
            volumes: ["pgdata:/var/lib/postgresql/data"]
        volumes: { pgdata: {} }
      `,
      errors: [
        {
          service: 'db',
          severity: 'error',
          messageId: 'versionMovedDataDir',
          message:
            'service "db" (PostgreSQL 18) keeps its data in /var/lib/postgresql/18/docker; the volume at ' +
            '/var/lib/postgresql/data does not hold it',
          fix: 'mount a named volume at /var/lib/postgresql: `volumes: ["db-data:/var/lib/postgresql"]`',
        },
      ],
    },
    {
      name: 'postgres latest and pgvector pg18 are 18+ too',
      code: `
        services:
          a: { image: postgres, volumes: ["pg-a:/var/lib/postgresql/data"] }
          b: { image: pgvector/pgvector:0.8.1-pg18-trixie, volumes: ["pg-b:/var/lib/postgresql/data"] }
        volumes: { pg-a: {}, pg-b: {} }
      `,
      errors: [
        {
          service: 'a',
          messageId: 'versionMovedDataDir',
          message: 'keeps its data in /var/lib/postgresql/<version>/docker',
        },
        {
          service: 'b',
          messageId: 'versionMovedDataDir',
          message: '(PostgreSQL 18) keeps its data in /var/lib/postgresql/18/docker',
        },
      ],
    },
    {
      name: 'a Redis hint names the Redis path, not a Postgres one',
      code: `
        services:
          cache: { image: redis:7.4 }
      `,
      errors: [{ service: 'cache', message: '(Redis) keeps its data in /data', fix: '"cache-data:/data"' }],
    },
    {
      name: 'recognised by the product in the name: zulip/zulip-postgresql without a volume',
      code: `
        services:
          database:
            image: "zulip/zulip-postgresql:14"
      `,
      errors: [{ service: 'database', message: '(PostgreSQL 14) keeps its data in /var/lib/postgresql/data' }],
    },
    {
      name: 'recognised by the server command and by server-only environment',
      code: `
        services:
          db: { image: "ghcr.io/acme/db:3", command: ["postgres", "-c", "max_connections=200"] }
          citus: { image: "citusdata/citus:12.1", environment: { POSTGRES_PASSWORD: "\${PG_PASS}" } }
      `,
      errors: [
        { service: 'db', message: 'keeps its data in /var/lib/postgresql/data' },
        { service: 'citus', message: 'keeps its data in /var/lib/postgresql/data' },
      ],
    },
    {
      name: 'PGDATA moved away from the volume',
      code: `
        services:
          db:
            image: postgres:16
            environment: { PGDATA: /pgdata }
            volumes: ["pgdata:/var/lib/postgresql/data"]
        volumes: { pgdata: {} }
      `,
      errors: [{ message: '/pgdata (set by PGDATA)' }],
    },
    {
      name: 'redis --dir elsewhere than the volume',
      code: `
        services:
          cache: { image: redis:7, command: ["redis-server", "--dir", "/var/redis"], volumes: ["cache-data:/data"] }
        volumes: { cache-data: {} }
      `,
      errors: [{ message: '/var/redis (set by --dir)' }],
    },
    {
      name: 'minio data directory taken from its server argument',
      code: `
        services:
          s3: { image: quay.io/minio/minio:RELEASE.2024-10-02T17-50-41Z, command: server /export --console-address \
":9001", volumes: ["s3:/data"] }
        volumes: { s3: {} }
      `,
      errors: [{ message: '(MinIO) keeps its data in /export (set by server argument)' }],
    },
    {
      name: 'a volume below the data directory does not cover it',
      code: `
        services:
          db: { image: postgres:16, volumes: ["x:/var/lib/postgresql/data/backups"] }
        volumes: { x: {} }
      `,
      errors: [{ service: 'db', message: 'keeps its data in /var/lib/postgresql/data' }],
    },
    {
      name: 'NATS with JetStream',
      code: `
        services:
          nats: { image: nats:2.10, command: "--jetstream --store_dir /js" }
      `,
      errors: [{ message: '(NATS JetStream) keeps its data in /js (set by --store_dir)' }],
    },
    {
      name: 'many known images at once',
      code: `
        services:
          es: { image: docker.elastic.co/elasticsearch/elasticsearch:8.15.0 }
          rabbit: { image: rabbitmq:3.13-management }
          qdrant: { image: qdrant/qdrant:v1.12.0 }
          grafana: { image: grafana/grafana:11.2.0 }
          ollama: { image: ollama/ollama:0.3.12 }
          n8n: { image: docker.n8n.io/n8nio/n8n:1.64.0 }
      `,
      errors: [
        { service: 'es', message: 'Elasticsearch' },
        { service: 'rabbit', message: 'RabbitMQ' },
        { service: 'qdrant', message: 'Qdrant' },
        { service: 'grafana', message: 'Grafana' },
        { service: 'ollama', message: 'Ollama' },
        { service: 'n8n', message: 'n8n' },
      ],
    },
  ],
});
