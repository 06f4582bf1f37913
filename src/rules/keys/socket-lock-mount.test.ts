import { ruleTester } from '../rule-tester.js';
import { socketLockMount } from './socket-lock-mount.js';

ruleTester(socketLockMount, {
  valid: [
    `
    services:
      app:
        image: app:1
        volumes:
          - /var/run/dstack.sock:/var/run/dstack.sock
          - /var/run/docker.sock:/var/run/docker.sock
    `,
    {
      name: 'a lock file path in a container target only (named volume source)',
      compose: `
        services:
          app:
            image: app:1
            volumes:
              - locks:/var/lock/app.sock.lock
        volumes:
          locks: {}
      `,
    },
  ],
  invalid: [
    {
      code: `
        services:
          app:
            image: app:1
            volumes:
              - /var/run/dstack.sock.lock:/var/run/dstack.sock
      `,
      errors: [{ line: 5, column: 9, service: 'app', message: 'mount /var/run/dstack.sock' }],
    },
    {
      name: 'long syntax',
      code: `
        services:
          app:
            image: app:1
            volumes:
              - type: bind
                source: /var/run/tappd.sock.lock
                target: /var/run/tappd.sock
      `,
      errors: [{ line: 5, service: 'app', message: '/var/run/tappd.sock.lock, a lock file' }],
    },
  ],
});
