import { ruleTester } from '../rule-tester.js';
import { plaintextSecret } from './plaintext-secret.js';

// Fake tokens assembled at runtime so this file does not itself look like a leak.
const GH = 'ghp_' + 'aB3dE5gH7jK9mN1pQ3sT5vW7yZ9bC1dE3fG5';
const AWS_ID = 'AKIA' + 'IOSFODNN7EXAMPLE';
const STRIPE = 'sk_live_' + '51Hab3De5Gh7Jk9Mn1Pq3St5';
const ANTHROPIC = 'sk-ant-api03-' + 'Ab3De5Gh7Jk9Mn1Pq3St5Vw7Yz9Bc1De3Fg5Hj7';
const JWT =
  'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9' +
  '.eyJzdWIiOiIxMjM0NTY3ODkwIn0' +
  '.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U';
const RANDOM = 'q8Zr2Lx9' + 'Vw4Tn7Kd1Pm6';

ruleTester(plaintextSecret, {
  valid: [
    {
      name: 'near-misses: settings about secrets, _FILE paths, references, booleans, numbers, empty',
      compose: `
        services:
          web:
            image: app:1
            environment:
              PASSWORD_MIN_LENGTH: 8
              JWT_SECRET_FILE: /run/secrets/x
              API_KEY: \${API_KEY}
              ENABLE_AUTH: "true"
              DATABASE_URL: postgres://user:\${DB_PASSWORD}@db/app
              DB_PASSWORD:
              SESSION_SECRET: ""
              TOKEN_TTL: "3600"
              AUTH_ENABLED: yes
              REDIS_PASSWORD: none
              DATABASE_PASSWORD: /run/secrets/db-password
              LOG_LEVEL: debug
            labels:
              com.example.auth-provider: oidc
            healthcheck:
              test: ["CMD-SHELL", "mysqladmin ping --password=\\"$$(cat /run/secrets/db-password)\\""]
            command: ["app", "--token", "$$API_TOKEN", "--password=\${DB_PASSWORD}"]
      `,
    },
    {
      name: 'inline config without secrets',
      compose: `
        services:
          app: { image: app:1 }
        configs:
          app-config:
            content: |
              token_ttl = 3600
              api_key = "\${API_KEY}"
              auth_enabled = true
      `,
    },
    {
      name: 'a value from .env reaches the model, but the compose file holds only the reference',
      compose: `
        services:
          web:
            image: app:1
            environment:
              GITHUB_TOKEN: \${GITHUB_TOKEN}
      `,
      env: `GITHUB_TOKEN=${GH}\n`,
    },
  ],
  invalid: [
    {
      name: 'credential-shaped names with literal values (map syntax), severity by kind',
      code: `
        services:
          db:
            image: postgres:16
            environment:
              POSTGRES_PASSWORD: hunter2
              SECRET_KEY_BASE: ${RANDOM}
              MYSQL_PASSWORD: changeme
      `,
      errors: [
        {
          line: 5,
          column: 26,
          service: 'db',
          message: 'service "db" has a literal value (****(7 chars)) in POSTGRES_PASSWORD in environment',
          severity: 'error',
        },
        { line: 6, column: 24, service: 'db', message: 'random-looking', severity: 'error' },
        { line: 7, column: 23, service: 'db', message: 'placeholder', severity: 'warning' },
      ],
    },
    {
      name: 'provider tokens under any name, list syntax',
      code: `
        services:
          web:
            image: app:1
            environment:
              - GH=${GH}
              - AWS_ACCESS_KEY_ID=${AWS_ID}
              - CONFIG_BLOB=${JWT}
      `,
      errors: [
        { line: 5, service: 'web', message: /a literal GitHub token \(gh…\(40 chars\)\) in GH in environment/ },
        { line: 6, service: 'web', message: 'AWS access key id' },
        { line: 7, service: 'web', message: 'JSON Web Token' },
      ],
    },
    {
      name: 'URL with a literal password; the finding points at the password',
      code: `
        services:
          web:
            image: app:1
            environment:
              DATABASE_URL: postgres://app:s3cr3tPass@db:5432/app
      `,
      errors: [{ line: 5, column: 36, service: 'web', message: 'URL with a password' }],
    },
    {
      name: 'command, entrypoint, labels and healthcheck',
      code: `
        services:
          cache:
            image: redis:7
            command: redis-server --requirepass Sup3rS3cretValue
            entrypoint: ["/init", "--token=${STRIPE}"]
            labels:
              traefik.http.middlewares.x.headers.customrequestheaders.Authorization: "Bearer ${ANTHROPIC}"
            healthcheck:
              test: ["CMD-SHELL", "redis-cli -u redis://default:Sup3rS3cretValue@localhost ping"]
      `,
      errors: [
        { line: 4, column: 41, service: 'cache', message: /--requirepass flag \(Su…\(16 chars\)\) in command/ },
        { line: 5, service: 'cache', message: 'Stripe live secret key' },
        { line: 7, service: 'cache', message: 'Anthropic API key' },
        { line: 9, service: 'cache', message: 'URL with a password' },
      ],
    },
    {
      name: 'inline config content (block scalar): points at the line inside it',
      code: `
        services:
          app: { image: app:1, configs: [app-config] }
        configs:
          app-config:
            content: |
              log_level = "info"
              password_min_length = 12
              db_password = "Tr0ub4dor-and-3"
              upstream = "https://api:${GH}@example.com"
      `,
      errors: [
        { line: 8, column: 7, message: 'config "app-config" has a literal value (Tr…(15 chars)) in db_password' },
        { line: 9, column: 7, message: 'in upstream' },
      ],
    },
  ],
});

