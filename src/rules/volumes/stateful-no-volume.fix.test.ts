import { fixTester } from '../../../test/support/fix-tester.js';
import { statefulNoVolume } from './stateful-no-volume.js';

fixTester(statefulNoVolume, {
  apply: [
    {
      name: 'postgres 17: a named volume at /var/lib/postgresql/data',
      code: `
        services:
          db:
            image: postgres:17
            environment: { POSTGRES_DB: app }
      `,
      output: `
        services:
          db:
            image: postgres:17
            environment: { POSTGRES_DB: app }
            volumes:
              - db-data:/var/lib/postgresql/data
        volumes:
          db-data:
      `,
      header: 'changes behaviour',
    },
    {
      name: 'postgres 18: the volume goes to /var/lib/postgresql, beside an existing list',
      code: `
        services:
          db:
            image: postgres:18.1
            volumes:
              - ./init.sql:/docker-entrypoint-initdb.d/init.sql:ro
        volumes: {}
      `,
      output: `
        services:
          db:
            image: postgres:18.1
            volumes:
              - ./init.sql:/docker-entrypoint-initdb.d/init.sql:ro
              - db-data:/var/lib/postgresql
        volumes: {db-data: }
      `,
    },
  ],
  refuse: [
    {
      name: 'a volume at the data directory older versions used: a migration, not an edit',
      code: `
        services:
          db:
            image: postgres:18
            volumes: ["pg:/var/lib/postgresql/data"]
        volumes:
          pg:
      `,
      reason: 'data migration',
    },
    {
      name: 'the service is an anchor another service reuses',
      code: `
        services:
          db: &db
            image: postgres:17
          db2: *db
      `,
      reason: 'anchor &db',
    },
  ],
});
