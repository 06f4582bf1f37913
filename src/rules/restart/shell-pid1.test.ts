import { ruleTester } from '../rule-tester.js';
import { shellPid1 } from './shell-pid1.js';

ruleTester(shellPid1, {
  valid: [
    {
      name: 'exec form without a shell',
      compose: `
      services:
        web: { image: node:20, command: ["node", "server.js"], restart: always }
    `,
    },
    {
      name: 'exec as the last command',
      compose: `
      services:
        web: { image: node:20, command: ["sh", "-c", "npm run migrate && exec node server.js"] }
    `,
    },
    {
      name: 'exec only',
      compose: `
      services:
        web: { image: node:20, command: ["sh","-c","exec node server.js"] }
    `,
    },
    {
      name: 'exec "$@" entrypoint style',
      compose: `
      services:
        web:
          image: app:1
          entrypoint: ["/bin/sh", "-c", "./setup.sh; exec \\"$$@\\"", "--"]
          command: ["node", "server.js"]
    `,
    },
    {
      name: 'single simple command: the shell execs it',
      compose: `
      services:
        web: { image: nginx:1.27, command: sh -c "nginx -g 'daemon off;'" }
    `,
    },
    {
      name: 'init: true forwards signals',
      compose: `
      services:
        web: { image: node:20, init: true, command: ["sh", "-c", "npm run migrate && node server.js"] }
    `,
    },
    {
      name: 'tini as PID 1',
      compose: `
      services:
        web:
          image: node:20
          entrypoint: ["/sbin/tini", "--"]
          command: ["sh", "-c", "npm run migrate && node server.js"]
    `,
    },
    {
      name: 'dumb-init in the command',
      compose: `
      services:
        web: { image: node:20, command: dumb-init -- bash -c "migrate && node server.js" }
    `,
    },
    {
      name: 'the script traps SIGTERM itself',
      compose: `
      services:
        web:
          image: app:1
          command:
            - sh
            - -c
            - |
              trap 'kill -TERM $$child' TERM
              node server.js & child=$$!
              wait $$child
    `,
    },
    {
      name: 'a script file we cannot see',
      compose: `
      services:
        web: { image: app:1, command: ["sh", "/start.sh"] }
    `,
    },
    {
      name: 'image entrypoint with plain command',
      compose: `
      services:
        db: { image: postgres:16, command: ["postgres", "-c", "max_connections=200"] }
    `,
    },
    {
      name: 'one-shot job awaited by another service',
      compose: `
      services:
        migrate: { image: app:1, command: ["sh", "-c", "sleep 2 && npm run migrate"] }
        web:
          image: app:1
          depends_on: { migrate: { condition: service_completed_successfully } }
    `,
    },
    {
      name: 'exec after set -e on several lines',
      compose: `
      services:
        web:
          image: app:1
          command:
            - /bin/bash
            - -euo
            - pipefail
            - -c
            - |
              # prepare
              ./prepare.sh
              exec ./server --port 80
    `,
    },
  ],
  invalid: [
    {
      name: 'list form, && without exec',
      code: `
        services:
          web:
            image: node:20
            command: ["sh", "-c", "npm run migrate && node server.js"]
      `,
      errors: [{ line: 4, column: 27, service: 'web', message: '`sh -c` without `exec`', severity: 'warning' }],
    },
    {
      name: 'string command through bash -c',
      code: `
        services:
          web:
            image: nginx:1.27
            command: /bin/bash -c "envsubst < /t > /etc/nginx/conf.d/default.conf && nginx -g 'daemon off;'"
      `,
      errors: [{ line: 4, column: 14, service: 'web', message: 'command through `bash -c`' }],
    },
    {
      name: 'entrypoint is the shell, command is the script',
      code: `
        services:
          web:
            image: app:1
            entrypoint: ["/bin/sh", "-c"]
            command: ["./migrate && ./server"]
      `,
      errors: [{ line: 5, column: 15, message: 'runs its command through `sh -c`' }],
    },
    {
      name: 'script in the entrypoint',
      code: `
        services:
          web:
            image: app:1
            entrypoint:
              - bash
              - -c
              - ./migrate; ./server
      `,
      errors: [{ line: 7, column: 9, message: 'runs its entrypoint through `bash -c`' }],
    },
    {
      name: 'pipeline at the end, even with exec',
      code: `
        services:
          web: { image: app:1, command: ["sh", "-c", "exec ./server | tee /tmp/log"] }
      `,
      errors: [{ line: 2, message: 'pipeline' }],
    },
    {
      name: 'background job and wait without trap',
      code: `
        services:
          web: { image: app:1, command: ["sh", "-c", "./server & ./worker & wait"] }
      `,
      errors: [{ line: 2, message: 'waits on background jobs' }],
    },
    {
      name: 'keep-alive loop',
      code: `
        services:
          web: { image: app:1, command: ["sh", "-c", "while true; do ./tick; sleep 60; done"] }
      `,
      errors: [{ line: 2, message: 'through `sh -c` without `exec`' }],
    },
    {
      name: 'gosu before the shell',
      code: `
        services:
          web: { image: app:1, command: gosu app sh -ec "./migrate && ./server" }
      `,
      errors: [{ line: 2, service: 'web', message: 'through `sh -c` without `exec`' }],
    },
    {
      name: 'init: false does not help',
      code: `
        services:
          web: { image: app:1, init: false, command: ["sh", "-c", "a && b"] }
      `,
      errors: [{ line: 2, message: 'through `sh -c` without `exec`' }],
    },
  ],
});
