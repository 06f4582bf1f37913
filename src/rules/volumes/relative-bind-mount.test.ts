import { ruleTester } from '../rule-tester.js';
import { relativeBindMount } from './relative-bind-mount.js';

ruleTester(relativeBindMount, {
  valid: [
    {
      name: 'named volume and inline config',
      compose: `
      services:
        web:
          image: nginx:1.27
          volumes: ["html:/usr/share/nginx/html"]
          configs: [{ source: nginx, target: /etc/nginx/conf.d/default.conf }]
      volumes: { html: {} }
      configs:
        nginx: { content: "server { listen 80; }" }
    `,
    },
    {
      name: 'absolute host paths are another rule',
      compose: `
      services:
        agent: { image: app:1, volumes: ["/var/run/dstack.sock:/var/run/dstack.sock", "/opt/x:/x"] }
    `,
    },
    {
      name: 'named volume whose name has a dot inside',
      compose: `
      services:
        web: { image: app:1, volumes: ["app.data:/data"] }
      volumes: { app.data: {} }
    `,
    },
  ],
  invalid: [
    {
      name: 'config file next to the compose file',
      code: `
        services:
          web:
            image: nginx:1.27
            volumes:
              - ./nginx.conf:/etc/nginx/nginx.conf:ro
      `,
      errors: [
        {
          line: 5,
          column: 9,
          service: 'web',
          message: 'bind-mounts ./nginx.conf at /etc/nginx/nginx.conf',
          severity: 'error',
        },
      ],
    },
    {
      name: 'long syntax, bare relative path and the project dir',
      code: `
        services:
          app:
            image: app:1
            volumes:
              - { type: bind, source: ../shared, target: /shared }
              - .:/code
      `,
      errors: [
        { line: 5, message: '../shared' },
        { line: 6, message: 'bind-mounts . at /code' },
      ],
    },
    {
      name: 'a named volume that is a relative bind in disguise',
      code: `
        services:
          db: { image: postgres:16, volumes: ["pgdata:/var/lib/postgresql/data"] }
        volumes:
          pgdata:
            driver: local
            driver_opts: { type: none, o: bind, device: ./pgdata }
      `,
      errors: [{ line: 6, message: 'volume "pgdata" binds host directory ./pgdata' }],
    },
  ],
});
