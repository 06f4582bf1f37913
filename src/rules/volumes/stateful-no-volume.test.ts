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
  ],
  invalid: [
    {
      name: 'postgres without any volume points at the image',
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
          message: 'PostgreSQL keeps its data in /var/lib/postgresql/data',
          severity: 'error',
        },
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
          s3: { image: quay.io/minio/minio:RELEASE.2024-10-02T17-50-41Z, command: server /export --console-address ":9001", volumes: ["s3:/data"] }
        volumes: { s3: {} }
      `,
      errors: [{ message: 'MinIO keeps its data in /export (set by server argument)' }],
    },
    {
      name: 'relative bind mount does not count',
      code: `
        services:
          db: { image: mysql:8.4, volumes: ["./mysql:/var/lib/mysql"] }
      `,
      errors: [{ message: 'MySQL' }],
    },
    {
      name: 'volatile host path does not count',
      code: `
        services:
          db: { image: mongo:7, volumes: ["/opt/mongo:/data/db"] }
      `,
      errors: [{ message: 'MongoDB keeps its data in /data/db' }],
    },
    {
      name: 'anonymous volume does not count',
      code: `
        services:
          cache: { image: valkey/valkey:8, volumes: ["/data"] }
      `,
      errors: [{ message: 'Valkey' }],
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
      errors: [{ message: 'NATS JetStream keeps its data in /js (set by --store_dir)' }],
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
