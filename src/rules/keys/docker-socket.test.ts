import { ruleTester } from '../rule-tester.js';
import { dockerSocket } from './docker-socket.js';

ruleTester(dockerSocket, {
  valid: [
    {
      name: 'guest-agent socket is fine',
      compose: `
        services:
          app:
            image: app:1
            volumes:
              - /var/run/dstack.sock:/var/run/dstack.sock
      `,
    },
    {
      name: 'node-exporter read-only root mount is not a docker socket mount',
      compose: `
        services:
          node-exporter:
            image: prom/node-exporter:v1.8.2
            pid: host
            volumes:
              - /:/host:ro,rslave
      `,
    },
    {
      name: 'a named volume mounted at /var/run',
      compose: `
        services:
          app:
            image: app:1
            volumes:
              - run:/var/run
        volumes:
          run: {}
      `,
    },
  ],
  invalid: [
    {
      code: `
        services:
          portainer:
            image: portainer/portainer-ce:2.21.0
            volumes:
              - /var/run/docker.sock:/var/run/docker.sock:ro
      `,
      errors: [
        {
          line: 5,
          column: 9,
          service: 'portainer',
          message: 'mounts /var/run/docker.sock: it controls every container',
        },
      ],
    },
    {
      name: 'the directory that holds docker.sock',
      code: `
        services:
          cadvisor:
            image: gcr.io/cadvisor/cadvisor:v0.49.1
            volumes:
              - /var/run:/var/run:ro
      `,
      errors: [{ line: 5, service: 'cadvisor', message: 'mounts /var/run, which holds docker.sock' }],
    },
  ],
});
