import { fixTester } from '../../../test/support/fix-tester.js';
import { stopGracePeriod } from './stop-grace-period.js';

fixTester(stopGracePeriod, {
  apply: [
    {
      name: 'adds a minute to a database',
      code: `
        services:
          db:
            image: postgres:16
            restart: always
            volumes:
              - db:/var/lib/postgresql/data
        volumes:
          db:
      `,
      output: `
        services:
          db:
            image: postgres:16
            restart: always
            volumes:
              - db:/var/lib/postgresql/data
            stop_grace_period: 1m
        volumes:
          db:
      `,
      header: 'changes behaviour',
    },
    {
      name: 'raises a short period where it is written',
      code: `
        services:
          db:
            image: postgres:16
            stop_grace_period: 5s   # too short
      `,
      output: `
        services:
          db:
            image: postgres:16
            stop_grace_period: 1m   # too short
      `,
    },
  ],
  refuse: [
    {
      name: 'the period is in a shared anchor',
      code: `
        x-db: &db
          image: postgres:16
          stop_grace_period: 5s
        services:
          db1: *db
          db2: *db
      `,
      reason: /anchor|alias/,
    },
  ],
});
