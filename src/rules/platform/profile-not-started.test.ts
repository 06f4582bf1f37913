import { ruleTester } from '../rule-tester.js';
import { profileNotStarted } from './profile-not-started.js';

ruleTester(profileNotStarted, {
  valid: [
    `
    services:
      app: { image: app:1 }
    `,
    {
      name: 'profile activated by COMPOSE_PROFILES in .env',
      compose: `
        services:
          app: { image: app:1 }
          metrics:
            image: prom/node-exporter:v1.8.2
            profiles: [monitoring]
      `,
      env: 'COMPOSE_PROFILES=monitoring\n',
    },
  ],
  invalid: [
    {
      name: 'points at the service key',
      code: `
        services:
          app: { image: app:1 }
          adminer:
            image: adminer:4.8.1
            profiles: [debug, tools]
      `,
      errors: [
        { line: 3, column: 3, service: 'adminer', severity: 'info', message: 'only runs under profiles debug, tools' },
      ],
    },
  ],
});
