import { ruleTester } from '../rule-tester.js';
import { stopGracePeriod } from './stop-grace-period.js';

ruleTester(stopGracePeriod, {
  valid: [
    {
      name: 'a stop_grace_period Compose refuses is compose-invalid, not read as 10s',
      compose: `
      services:
        db: { image: postgres:16, stop_grace_period: "5" }
    `,
    },
    {
      name: 'database with a minute to stop',
      compose: `
      services:
        db: { image: postgres:16, stop_grace_period: 1m }
    `,
    },
    {
      name: 'seconds as a number',
      compose: `
      services:
        db: { image: mysql:8.4, stop_grace_period: 30 }
    `,
    },
    {
      name: 'stateless service keeps the default',
      compose: `
      services:
        web: { image: nginx:1.27 }
    `,
    },
    {
      name: 'NATS without JetStream is not stateful',
      compose: `
      services:
        nats: { image: nats:2.10 }
    `,
    },
    {
      name: 'web app on plain files stops quickly',
      compose: `
      services:
        wp: { image: wordpress:6 }
        gitea: { image: gitea/gitea:1.22 }
    `,
    },
  ],
  invalid: [
    {
      name: 'default grace period points at the service',
      code: `
        services:
          db:
            image: postgres:16
      `,
      errors: [{ line: 2, column: 3, service: 'db', message: 'no stop_grace_period', severity: 'warning' }],
    },
    {
      name: 'explicit 10s points at the key',
      code: `
        services:
          cache:
            image: redis:7
            stop_grace_period: 10s
      `,
      errors: [{ line: 4, column: 5, service: 'cache', message: 'stop_grace_period 10s' }],
    },
    {
      name: 'shorter than the default',
      code: `
        services:
          mq: { image: rabbitmq:3.13, stop_grace_period: 2s }
      `,
      errors: [{ message: 'RabbitMQ' }],
    },
    {
      name: 'NATS with JetStream',
      code: `
        services:
          nats: { image: nats:2.10, command: ["-js", "-sd", "/data"] }
      `,
      errors: [{ message: 'NATS JetStream' }],
    },
  ],
});
