import { socketMounts } from '../lib/mounts.js';
import type { Rule } from '../types.js';

export const dockerSocket: Rule = {
  id: 'docker-socket',
  section: 'keys',
  severity: 'warning',
  title: 'Mounts the Docker socket',
  rationale:
    'Mounting `/var/run/docker.sock` hands the container the Docker API of the CVM: it can inspect every other ' +
    'container (their environment holds the decrypted secrets), exec into them and start containers with any ' +
    'mount (docs/platform.md#guest-agent). A read-only mount does not help: the API still works over it.',
  fixHint:
    'Remove the docker.sock mount; if a tool really needs the Docker API, put a filtering proxy (e.g. ' +
    'tecnativa/docker-socket-proxy with only the endpoints it needs) in front of it.',
  example: {
    bad: `services:
  proxy:
    image: traefik:v3.1
    command: --providers.docker=true
    volumes:
      - /var/run/docker.sock:/var/run/docker.sock:ro
`,
    good: `services:
  proxy:
    image: traefik:v3.1
    command: --providers.file.filename=/etc/traefik/routes.yml
    configs:
      - source: routes
        target: /etc/traefik/routes.yml
configs:
  routes:
    content: |
      http:
        routers:
          web: { rule: "PathPrefix(\`/\`)", service: web }
        services:
          web: { loadBalancer: { servers: [{ url: "http://web:8080" }] } }
`,
  },
  check(ctx) {
    for (const [name, svc] of ctx.services) {
      for (const m of socketMounts(svc)) {
        if (m.socket.kind !== 'docker') continue;
        ctx.report({
          service: name,
          path: ['services', name, 'volumes', m.index],
          messageId: 'dockerSocket',
          message: (who) =>
            `${who} ${who.v('mounts', 'mount')} ${m.source}${m.viaDir ? ', which holds docker.sock' : ''}:` +
            ` ${who.v('it controls', 'each controls')} every container and can read their secrets`,
        });
      }
    }
  },
};
