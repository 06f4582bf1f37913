import { ruleTester } from '../rule-tester.js';
import { restartServesOldVersion } from './restart-serves-old-version.js';

ruleTester(restartServesOldVersion, {
  valid: [
    {
      name: 'other restart policies, a database image, and restart: always on a service with no traffic and no data',
      compose: `
        services:
          web: { image: "app:1.2.3", restart: on-failure, ports: ["80:8080"] }
          db: { image: "postgres:16.4", restart: unless-stopped }
          cache: { image: "redis:7.4.1", restart: always, ports: ["6379:6379"] }
          ticker: { image: "ticker:1.0.0", restart: always }
          reader:
            image: reader:1.0.0
            restart: always
            volumes: ["models:/models:ro"]
        volumes:
          models: {}
      `,
    },
    {
      name: 'a one-shot job',
      compose: `
        services:
          migrate: { image: "app:1.2.3", restart: always, deploy: { restart_policy: { condition: none } \
}, ports: ["9000:9000"] }
      `,
    },
  ],
  invalid: [
    {
      name: 'traffic and writes; Phala defaults pull at boot',
      code: `
        services:
          web:
            image: app:1.2.3
            restart: always
            ports: ["80:8080"]
          worker:
            image: worker:1.2.3
            restart: always
            volumes: ["jobs:/var/jobs"]
        volumes:
          jobs: {}
      `,
      errors: [
        { line: 4, column: 14, service: 'web', severity: 'info', message: /takes traffic.*docker compose pull/ },
        { line: 8, service: 'worker', message: 'takes writes' },
      ],
    },
    {
      name: 'an app that keeps data is not a data store: its old version writes',
      code: `
        services:
          git:
            image: gitea/gitea:1.22.3
            restart: always
            volumes: ["./gitea:/data"]
      `,
      errors: [{ line: 4, service: 'git', message: 'takes writes' }],
    },
    {
      name: "a custom pre-launch script: the message carries pre-launch-not-ordered's point",
      code: {
        appCompose: JSON.stringify({
          manifest_version: 2,
          runner: 'docker-compose',
          pre_launch_script: '#!/bin/sh\nmkdir -p /dstack/persistent/web\n',
          docker_compose_file: 'services:\n  web:\n    image: app:1.2.3\n    restart: always\n    expose: ["8080"]\n',
        }),
      },
      errors: [
        {
          service: 'web',
          message: new RegExp(
            'recreates it; at every reboot it also starts before the pre_launch_script has run ' +
              String.raw`\(pre-launch-not-ordered\)$`,
          ),
        },
      ],
    },
    {
      name: 'a plain dstack manifest: no pull in the window',
      code: {
        appCompose: JSON.stringify({
          manifest_version: 2,
          runner: 'docker-compose',
          docker_compose_file: 'services:\n  web:\n    image: app:1.2.3\n    restart: always\n    expose: ["8080"]\n',
        }),
      },
      errors: [{ service: 'web', message: /until compose up recreates it$/ }],
    },
  ],
});
