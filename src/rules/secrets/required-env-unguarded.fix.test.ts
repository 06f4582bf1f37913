import { fixTester } from '../../../test/support/fix-tester.js';
import { requiredEnvUnguarded } from './required-env-unguarded.js';

fixTester(requiredEnvUnguarded, {
  apply: [
    {
      name: '${VAR} and $VAR get the :? guard at the first reference',
      code: `
        services:
          app:
            image: ghcr.io/acme/app:1.0.0
            environment:
              DATABASE_URL: "postgres://app:\${DB_PASSWORD}@db/app"
              API_TOKEN: $API_TOKEN
      `,
      output: `
        services:
          app:
            image: ghcr.io/acme/app:1.0.0
            environment:
              DATABASE_URL: "postgres://app:\${DB_PASSWORD:?DB_PASSWORD is required}@db/app"
              API_TOKEN: \${API_TOKEN:?API_TOKEN is required}
      `,
      header: 'changes behaviour: compose refuses to start the app when',
    },
  ],
  refuse: [],
});

fixTester(requiredEnvUnguarded, {
  apply: [
    {
      name: 'a bare pass-through list item gets a guarded value',
      code: `
        services:
          app:
            image: ghcr.io/acme/app:1.0.0
            environment:
              - LOG_LEVEL=info
              - HF_TOKEN
      `,
      output: `
        services:
          app:
            image: ghcr.io/acme/app:1.0.0
            environment:
              - LOG_LEVEL=info
              - HF_TOKEN=\${HF_TOKEN:?HF_TOKEN is required}
      `,
    },
  ],
  refuse: [],
});
