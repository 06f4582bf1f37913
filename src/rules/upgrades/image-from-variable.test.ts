import { ruleTester } from '../rule-tester.js';
import { imageFromVariable } from './image-from-variable.js';

ruleTester(imageFromVariable, {
  valid: [
    {
      name: 'a literal image, pinned or not',
      compose: `
      services:
        web: { image: ghcr.io/acme/app:1.4.2 }
        db: { image: "postgres:16@sha256:0000000000000000000000000000000000000000000000000000000000000000" }
    `,
    },
    {
      name: 'a variable allowed_envs does not list never comes from the env: its default is fixed',
      compose: `
      services:
        web: { image: "ghcr.io/acme/app:\${APP_TAG:-1.4.2}" }
    `,
      config: `
        deployment:
          allowed_envs: [DB_PASSWORD]
      `,
    },
    {
      name: 'a service built here: the image only names the build result (build-in-cvm)',
      compose: `
      services:
        web: { build: ., image: "acme/app:\${TAG}" }
    `,
    },
    {
      name: 'a variable elsewhere in the service is not the image',
      compose: `
      services:
        web: { image: acme/app:1.4.2, environment: { TAG: "\${TAG}" } }
    `,
    },
  ],
  invalid: [
    {
      name: 'the whole image from a variable',
      code: `
        services:
          web:
            image: \${APP_IMAGE}
      `,
      errors: [{ line: 3, service: 'web', messageId: 'wholeImage', message: '${APP_IMAGE}', severity: 'warning' }],
    },
    {
      name: 'the tag from a variable with a default (Immich: immich-server:${IMMICH_VERSION:-release})',
      code: `
        services:
          immich-server:
            image: ghcr.io/immich-app/immich-server:\${IMMICH_VERSION:-release}
      `,
      errors: [
        {
          service: 'immich-server',
          messageId: 'partOfImage',
          message: /\$\{IMMICH_VERSION\}, which the encrypted env sets \(the default applies only when it does not\)/,
        },
      ],
    },
    {
      name: 'Authentik: image and tag from two variables, one finding naming both',
      code: `
        services:
          server:
            image: "\${AUTHENTIK_IMAGE:-ghcr.io/goauthentik/server}:\${AUTHENTIK_TAG:-2025.2.4}"
      `,
      errors: [{ service: 'server', messageId: 'partOfImage', message: '${AUTHENTIK_IMAGE}, ${AUTHENTIK_TAG}' }],
    },
    {
      name: 'allowed_envs lists the variable: the env can set it',
      code: {
        compose: `
          services:
            web: { image: "acme/app:\${TAG:?set TAG}" }
        `,
        config: `
          deployment:
            allowed_envs: [TAG]
        `,
      },
      errors: [{ service: 'web', messageId: 'partOfImage', message: '${TAG}' }],
    },
    {
      name: 'shared through an anchor: one finding for both services',
      code: `
        x-app: &app
          image: "acme/app:\${TAG}"
        services:
          web: { <<: *app }
          worker: { <<: *app }
      `,
      errors: [{ messageId: 'partOfImage', message: 'services "web" and "worker"' }],
    },
  ],
});
