import { ruleTester } from '../rule-tester.js';
import { suppressionWithoutReason } from './suppression-without-reason.js';

ruleTester(suppressionWithoutReason, {
  valid: [
    `
    services:
      web:
        image: nginx:1.27 # preflight-ignore image-no-digest -- pinned by our registry mirror
    `,
    `
    services:
      # a comment that mentions preflight but no directive
      web: { image: nginx:1.27 }
    `,
  ],
  invalid: [
    {
      name: 'directive without a reason',
      code: `
        services:
          web:
            # preflight-ignore restart-policy
            image: nginx:1.27
      `,
      errors: [{ line: 3, column: 1, message: 'needs a reason' }],
    },
    {
      name: 'empty reason after the separator',
      code: `
        services:
          web:
            image: nginx:1.27 # preflight-ignore image-no-digest --
      `,
      errors: [{ line: 3, message: 'preflight-ignore image-no-digest' }],
    },
  ],
});
