import type { Rule } from '../types.js';

export const pullPolicyNever: Rule = {
  id: 'pull-policy-never',
  section: 'platform',
  severity: 'error',
  title: '`pull_policy: never` on an image the CVM has to pull',
  rationale:
    "A CVM's Docker engine starts with no images: its data disk is created empty at the first boot " +
    '(docs/platform.md#boot-sequence), and `docker compose up` with `pull_policy: never` does not pull, so the ' +
    'service fails with "No such image" on the first boot and on every boot after an upgrade names a new tag.',
  fixHint: 'Remove `pull_policy: never` (or use `missing`), or build the image in the compose file instead.',
  example: {
    bad: `services:
  web:
    image: ghcr.io/acme/shop:1.4.2
    pull_policy: never
`,
    good: `services:
  web:
    image: ghcr.io/acme/shop:1.4.2
    pull_policy: missing
`,
  },
  check(ctx) {
    for (const [name, svc] of ctx.services) {
      if (svc.pull_policy !== 'never' || svc.build || typeof svc.image !== 'string') continue;
      ctx.report({
        service: name,
        valuePath: ['services', name, 'pull_policy'],
        message:
          `service "${name}" has pull_policy: never, but the CVM's engine has no images at first boot, ` +
          `so ${svc.image} is never there and the service does not start`,
      });
    }
  },
};
