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
    {
      name: 'exempted service',
      compose: `
        services:
          app: { image: app:1 }
          adminer: { image: adminer:4.8.1, profiles: [debug] }
      `,
      config: `
        exemptions:
          - rule: profile-not-started
            service: adminer
            reason: local debugging only
      `,
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
    {
      // Like Supabase's and Immich's dev tooling: one profile on several services is one choice.
      name: 'one finding per profile, each service a related location',
      code: `
        services:
          app: { image: app:1 }
          mailpit: { image: axllent/mailpit:v1.21, profiles: [dev] }
          adminer: { image: adminer:4.8.1, profiles: [dev] }
          pgadmin: { image: dpage/pgadmin4:8.12, profiles: [dev] }
          exporter: { image: prom/node-exporter:v1.8.2, profiles: [monitoring] }
      `,
      errors: [
        {
          line: 3,
          messageId: 'profileOnly',
          message:
            'services "mailpit", "adminer" and "pgadmin" only run under profile dev; the CVM\'s plain `docker ' +
            'compose up` never starts them',
          related: [
            { line: 4, service: 'adminer' },
            { line: 5, service: 'pgadmin' },
          ],
        },
        { line: 6, service: 'exporter', message: 'service "exporter" only runs under profile monitoring' },
      ],
    },
  ],
});
