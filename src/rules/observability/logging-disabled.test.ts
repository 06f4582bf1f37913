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
  ],
});
