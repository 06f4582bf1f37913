import { fixTester } from '../../../test/support/fix-tester.js';
import { healthcheckMissing } from './healthcheck-missing.js';

fixTester(healthcheckMissing, {
  apply: [
    {
      name: 'postgres depended on: pg_isready, with a start period',
      code: `
        services:
          app:
            image: ghcr.io/acme/app:1.0.0
            depends_on: [db]
          db:
            image: postgres:16 # the database
      `,
      output: `
        services:
          app:
            image: ghcr.io/acme/app:1.0.0
            depends_on: [db]
          db:
            image: postgres:16 # the database
            healthcheck:
              test: ["CMD-SHELL", "pg_isready -U \\"$\${POSTGRES_USER:-postgres}\\""]
              interval: 10s
              timeout: 5s
              retries: 5
              start_period: 30s
      `,
      header: 'changes behaviour',
    },
    {
      name: 'redis in a flow mapping',
      code: `
        services:
          app: { image: ghcr.io/acme/app:1.0.0, depends_on: [cache] }
          cache: { image: "redis:7.2" }
      `,
      output: `
        services:
          app: { image: ghcr.io/acme/app:1.0.0, depends_on: [cache] }
          cache: { image: "redis:7.2", healthcheck: {test: ["CMD", "redis-cli", "ping"], interval: 10s, timeout: 5s, \
retries: 5} }
      `,
    },
  ],
  refuse: [
    {
      name: 'an image no probe is known for: nothing invented',
      code: `
        services:
          web:
            image: ghcr.io/acme/web:1.0.0
            ports: ["8080:80"]
      `,
      reason: 'no probe is known for image ghcr.io/acme/web:1.0.0',
    },
  ],
});
