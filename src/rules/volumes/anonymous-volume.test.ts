import { ruleTester } from '../rule-tester.js';
import { anonymousVolume } from './anonymous-volume.js';

ruleTester(anonymousVolume, {
  valid: [
    {
      name: 'named volume',
      compose: `
      services:
        app: { image: app:1, volumes: ["uploads:/app/uploads"] }
      volumes: { uploads: {} }
    `,
    },
    {
      name: 'node_modules shadowing trick holds nothing worth keeping',
      compose: `
      services:
        app: { image: app:1, volumes: ["/app/node_modules", "/app/.cache"] }
    `,
    },
    {
      name: 'scratch paths',
      compose: `
      services:
        app: { image: app:1, volumes: ["/tmp", "/var/cache/nginx"] }
    `,
    },
    {
      name: 'long syntax with a source',
      compose: `
      services:
        app:
          image: app:1
          volumes:
            - { type: volume, source: files, target: /srv/files }
      volumes: { files: {} }
    `,
    },
    {
      name: 'bind mounts are other rules',
      compose: `
      services:
        app: { image: app:1, volumes: ["/dstack/persistent/x:/x"] }
    `,
    },
  ],
  invalid: [
    {
      name: 'an anonymous volume in an anchor both workers merge: one finding',
      code: `
        x-worker: &worker
          image: org/worker:1.2
          volumes:
            - /var/lib/worker
        services:
          worker-a: { <<: *worker }
          worker-b: { <<: *worker }
      `,
      errors: [
        {
          line: 4,
          messageId: 'anonymousData',
          message:
            'services "worker-a" and "worker-b" mount an anonymous volume at /var/lib/worker (a path that looks ' +
            'like data): it lives only as long as the container',
          related: [
            { line: 6, service: 'worker-a' },
            { line: 7, service: 'worker-b' },
          ],
        },
      ],
    },
    {
      name: 'bare /data points at the item, error',
      code: `
        services:
          app:
            image: app:1
            volumes:
              - /data
      `,
      errors: [
        {
          line: 5,
          column: 9,
          service: 'app',
          message: 'anonymous volume at /data (a path that looks like data)',
          severity: 'error',
        },
      ],
    },
    {
      name: 'long syntax without source',
      code: `
        services:
          app:
            image: app:1
            volumes:
              - type: volume
                target: /var/lib/app
      `,
      errors: [{ line: 5, column: 9, severity: 'error', message: 'anonymous volume at /var/lib/app' }],
    },
    {
      name: 'at a stateful data directory',
      code: `
        services:
          db: { image: postgres:16, volumes: ["/var/lib/postgresql/data"] }
      `,
      errors: [{ message: 'the PostgreSQL data directory /var/lib/postgresql/data', severity: 'error' }],
    },
    {
      name: 'unknown path: warning',
      code: `
        services:
          web: { image: app:1, volumes: ["/app/public"] }
      `,
      errors: [{ message: '/app/public', severity: 'warning' }],
    },
  ],
});
