import { ruleTester } from '../rule-tester.js';
import { envNameInvalid } from './env-name-invalid.js';

const LONG = 'A'.repeat(256);
const MAX = 'B'.repeat(255);
const many = (n: number) => Array.from({ length: n }, (_, i) => `V${i}`);

ruleTester(envNameInvalid, {
  valid: [
    {
      name: 'valid names, a 255-byte name, exactly 1024 allowed names',
      compose: `
        services:
          web:
            image: app:1
            environment:
              _PRIVATE: \${_PRIVATE}
              LONGEST: \${${MAX}}
      `,
      config: `
        deployment:
          allowed_envs: [${many(1024).join(', ')}]
      `,
    },
    {
      name: "environment keys are the container's, not the CVM's encrypted env",
      compose: `
        services:
          web:
            image: app:1
            environment:
              "my-setting": "1"
      `,
    },
  ],
  invalid: [
    {
      name: 'a referenced name over 255 bytes',
      code: `
        services:
          web:
            image: app:1
            environment:
              X: \${${LONG}}
      `,
      errors: [{ line: 5, column: 10, service: 'web', message: /a name of 256 bytes; the CVM accepts at most 255/ }],
    },
    {
      name: 'allowed_envs entries the CVM rejects, and too many of them',
      code: {
        compose: `
          services:
            web: { image: app:1 }
        `,
        config: `
          deployment:
            allowed_envs: ["1ST", "MY-VAR", ${many(1024).join(', ')}]
        `,
      },
      errors: [
        { line: 2, message: /allowed_envs lists "1ST", which is not a valid name/ },
        { line: 2, message: /allowed_envs lists "MY-VAR"/ },
        { line: 2, message: /allowed_envs lists 1026 variables; the CVM accepts at most 1024/ },
      ],
    },
  ],
});
