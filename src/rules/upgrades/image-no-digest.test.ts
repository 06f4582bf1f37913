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
  ],
  invalid: [
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
