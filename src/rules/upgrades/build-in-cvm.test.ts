import { ruleTester } from '../rule-tester.js';
import { buildInCvm } from './build-in-cvm.js';

ruleTester(buildInCvm, {
  valid: [
    `
    services:
      app:
        image: ghcr.io/org/app:1.4.2
    `,
    {
      name: 'a build only under an inactive profile',
      compose: `
        services:
          app: { image: ghcr.io/org/app:1.4.2 }
          dev:
            build: .
            profiles: [dev]
      `,
    },
  ],
  invalid: [
    {
      name: 'local context (short syntax): error, points at build',
      code: `
        services:
          web:
            build: ./web
            image: org/web:1
      `,
      errors: [
        { line: 3, column: 5, service: 'web', severity: 'error', message: 'local context ./web, which is not shipped' },
      ],
    },
    {
      name: 'dockerfile_inline: warning naming the empty-logs issue',
      code: `
        services:
          app:
            build:
              context: .
              dockerfile_inline: |
                FROM ubuntu:24.04
                RUN apt-get update
      `,
      errors: [{ line: 3, service: 'app', severity: 'warning', message: /dockerfile_inline.*empty logs/ }],
    },
    {
      name: 'remote git context: warning',
      code: `
        services:
          app:
            build:
              context: https://github.com/org/app.git#v1.2.0
      `,
      errors: [{ line: 3, service: 'app', severity: 'warning', message: 'depends on that repository' }],
    },
    {
      // Apache Airflow's compose file: `x-airflow-common` carries `build: .` for every Airflow service.
      name: 'one build in an x- block merged into several services is one finding',
      code: `
        x-airflow-common: &airflow-common
          build: .
          environment: { AIRFLOW__CORE__EXECUTOR: CeleryExecutor }
        services:
          airflow-webserver: { <<: *airflow-common, command: webserver }
          airflow-scheduler: { <<: *airflow-common, command: scheduler }
      `,
      errors: [
        {
          line: 2,
          severity: 'error',
          message: 'services "airflow-webserver" and "airflow-scheduler" are built in the CVM from the local context .',
          related: [{ service: 'airflow-webserver' }, { service: 'airflow-scheduler' }],
        },
      ],
    },
  ],
});
