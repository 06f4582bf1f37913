import { fixTester } from '../../../test/support/fix-tester.js';
import { imageNoDigest } from './image-no-digest.js';

const DIGEST = 'sha256:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb';

fixTester(imageNoDigest, {
  apply: [
    {
      name: 'the supplied digest is appended to the written image, quoting kept',
      code: `
        services:
          db:
            image: "postgres:16.4"
      `,
      output: `
        services:
          db:
            image: "postgres:16.4@${DIGEST}"
      `,
      digests: { 'postgres:16.4': DIGEST },
    },
  ],
  refuse: [
    {
      name: 'no digest supplied: none invented',
      code: `
        services:
          db:
            image: postgres:16.4
      `,
      reason: 'no digest given for postgres:16.4',
    },
    {
      name: 'the image is built from a variable',
      code: {
        compose: `
          services:
            db:
              image: \${REGISTRY:-docker.io}/postgres:16.4
        `,
      },
      reason: 'variable',
      digests: { 'postgres:16.4': DIGEST },
    },
  ],
});
