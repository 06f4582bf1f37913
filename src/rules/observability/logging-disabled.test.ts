import { ruleTester } from '../rule-tester.js';
import { loggingDisabled } from './logging-disabled.js';

ruleTester(loggingDisabled, {
  valid: [
    `
    services:
      app:
        image: app:1
        logging:
          driver: json-file
          options: { max-size: 10m, max-file: "3" }
    `,
    {
      name: 'remote driver with dual logging (the default)',
      compose: `
        services:
          app:
            image: app:1
            logging:
              driver: fluentd
              options: { fluentd-address: "logs.example.com:24224" }
      `,
    },
    {
      name: 'cache-disabled false',
      compose: `
        services:
          app:
            image: app:1
            logging:
              driver: gelf
              options: { cache-disabled: "false", gelf-address: "udp://logs:12201" }
      `,
    },
  ],
  invalid: [
    {
      name: 'driver none points at the value',
      code: `
        services:
          app:
            image: app:1
            logging:
              driver: none
      `,
      errors: [{ line: 5, column: 15, service: 'app', message: 'logging driver none' }],
    },
    {
      name: 'remote driver without a local copy',
      code: `
        services:
          app:
            image: app:1
            logging:
              driver: syslog
              options:
                cache-disabled: "true"
      `,
      errors: [{ line: 7, service: 'app', message: 'syslog with cache-disabled' }],
    },
    {
      name: 'through an x- anchor',
      code: `
        x-nolog: &nolog
          driver: "none"
        services:
          a: { image: a:1, logging: *nolog }
          b: { image: b:1 }
      `,
      errors: [{ service: 'a', message: 'service "a" has logging driver none' }],
    },
    {
      // Sentry self-hosted and Mastodon style: one x- logging block merged into every service.
      name: 'one x- logging block shared by three services is one finding',
      code: `
        x-logging: &logging
          logging:
            driver: none
        services:
          web: { <<: *logging, image: app:1 }
          worker: { <<: *logging, image: app:1 }
          beat: { <<: *logging, image: app:1 }
      `,
      errors: [
        {
          line: 3,
          messageId: 'driverNone',
          message: 'services "web", "worker" and "beat" have logging driver none: their logs are thrown away',
          related: [
            { line: 5, service: 'web' },
            { line: 6, service: 'worker' },
            { line: 7, service: 'beat' },
          ],
        },
      ],
    },
  ],
});
