import { ruleTester } from '../rule-tester.js';
import { relativeBindMount } from './relative-bind-mount.js';

ruleTester(relativeBindMount, {
  valid: [
    {
      name: 'named volume and inline config',
      compose: `
      services:
        web:
          image: nginx:1.27
          volumes: ["html:/usr/share/nginx/html"]
          configs: [{ source: nginx, target: /etc/nginx/conf.d/default.conf }]
      volumes: { html: {} }
      configs:
        nginx: { content: "server { listen 80; }" }
    `,
    },
    {
      name: 'absolute host paths are another rule',
      compose: `
      services:
        agent: { image: app:1, volumes: ["/var/run/dstack.sock:/var/run/dstack.sock", "/opt/x:/x"] }
    `,
    },
    {
      name: 'named volume whose name has a dot inside',
      compose: `
      services:
        web: { image: app:1, volumes: ["app.data:/data"] }
      volumes: { app.data: {} }
    `,
    },
  ],
  invalid: [
    {
      name: 'one finding per mount line an x- block gives every Airflow service (apache/airflow docker-compose.yaml)',
      // apache/airflow airflow-core/docs/howto/docker-compose/docker-compose.yaml: x-airflow-common: &airflow-common
      // with volumes: [${AIRFLOW_PROJ_DIR:-.}/dags:/opt/airflow/dags, …], merged into every airflow-* service;
      // flower is under a profile the CVM never starts.
      code: `
        x-airflow-common: &airflow-common
          image: apache/airflow:3.0.0
          volumes:
            - \${AIRFLOW_PROJ_DIR:-.}/dags:/opt/airflow/dags
            - \${AIRFLOW_PROJ_DIR:-.}/logs:/opt/airflow/logs
        services:
          airflow-apiserver:
            <<: *airflow-common
            command: api-server
          airflow-scheduler:
            <<: *airflow-common
            command: scheduler
          airflow-worker:
            <<: *airflow-common
            command: celery worker
          flower:
            <<: *airflow-common
            profiles: [flower]
      `,
      errors: [
        {
          line: 4,
          messageId: 'relative',
          message:
            'services "airflow-apiserver", "airflow-scheduler" and "airflow-worker" bind-mount ./dags at ' +
            '/opt/airflow/dags',
          related: [
            { line: 7, service: 'airflow-apiserver' },
            { line: 10, service: 'airflow-scheduler' },
            { line: 13, service: 'airflow-worker' },
          ],
        },
        { line: 5, messageId: 'relative', message: 'bind-mount ./logs at /opt/airflow/logs' },
      ],
    },
    {
      name: 'Sentry self-hosted: ./sentry in x-sentry-defaults, one finding for web and worker',
      // getsentry/self-hosted docker-compose.yml: x-sentry-defaults: &sentry_defaults { volumes:
      // ["./sentry:/etc/sentry", …] }
      code: `
        x-sentry-defaults: &sentry_defaults
          image: getsentry/sentry:24.4.2
          volumes:
            - "sentry-data:/data"
            - "./sentry:/etc/sentry"
        services:
          web:
            <<: *sentry_defaults
          worker:
            <<: *sentry_defaults
            command: run worker
        volumes:
          sentry-data:
      `,
      errors: [
        {
          line: 5,
          service: 'web',
          message: 'services "web" and "worker" bind-mount ./sentry at /etc/sentry',
          related: [
            { line: 7, service: 'web' },
            { line: 9, service: 'worker' },
          ],
        },
      ],
    },
    {
      name: 'a database on a relative bind mount: one finding that names the data (stateful-no-volume stays silent)',
      // immich-app/immich docker/docker-compose.yml: ${DB_DATA_LOCATION}:/var/lib/postgresql/data, with
      // DB_DATA_LOCATION=./postgres in the example .env.
      code: {
        compose: `
          services:
            database:
              image: ghcr.io/immich-app/postgres:14-vectorchord0.4.3-pgvectors0.2.0
              volumes:
                - \${DB_DATA_LOCATION}:/var/lib/postgresql/data
        `,
        env: 'DB_DATA_LOCATION=./postgres\n',
      },
      errors: [
        {
          line: 5,
          severity: 'error',
          messageId: 'relativeData',
          message:
            'service "database" keeps the PostgreSQL data directory /var/lib/postgresql/data on the relative ' +
            'bind mount ./postgres',
          fix: '`database-data:/var/lib/postgresql/data`',
        },
      ],
    },
    {
      name: 'config file next to the compose file',
      code: `
        services:
          web:
            image: nginx:1.27
            volumes:
              - ./nginx.conf:/etc/nginx/nginx.conf:ro
      `,
      errors: [
        {
          line: 5,
          column: 9,
          service: 'web',
          message: 'bind-mounts ./nginx.conf at /etc/nginx/nginx.conf',
          severity: 'error',
        },
      ],
    },
    {
      name: 'long syntax, bare relative path and the project dir',
      code: `
        services:
          app:
            image: app:1
            volumes:
              - { type: bind, source: ../shared, target: /shared }
              - .:/code
      `,
      errors: [
        { line: 5, message: '../shared' },
        { line: 6, message: 'bind-mounts . at /code' },
      ],
    },
    {
      name: 'a named volume that is a relative bind in disguise',
      code: `
        services:
          db: { image: postgres:16, volumes: ["pgdata:/var/lib/postgresql/data"] }
        volumes:
          pgdata:
            driver: local
            driver_opts: { type: none, o: bind, device: ./pgdata }
      `,
      errors: [{ line: 6, message: 'volume "pgdata" binds host directory ./pgdata' }],
    },
  ],
});
