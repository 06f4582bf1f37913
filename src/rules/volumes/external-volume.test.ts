import { ruleTester } from '../rule-tester.js';
import { externalVolume } from './external-volume.js';

ruleTester(externalVolume, {
  valid: [
    {
      name: 'ordinary named volume',
      compose: `
      services:
        db: { image: postgres:16, volumes: ["pg:/var/lib/postgresql/data"] }
      volumes: { pg: {} }
    `,
    },
    {
      name: 'external: false',
      compose: `
      services:
        db: { image: postgres:16, volumes: ["pg:/var/lib/postgresql/data"] }
      volumes: { pg: { external: false, name: legacy_pg } }
    `,
    },
  ],
  invalid: [
    {
      name: 'external: true points at the key',
      code: `
        services:
          db: { image: postgres:16, volumes: ["pg:/var/lib/postgresql/data"] }
        volumes:
          pg:
            external: true
            name: prod_pg
      `,
      errors: [{ line: 5, column: 5, message: 'volume "pg" is external ("prod_pg")', severity: 'error' }],
    },
    {
      name: 'unused external volume is still reported, without a service',
      code: `
        services:
          web: { image: nginx:1.27 }
        volumes:
          old: { external: true }
      `,
      errors: [
        {
          line: 4,
          message:
            /^volume "old" is external \("old"\), which does not exist in the CVM, so `docker compose up` fails$/,
        },
      ],
    },
  ],
});
