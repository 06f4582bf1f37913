import { ruleTester } from '../rule-tester.js';
import { imageNoDigest } from './image-no-digest.js';

const DIGEST = 'sha256:f85340bf132ae937d2c2a763b8335c9bab35d6e8293f70f606b9c6178d84f42b';

ruleTester(imageNoDigest, {
  valid: [
    `
    services:
      app:
        image: busybox@${DIGEST}
      web:
        image: nginx:1.27@${DIGEST}
    `,
    {
      name: "built images are build-in-cvm's concern",
      compose: `
        services:
          app:
            build: { context: "https://github.com/org/app.git#v1.2" }
      `,
    },
    {
      name: "no tag or a moving tag is image-unpinned's finding, not a second one here",
      compose: `
        services:
          a: { image: nginx }
          b: { image: "redis:latest" }
          c: { image: "node:lts-slim" }
      `,
    },
    {
      name: "a version from a variable is image-from-variable's finding (Authentik: server:${AUTHENTIK_TAG:-2025.2.4})",
      // goauthentik/authentik docker-compose.yml: image:
      // ${AUTHENTIK_IMAGE:-ghcr.io/goauthentik/server}:${AUTHENTIK_TAG:-2025.2.4}
      compose: `
        services:
          server:
            image: "\${AUTHENTIK_IMAGE:-ghcr.io/goauthentik/server}:\${AUTHENTIK_TAG:-2025.2.4}"
      `,
    },
    {
      name: 'pinned in an anchor every service merges',
      compose: `
        x-app: &app
          image: app:1.2@${DIGEST}
        services:
          web: { <<: *app }
          worker: { <<: *app }
      `,
    },
  ],
  invalid: [
    {
      name: 'one finding for a version tag two services share through an anchor',
      code: `
        x-app: &app
          image: app:1.2.3
        services:
          web: { <<: *app, command: web }
          worker: { <<: *app, command: worker }
      `,
      errors: [
        {
          line: 2,
          messageId: 'noDigest',
          message: 'services "web" and "worker" use image app:1.2.3 without a @sha256: digest',
          related: [
            { line: 4, service: 'web' },
            { line: 5, service: 'worker' },
          ],
        },
      ],
    },
    {
      code: `
        services:
          web:
            image: nginx:1.27.1
          app:
            image: app@${DIGEST}
      `,
      errors: [{ line: 3, column: 12, service: 'web', severity: 'info', message: 'without a @sha256: digest' }],
    },
  ],
});
