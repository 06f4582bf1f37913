import { ruleTester } from '../rule-tester.js';
import { tmpfsData } from './tmpfs-data.js';

ruleTester(tmpfsData, {
  valid: [
    {
      name: 'tmpfs for scratch space',
      compose: `
      services:
        app: { image: app:1, read_only: true, tmpfs: ["/tmp", "/run:size=16m", "/var/cache/nginx"] }
    `,
    },
    {
      name: 'postgres stats directory in memory (a known tuning)',
      compose: `
      services:
        db:
          image: postgres:16
          tmpfs: ["/var/lib/postgresql/data/pg_stat_tmp"]
          volumes: ["pg:/var/lib/postgresql/data"]
      volumes: { pg: {} }
    `,
    },
    {
      name: 'long-syntax tmpfs at a scratch path',
      compose: `
      services:
        app: { image: app:1, volumes: [{ type: tmpfs, target: /app/tmp, tmpfs: { size: 1000000 } }] }
    `,
    },
    {
      name: 'single tmpfs string form',
      compose: `
      services:
        app: { image: app:1, tmpfs: /tmp }
    `,
    },
  ],
  invalid: [
    {
      name: 'tmpfs at the database data directory',
      code: `
        services:
          db:
            image: postgres:16
            tmpfs:
              - /var/lib/postgresql/data
      `,
      errors: [
        {
          line: 5,
          column: 9,
          service: 'db',
          message: 'tmpfs at /var/lib/postgresql/data (the PostgreSQL data directory',
          severity: 'error',
        },
      ],
    },
    {
      name: 'long-syntax tmpfs at a data-looking path',
      code: `
        services:
          app:
            image: app:1
            volumes:
              - type: tmpfs
                target: /app/uploads
      `,
      errors: [{ line: 5, column: 9, message: 'a path that looks like data' }],
    },
    {
      name: 'tmpfs with options at redis /data',
      code: `
        services:
          cache: { image: redis:7, tmpfs: "/data:size=64m" }
      `,
      errors: [{ message: 'Redis data directory /data' }],
    },
  ],
});
