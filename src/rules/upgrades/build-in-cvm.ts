import type { Rule } from '../types.js';

/** A build context the CVM can fetch by itself (git repository or tarball URL), not a local directory. */
const REMOTE_CONTEXT = /^(https?:\/\/|git@|git:\/\/|ssh:\/\/|github\.com\/)/i;

export const buildInCvm: Rule = {
  id: 'build-in-cvm',
  section: 'upgrades',
  severity: 'error',
  title: 'Service is built inside the CVM (`build:`)',
  rationale:
    'The CVM starts the app with `docker compose up --remove-orphans -d --build`, so a `build:` section is ' +
    'built on every boot, and only app-compose.json is shipped into the CVM: a local build context and its ' +
    'Dockerfile are not there (docs/platform.md#boot-sequence, docs/platform.md#shipped-files). Images built ' +
    'from `dockerfile_inline` have shown empty logs (phala-cloud#193, docs/platform.md#reported-problems). A ' +
    'build on boot also makes what runs depend on the build-time state of base images and package mirrors, not ' +
    'on the attested compose text.',
  fixHint:
    'Build and push the image in CI, then reference it with `image: registry/app:1.4.2@sha256:…` and remove `build:`.',
  example: {
    bad: `services:
  web:
    build: .
`,
    good: `services:
  web:
    image: ghcr.io/acme/shop:1.4.2
`,
  },
  check(ctx) {
    for (const [name, svc] of ctx.services) {
      const build = svc.build;
      if (!build) continue;
      const at = { service: name, path: ['services', name, 'build'] as const };
      if (build.dockerfile_inline !== undefined) {
        ctx.report({
          ...at,
          severity: 'warning',
          message: (who) =>
            `${who} ${who.v('is', 'are')} built in the CVM from dockerfile_inline on every boot; such images ` +
            `have shown empty logs on Phala Cloud (phala-cloud 193)`,
        });
        continue;
      }
      const context = build.context ?? '.';
      if (REMOTE_CONTEXT.test(context)) {
        ctx.report({
          ...at,
          severity: 'warning',
          message: (who) =>
            `${who} ${who.v('is', 'are')} built in the CVM from ${context} on every boot, so what runs depends ` +
            `on that repository at boot time`,
        });
        continue;
      }
      ctx.report({
        ...at,
        message: (who) =>
          `${who} ${who.v('is', 'are')} built in the CVM from the local context ${context}, which is not ` +
          `shipped (only the compose YAML is): the build fails at boot`,
      });
    }
  },
};
