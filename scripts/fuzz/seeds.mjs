/**
 * Built-in seeds besides the corpus: compose files that exercise what the corpus rarely has
 * (extends, include-free secrets, interpolation, healthchecks, configs content), and the other inputs.
 */
export const SEEDS = {
  compose: [
    `services:
  web:
    image: nginx:1.27
    restart: unless-stopped
    ports: ["8080:80"]
    depends_on:
      db: {condition: service_healthy}
    environment:
      DATABASE_URL: postgres://app:\${DB_PASSWORD:?need it}@db/app
      - ignored
  db:
    image: postgres:16
    volumes: [pgdata:/var/lib/postgresql/data]
    environment:
      POSTGRES_PASSWORD: \${DB_PASSWORD:-changeme}
    healthcheck:
      test: ["CMD-SHELL", "pg_isready -U postgres"]
      interval: 10s
      retries: 5
volumes:
  pgdata: {}
`,
    `x-base: &base
  image: redis:7
  command: ["redis-server", "--requirepass", "\${REDIS_PASSWORD}"]
services:
  cache:
    <<: *base
    labels:
      - "traefik.http.middlewares.a.basicauth.users=admin:$$apr1$$x"
  worker:
    extends: cache
    environment:
      - TOKEN=\${TOKEN-default}
configs:
  app:
    content: |
      password=\${DB_PASSWORD}
      level=info
secrets:
  key:
    environment: API_KEY
`,
    `services:
  app:
    build:
      context: .
      args: [NPM_TOKEN=\${NPM_TOKEN}]
    image: app:\${TAG:-latest}
    profiles: [debug]
    volumes:
      - type: volume
        source: data
        target: /data
      - ./logs:/logs:ro
    deploy: {replicas: 2}
volumes:
  data:
    name: \${VOLUME_NAME:-data}
`,
  ],
  env: [
    'DB_PASSWORD=s3cret\nTOKEN="multi\\nline"\nexport API_KEY=\'single $quoted\'\nEMPTY=\n# ' +
      'comment\nREF=${DB_PASSWORD}x\n',
    'A=1\nB=${A}${A}\nC="${B:-x}"\nD=${UNSET:-d}\n',
    'REDIS_PASSWORD=abc def # comment\nNPM_TOKEN=npm_xxx\n',
  ],
  config: [
    'rules:\n  image-no-digest: off\n  healthcheck-missing: error\nexemptions:\n  - rule: restart-policy\n    ' +
      'service: web\n    reason: fine\ndeployment:\n  public_logs: false\n  allowed_envs: [DB_PASSWORD]\n',
    'drill:\n  rounds: 2\n',
  ],
  manifest: {
    manifest_version: 2,
    name: 'fuzz',
    runner: 'docker-compose',
    public_logs: false,
    kms_enabled: true,
    allowed_envs: ['DB_PASSWORD'],
    pre_launch_script: '#!/bin/sh\necho hi\n',
  },
};
