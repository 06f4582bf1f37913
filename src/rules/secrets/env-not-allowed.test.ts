import { ruleTester } from '../rule-tester.js';
import { envNotAllowed } from './env-not-allowed.js';

const compose = `
  services:
    web:
      image: app:1
      environment:
        API_KEY: \${API_KEY:?API_KEY is required}
        LOG_LEVEL: \${LOG_LEVEL:-info}
        DATABASE_URL: postgres://app:\${DB_PASSWORD}@db/app
`;

ruleTester(envNotAllowed, {
  valid: [
    { name: 'allowed_envs unknown (Phala Cloud sets it from the keys sent)', compose },
    {
      name: 'every referenced name allowed (.preflight.yml)',
      compose,
      config: `
        deployment:
          allowed_envs: [API_KEY, LOG_LEVEL, DB_PASSWORD]
      `,
    },
    {
      name: 'app-compose.json lists them all',
      appCompose: JSON.stringify({
        manifest_version: 2,
        docker_compose_file: 'services:\n  web:\n    image: app:1\n    environment:\n      TOKEN: ${TOKEN:?}\n',
        allowed_envs: ['TOKEN'],
      }),
    },
    {
      name: '$$ is a literal dollar, not a reference',
      compose: `
        services:
          web: { image: app:1, command: ["sh", "-c", "exec app --home $$HOME"] }
      `,
      config: `
        deployment:
          allowed_envs: []
      `,
    },
  ],
  invalid: [
    {
      name: '.preflight.yml allowed_envs lacks two names; the one with a default is a warning',
      code: {
        compose,
        config: `
          deployment:
            allowed_envs: [API_KEY]
        `,
      },
      errors: [
        {
          line: 6,
          column: 18,
          service: 'web',
          message: '${LOG_LEVEL}, which allowed_envs lacks; the CVM drops it silently and the default is always used',
          severity: 'warning',
        },
        { line: 7, column: 36, service: 'web', message: '${DB_PASSWORD}, which allowed_envs lacks', severity: 'error' },
      ],
    },
    {
      name: 'app-compose.json: points inside the embedded compose file; repeated references give one finding',
      code: {
        appCompose: JSON.stringify({
          manifest_version: 2,
          docker_compose_file:
            'services:\n  web:\n    image: app:1\n    environment:\n      TOKEN: ${TOKEN}\n      TOKEN2: ${TOKEN}\n',
          allowed_envs: ['OTHER'],
        }),
      },
      errors: [
        {
          line: 5,
          service: 'web',
          message: '${TOKEN} (2 references), which allowed_envs lacks',
          file: 'app-compose.json#docker_compose_file',
        },
      ],
    },
    {
      name: "a bare pass-through and a top-level secret's environment: are references too",
      code: {
        compose: `
          services:
            db:
              image: postgres:16
              environment: [POSTGRES_PASSWORD]
              secrets: [api_token]
          secrets:
            api_token: { environment: API_TOKEN }
        `,
        config: `
          deployment:
            allowed_envs: [OTHER]
        `,
      },
      errors: [
        {
          line: 4,
          service: 'db',
          message:
            'service "db" passes POSTGRES_PASSWORD through, which allowed_envs lacks; the CVM drops it silently ' +
            'and it is missing from the container',
          severity: 'error',
        },
        {
          line: 7,
          message:
            'secret "api_token" reads API_TOKEN from the environment, which allowed_envs lacks; the CVM drops ' +
            'it silently and the secret has no value',
          fix: 'Add API_TOKEN to `allowed_envs`',
        },
      ],
    },
  ],
});
