import type { ServicePort } from '../../compose/types.js';
import { matchImage } from '../../knowledge/image.js';
import { INTERNAL_PORTS } from '../../knowledge/internal-ports.js';
import { gatewayAccepts, hostNetworkPorts, LOOPBACK, showsAuthentication } from '../lib/internal-ports.js';
import type { Rule } from '../types.js';

/** The container ports a `ports:` entry covers (`5432`, or a range `9200-9300`). */
function targets(p: ServicePort): number[] {
  const m = /^(\d+)(?:-(\d+))?$/.exec(String(p.target).trim());
  if (!m) return [];
  const from = Number(m[1]);
  const to = m[2] ? Number(m[2]) : from;
  return to - from > 1000 ? [] : Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

export const publishedInternalPort: Rule = {
  id: 'published-internal-port',
  section: 'platform',
  severity: 'warning',
  title: 'Database, cache, queue or admin UI port published without authentication',
  rationale:
    'On a CVM every port published with `ports:` on all interfaces is reachable from the internet through the ' +
    'gateway at `<app-id>-<port>.<gateway domain>`; one bound to 127.0.0.1 or only `expose`d is not, and with ' +
    '`network_mode: host` every port the container listens on is (docs/platform.md#ingress). A database, cache, ' +
    'queue or admin UI published that way with no authentication the compose file shows (Redis, MongoDB, ' +
    'Memcached and Elasticsearch before 8 start without any; Postgres with POSTGRES_HOST_AUTH_METHOD=trust) lets ' +
    "anyone read and change the app's data. The app's other containers reach it by service name without " +
    '`ports:`.',
  fixHint:
    'Remove the `ports:` entry (containers on the compose network reach the service by name; `expose:` ' +
    'documents the port), bind it to loopback (`127.0.0.1:6379:6379`) for tools on the CVM, or turn on the ' +
    "product's authentication (e.g. `--requirepass ${REDIS_PASSWORD}`, MONGO_INITDB_ROOT_PASSWORD).",
  example: {
    bad: `services:
  cache:
    image: redis:7.4
    ports:
      - "6379:6379"
`,
    good: `services:
  cache:
    image: redis:7.4
    expose:
      - "6379"
`,
  },
  check(ctx) {
    // With restrict_mode the gateway refuses every port the policy does not list (docs/platform.md#ingress).
    const accepts = (port: number | undefined) => gatewayAccepts(ctx.deployment, port);
    for (const [name, svc] of ctx.services) {
      if (svc.network_mode?.trim().toLowerCase() === 'host') {
        // Every port it listens on is reachable; host-namespace leaves this service's network_mode to this finding.
        const { entry, ports } = hostNetworkPorts(svc);
        const reachable = entry?.ports.filter((p) => ports.includes(p.port) && accepts(p.port)) ?? [];
        if (!entry || !reachable.length) continue;
        ctx.report({
          service: name,
          valuePath: ['services', name, 'network_mode'],
          messageId: 'hostNetwork',
          message: (who) =>
            `${who} (${entry.product}) ${who.v('sets', 'set')} network_mode: host, ` +
            `so ${reachable.map((p) => `${p.port} (${p.what})`).join(', ')} ${reachable.length > 1 ? 'are' : 'is'} ` +
            `reachable through the gateway with no authentication the compose file shows, ` +
            `and ${who.v('it shares', 'they share')} the guest's network stack`,
        });
        continue;
      }
      const entry = matchImage(INTERNAL_PORTS, svc.image);
      if (!entry || showsAuthentication(svc, entry)) continue;
      const hits: { index: number; port: { port: number; what: string }; published?: number }[] = [];
      (svc.ports ?? []).forEach((p, index) => {
        if (String(p.protocol ?? 'tcp').toLowerCase() === 'udp') return; // udp-port's finding
        if (p.host_ip && LOOPBACK.test(p.host_ip.trim())) return;
        const published =
          p.published !== undefined && /^\d+$/.test(String(p.published)) ? Number(p.published) : undefined;
        for (const t of targets(p)) {
          const port = entry.ports.find((k) => k.port === t);
          if (!port) continue;
          const hostPort = published ?? (p.published === undefined ? undefined : t);
          if (!accepts(hostPort)) continue;
          hits.push({ index, port, ...(hostPort !== undefined && { published: hostPort }) });
        }
      });
      if (!hits.length) continue;
      const first = hits[0]!;
      const said = hits
        .map(
          (h) =>
            `${h.port.port} ` +
            `(${h.port.what})${h.published !== undefined && h.published !== h.port.port ? ` as ${h.published}` : ''}`,
        )
        .join(', ');
      ctx.report({
        service: name,
        valuePath: ['services', name, 'ports', first.index],
        messageId: 'published',
        message: (who) =>
          `${who} (${entry.product}, ${/^[aeiou]/i.test(entry.kind) ? 'an' : 'a'} ${entry.kind})` +
          ` ${who.v('publishes', 'publish')} port${hits.length > 1 ? 's' : ''} ${said} with no authentication ` +
          `the compose file shows: anyone can reach ${hits.length > 1 ? 'them' : 'it'} through the gateway`,
      });
    }
  },
};
