import { ruleTester } from '../rule-tester.js';
import { legacyTappdSocket } from './legacy-tappd-socket.js';

ruleTester(legacyTappdSocket, {
  valid: [
    {
      name: 'the current guest-agent socket',
      compose: `
        services:
          app:
            image: app:1
            volumes:
              - /var/run/dstack.sock:/var/run/dstack.sock
      `,
    },
    {
      name: 'a named volume called tappd is not the socket',
      compose: `
        services:
          app:
            image: app:1
            volumes:
              - tappd:/var/run/tappd
        volumes:
          tappd: {}
      `,
    },
    {
      name: 'tappd.sock only mentioned in the command',
      compose: `
        services:
          app:
            image: app:1
            command: ["curl", "--unix-socket", "/var/run/tappd.sock", "http://localhost/prpc/Tappd.Info"]
      `,
    },
  ],
  invalid: [
    {
      name: 'short syntax points at the volume item',
      code: `
        services:
          app:
            image: app:1
            volumes:
              - data:/data
              - /var/run/tappd.sock:/var/run/tappd.sock
        volumes:
          data: {}
      `,
      errors: [{ line: 6, column: 9, service: 'app', message: 'mounts /var/run/tappd.sock, the legacy' }],
    },
    {
      name: 'long syntax and /run spelling',
      code: `
        services:
          app:
            image: app:1
            volumes:
              - type: bind
                source: /run/tappd.sock
                target: /var/run/tappd.sock
      `,
      errors: [{ line: 5, service: 'app', message: '/run/tappd.sock' }],
    },
    {
      name: 'inside app-compose.json',
      code: {
        appCompose: JSON.stringify({
          manifest_version: 2,
          kms_enabled: true,
          docker_compose_file:
            'services:\n  app:\n    image: app:1\n    volumes:\n      - /var/run/tappd.sock:/var/run/tappd.sock\n',
        }),
      },
      errors: [
        {
          line: 5,
          column: 9,
          service: 'app',
          file: 'app-compose.json#docker_compose_file',
          message: 'the legacy guest-agent API',
        },
      ],
    },
  ],
});
