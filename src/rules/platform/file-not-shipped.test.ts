import { ruleTester } from '../rule-tester.js';
import { fileNotShipped } from './file-not-shipped.js';

ruleTester(fileNotShipped, {
  valid: [
    {
      name: 'one self-contained file: extends within it, configs with content',
      compose: `
        services:
          base: { image: app:1, restart: always }
          web:
            extends: base
            configs: [conf]
        configs:
          conf: { content: "x=1" }
      `,
    },
    {
      name: 'secrets from a file are secret-file-local’s, not this rule’s',
      compose: `
        services:
          web: { image: app:1, secrets: [pw] }
        secrets:
          pw: { file: ./pw.txt }
      `,
    },
  ],
  invalid: [
    {
      name: 'include: each file, at its path',
      code: {
        compose: `
          include:
            - db.yaml
            - path: [cache.yaml]
          services:
            web: { image: app:1, depends_on: [db, cache] }
        `,
        extra: {
          'db.yaml': 'services:\n  db: { image: postgres:16 }\n',
          'cache.yaml': 'services:\n  cache: { image: redis:7 }\n',
        },
      },
      errors: [
        { line: 2, column: 5, message: 'include: db.yaml is a local file the CVM does not get' },
        { line: 3, message: 'include: cache.yaml' },
      ],
    },
    {
      name: 'an include inside an included file points into that file',
      code: {
        compose: `
          include: [db.yaml]
          services:
            web: { image: app:1 }
        `,
        extra: {
          'db.yaml': 'include: [more.yaml]\nservices:\n  db: { image: postgres:16 }\n',
          'more.yaml': 'services: {}\n',
        },
      },
      errors: [
        { line: 1, file: 'docker-compose.yml', message: 'include: db.yaml' },
        { line: 1, file: 'db.yaml', message: 'include: more.yaml' },
      ],
    },
    {
      name: 'extends: file: at the file value, naming the service',
      code: {
        compose: `
          services:
            web:
              extends: { file: common.yaml, service: base }
        `,
        extra: { 'common.yaml': 'services:\n  base: { image: app:1 }\n' },
      },
      errors: [{ line: 3, column: 22, service: 'web', message: 'service "web" extends a service from common.yaml' }],
    },
    {
      name: 'configs read from a file, naming the services that use it',
      code: `
        services:
          web: { image: nginx:1.27, configs: [site] }
        configs:
          site: { file: ./nginx.conf }
      `,
      errors: [{ line: 4, message: 'config "site" is read from the local file ./nginx.conf, used by "web"' }],
    },
  ],
});
