import { fixTester } from '../../../test/support/fix-tester.js';
import { restartPolicy } from './restart-policy.js';

fixTester(restartPolicy, {
  apply: [
    {
      name: 'adds the policy to the service, keeping comments and order',
      code: `
        # the app
        services:
          web:
            image: nginx:1.27 # front end
            ports: ["8080:80"]
          db: {image: "postgres:16", restart: always}
      `,
      output: `
        # the app
        services:
          web:
            image: nginx:1.27 # front end
            ports: ["8080:80"]
            restart: unless-stopped
          db: {image: "postgres:16", restart: always}
      `,
      header: '[changes behaviour: Docker restarts the container',
    },
    {
      name: 'replaces restart: "no" in place, in its quoting',
      code: `
        services:
          web:
            restart: "no"
            image: nginx:1.27
      `,
      output: `
        services:
          web:
            restart: "unless-stopped"
            image: nginx:1.27
      `,
    },
    {
      name: 'a flow mapping gets the key inside its braces',
      code: `
        services:
          web: {image: nginx:1.27}
      `,
      output: `
        services:
          web: {image: nginx:1.27, restart: unless-stopped}
      `,
    },
    {
      name: 'a merged anchor without a policy: the key goes to the service itself',
      code: `
        x-base: &base
          image: app:1
        services:
          web:
            <<: *base
          api:
            <<: *base
            restart: always
      `,
      output: `
        x-base: &base
          image: app:1
        services:
          web:
            <<: *base
            restart: unless-stopped
          api:
            <<: *base
            restart: always
      `,
    },
  ],
  refuse: [
    {
      name: 'the policy is written in an anchor several services share',
      code: `
        x-base: &base
          image: app:1
          restart: "no"
        services:
          web:
            <<: *base
          api:
            <<: *base
      `,
      reason: 'anchor &base',
    },
    {
      name: 'the service is an alias of another',
      code: `
        services:
          web: &web
            image: app:1
          api: *web
      `,
      reason: /anchor|alias/,
    },
    {
      name: 'the policy comes from an extends base in another file',
      code: {
        compose: `
          services:
            web:
              extends: { file: base.yml, service: app }
        `,
        extra: { 'base.yml': 'services:\n  app:\n    image: app:1\n    restart: "no"\n' },
      },
      reason: 'base.yml',
    },
    {
      name: 'the policy is a variable',
      code: {
        compose: `
          services:
            web:
              image: app:1
              restart: \${RESTART:-no}
        `,
      },
      reason: 'variable',
    },
  ],
});