ruleTester(plaintextSecret, {
  valid: [
    {
      // dstack-examples style: a small server shipped as an inline config and run with node/python.
      name: 'source code in an inline config is not read as key: value (JS target)',
      compose: `
        services:
          app:
            image: node:22-alpine
            command: ["node", "/app/server.js"]
            configs: [{ source: server, target: /app/server.js }]
        configs:
          server:
            content: |
              const password = process.env.DB_PASSWORD || "";
              const config = { user: "app", secret: "development-only" };
              token = req.headers["x-token"];
      `,
    },
    {
      name: 'Python by the config name, shell by its shebang',
      compose: `
        services:
          app: { image: python:3.12-slim, configs: [app.py, entry] }
        configs:
          app.py:
            content: |
              api_key = os.environ["API_KEY"]
              SECRET_KEY = "change-me-in-production-please"
          entry:
            content: |
              #!/bin/sh
              PASSWORD="$$(cat /run/secrets/db_password)"
              exec "$$@"
      `,
    },
    {
      name: 'inline config referencing its own environment ($$ escape) in a flow map and a block',
      compose: `
        services:
          vector: { image: timberio/vector:0.41.1, configs: [vector] }
        configs:
          vector:
            content: |
              sinks:
                remote:
                  auth: { strategy: bearer, token: "$\${LOG_SINK_TOKEN}" }
                  password: "$\${SINK_PASSWORD}"
      `,
    },
  ],
  invalid: [
    {
      name: 'inline config with a literal password in a block value',
      code: `
        services:
          vector: { image: timberio/vector:0.41.1, configs: [vector] }
        configs:
          vector:
            content: |
              sinks:
                remote:
                  password: "Xk9#mQ2!vLp8@wR4"
      `,
      errors: [{ line: 8, message: 'config "vector"' }],
    },
    {
      name: 'source code is still scanned for provider-format credentials',
      code: `
        services:
          app: { image: node:22-alpine, configs: [{ source: server, target: /app/server.js }] }
        configs:
          server:
            content: |
              const s3 = new S3({ accessKeyId: "AKIAIOSFODNN7EXAMPLF" });
      `,
      errors: [{ line: 6, message: 'config "server" has' }],
    },
    {
      name: 'a .env target is a config format',
      code: `
        services:
          app: { image: app:1, configs: [{ source: app-env, target: /app/.env.production }] }
        configs:
          app-env:
            content: |
              DB_PASSWORD=Tr0ub4dor-and-3x
      `,
      errors: [{ line: 6, message: 'in DB_PASSWORD' }],
    },
  ],
});
