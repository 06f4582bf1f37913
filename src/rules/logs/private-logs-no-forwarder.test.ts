import { ruleTester } from '../rule-tester.js';
import { privateLogsNoForwarder } from './private-logs-no-forwarder.js';

const PRIVATE = 'deployment:\n  public_logs: false\n';

ruleTester(privateLogsNoForwarder, {
  valid: [
    { name: 'public logs (Phala Cloud default)', compose: 'services:\n  app:\n    image: app:1\n' },
    {
      name: 'Dozzle as a private log viewer',
      compose: `
        services:
          app: { image: app:1 }
          dozzle:
            image: amir20/dozzle:v8.5.0
            volumes: ["/var/run/docker.sock:/var/run/docker.sock:ro"]
      `,
      config: PRIVATE,
    },
    {
      name: 'Vector forwarder from a registry with a port',
      compose: `
        services:
          app: { image: app:1 }
          vector: { image: "docker.io/timberio/vector:0.41.1-alpine" }
      `,
      config: PRIVATE,
    },
    {
      name: 'a remote logging driver ships the logs',
      compose: `
        services:
          app:
            image: app:1
            logging: { driver: fluentd, options: { fluentd-address: "logs.example.com:24224" } }
      `,
      config: PRIVATE,
    },
  ],
  invalid: [
    {
      name: '.preflight.yml public_logs false: points at it, no service',
      code: {
        compose: `
          services:
            app: { image: app:1 }
            db: { image: postgres:16 }
        `,
        config: PRIVATE,
      },
      errors: [
        {
          file: '.preflight.yml',
          line: 2,
          column: 3,
          service: undefined,
          message: 'no service views or forwards logs',
        },
      ],
    },
    {
      name: 'app-compose.json that leaves public_logs out (dstack default false)',
      code: {
        appCompose: JSON.stringify({
          manifest_version: 2,
          kms_enabled: true,
          docker_compose_file: 'services:\n  app:\n    image: app:1\n',
        }),
      },
      errors: [{ file: 'app-compose.json', message: 'public_logs is false' }],
    },
    {
      name: 'local json-file logging options are not forwarding',
      code: {
        compose: `
          services:
            app:
              image: app:1
              logging: { driver: json-file, options: { max-size: 10m } }
        `,
        config: PRIVATE,
      },
      errors: [{ file: '.preflight.yml', message: 'no service views or forwards logs' }],
    },
  ],
});
