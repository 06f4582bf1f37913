import { ruleTester } from '../rule-tester.js';
import { pullPolicyNever } from './pull-policy-never.js';

ruleTester(pullPolicyNever, {
  valid: [
    `
    services:
      web: { image: nginx:1.27 }
      api: { image: api:1, pull_policy: missing }
      job: { image: job:1, pull_policy: always }
    `,
    {
      name: 'an image built in the compose file needs no pull',
      compose: `
        services:
          web: { image: web:dev, build: ., pull_policy: never }
      `,
    },
  ],
  invalid: [
    {
      name: 'a registry image that is never pulled',
      code: `
        services:
          web:
            image: ghcr.io/acme/web:1.4
            pull_policy: never
      `,
      errors: [{ line: 4, column: 18, service: 'web', message: 'ghcr.io/acme/web:1.4 is never there' }],
    },
  ],
});
