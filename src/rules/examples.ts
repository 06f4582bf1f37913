import type { RuleExample } from '../findings/catalogue.js';

/**
 * One example per check rule for `preflight explain` and docs/rules.md: `bad` is a compose file that
 * draws the rule's finding, `good` the same file fixed. src/rules/examples.test.ts runs every one
 * through the rule, so an example cannot drift from what the rule does.
 */
const EXAMPLES: Record<string, RuleExample> = {
  'restart-policy': {
    bad: `services:
  web:
    image: ghcr.io/acme/shop:1.4.2
`,
    good: `services:
  web:
    image: ghcr.io/acme/shop:1.4.2
    restart: unless-stopped
`,
  },
  'stop-grace-period': {
    bad: `services:
  db:
    image: postgres:16.4
    restart: unless-stopped
    volumes:
      - pgdata:/var/lib/postgresql/data
volumes:
  pgdata:
`,
    good: `services:
  db:
    image: postgres:16.4
    restart: unless-stopped
    stop_grace_period: 1m
    volumes:
      - pgdata:/var/lib/postgresql/data
volumes:
  pgdata:
`,
  },
  'stateful-no-volume': {
    bad: `services:
  db:
    image: postgres:16.4
    restart: unless-stopped
`,
    good: `services:
  db:
    image: postgres:16.4
    restart: unless-stopped
    volumes:
      - pgdata:/var/lib/postgresql/data
volumes:
  pgdata:
`,
  },
  'anonymous-volume': {
    bad: `services:
  cache:
    image: redis:7.4
    restart: unless-stopped
    volumes:
      - /data
`,
    good: `services:
  cache:
    image: redis:7.4
    restart: unless-stopped
    volumes:
      - redis-data:/data
volumes:
  redis-data:
`,
  },
  'image-unpinned': {
    bad: `services:
  web:
    image: ghcr.io/acme/shop:latest
    restart: unless-stopped
`,
    good: `services:
  web:
    image: ghcr.io/acme/shop:1.4.2
    restart: unless-stopped
`,
  },
  'plaintext-secret': {
    bad: `services:
  web:
    image: ghcr.io/acme/shop:1.4.2
    environment:
      STRIPE_SECRET_KEY: sk_live_51HxQ2eKz8vN3mP4qR7sT9uW
`,
    good: `services:
  web:
    image: ghcr.io/acme/shop:1.4.2
    environment:
      STRIPE_SECRET_KEY: \${STRIPE_SECRET_KEY:?set it in the encrypted secrets}
`,
  },
  'required-env-unguarded': {
    bad: `services:
  web:
    image: ghcr.io/acme/shop:1.4.2
    environment:
      DB_PASSWORD: \${DB_PASSWORD}
`,
    good: `services:
  web:
    image: ghcr.io/acme/shop:1.4.2
    environment:
      DB_PASSWORD: \${DB_PASSWORD:?DB_PASSWORD is required}
`,
  },
  'docker-socket': {
    bad: `services:
  agent:
    image: portainer/agent:2.21.0
    volumes:
      - /var/run/docker.sock:/var/run/docker.sock
`,
  },
  'build-in-cvm': {
    bad: `services:
  web:
    build: .
`,
    good: `services:
  web:
    image: ghcr.io/acme/shop:1.4.2
`,
  },
  'tmpfs-data': {
    bad: `services:
  db:
    image: postgres:16.4
    tmpfs:
      - /var/lib/postgresql/data
`,
    good: `services:
  db:
    image: postgres:16.4
    volumes:
      - pgdata:/var/lib/postgresql/data
volumes:
  pgdata:
`,
  },
  privileged: {
    bad: `services:
  web:
    image: ghcr.io/acme/shop:1.4.2
    privileged: true
`,
    good: `services:
  web:
    image: ghcr.io/acme/shop:1.4.2
`,
  },
  'shell-pid1': {
    bad: `services:
  worker:
    image: ghcr.io/acme/worker:2.0.1
    command: sh -c "python migrate.py && python worker.py"
`,
    good: `services:
  worker:
    image: ghcr.io/acme/worker:2.0.1
    command: sh -c "python migrate.py && exec python worker.py"
`,
  },
  'relative-bind-mount': {
    bad: `services:
  web:
    image: nginx:1.27
    volumes:
      - ./nginx.conf:/etc/nginx/nginx.conf:ro
`,
    good: `services:
  web:
    image: nginx:1.27
    configs:
      - source: nginx
        target: /etc/nginx/nginx.conf
configs:
  nginx:
    content: |
      events {}
      http { server { listen 80; } }
`,
  },
};

export function ruleExample(id: string): RuleExample | undefined {
  return Object.hasOwn(EXAMPLES, id) ? EXAMPLES[id] : undefined;
}

/** Ids with an example (the test checks each against its rule). */
export function exampleIds(): string[] {
  return Object.keys(EXAMPLES);
}
