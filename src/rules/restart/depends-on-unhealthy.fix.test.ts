import { fixTester } from '../../../test/support/fix-tester.js';
import { dependsOnUnhealthy } from './depends-on-unhealthy.js';

const DB = `
          db:
            image: postgres:16
            healthcheck: { test: ["CMD", "pg_isready"] }`;

fixTester(dependsOnUnhealthy, {
  apply: [
    {
      name: 'a short-form list becomes the long form; the other dependency keeps service_started',
      code: `
        services:
          web:
            image: app:1
            depends_on:
              - db
              - worker
          worker:
            image: app:1
${DB}
      `,
      output: `
        services:
          web:
            image: app:1
            depends_on:
              db:
                condition: service_healthy
              worker:
                condition: service_started
          worker:
            image: app:1
${DB}
      `,
      header: 'changes behaviour',
    },
    {
      name: 'the long form gets the condition beside its other keys',
      code: `
        services:
          web:
            image: app:1
            depends_on:
              db:
                restart: true
${DB}
      `,
      output: `
        services:
          web:
            image: app:1
            depends_on:
              db:
                restart: true
                condition: service_healthy
${DB}
      `,
    },
    {
      name: 'a flow list',
      code: `
        services:
          web: { image: app:1, depends_on: [db] }
${DB}
      `,
      output: `
        services:
          web: { image: app:1, depends_on: {db: {condition: service_healthy}} }
${DB}
      `,
    },
  ],
  refuse: [
    {
      name: 'depends_on comes from an anchor other services share',
      code: `
        x-deps: &deps
          depends_on: [db]
        services:
          web: { <<: *deps, image: app:1 }
          api: { <<: *deps, image: app:1 }
${DB}
      `,
      reason: 'anchor &deps',
    },
  ],
});
