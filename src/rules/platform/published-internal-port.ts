import type { Service, ServicePort } from '../../compose/types.js';
import { matchImage, parseImage } from '../../knowledge/image.js';
import { INTERNAL_PORTS, type EnvSign, type InternalPortEntry } from '../../knowledge/internal-ports.js';
import { commandLine, envString } from '../lib/services.js';
import type { Rule } from '../types.js';

/** Host addresses only the CVM itself can reach: a port bound there is not behind the gateway. */
const LOOPBACK = /^(?:127(?:\.\d{1,3}){3}|::1|\[::1\]|localhost)$/i;

function hasSign(svc: Service, signs: readonly EnvSign[] | undefined): boolean {
  return (signs ?? []).some(({ name, value }) => {
    if (!svc.environment || !(name in svc.environment)) return false;
    // A value from a variable unset here still shows the setting is made (the env supplies it).
    const v = envString(svc, name) ?? '';
    return value ? value.test(v) : true;
  });
}

/** The image tag's major version (`8.15.0`, `8-alpine`), if it starts with one. */
function tagMajor(image: string | undefined): number | undefined {
  const m = image ? /^(\d+)(?:[.-]|$)/.exec(parseImage(image).tag ?? '') : null;
  return m ? Number(m[1]) : undefined;
}

/** Whether the compose file shows authentication on the product's ports. */
export function showsAuthentication(svc: Service, entry: InternalPortEntry): boolean {
  if (hasSign(svc, entry.noAuthEnv)) return false;
  if (entry.authByDefault || hasSign(svc, entry.authEnv)) return true;
  const since = entry.authByDefaultSince;
  const major = tagMajor(svc.image);
  if (since && major !== undefined && major >= since.major) return true;
  const cmd = `${commandLine(svc.entrypoint)} ${commandLine(svc.command)}`;
  return entry.authCommand?.test(cmd) ?? false;
}

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
    "On a CVM every port published with `ports:` on all interfaces is reachable from the internet through the gateway at `<app-id>-<port>.<gateway domain>`; one bound to 127.0.0.1 or only `expose`d is not (docs/platform.md#ingress). A database, cache, queue or admin UI published that way with no authentication the compose file shows (Redis, MongoDB, Memcached and Elasticsearch before 8 start without any; Postgres with POSTGRES_HOST_AUTH_METHOD=trust) lets anyone read and change the app's data. The app's other containers reach it by service name without `ports:`.",
  fixHint:
    "Remove the `ports:` entry (containers on the compose network reach the service by name; `expose:` documents the port), bind it to loopback (`127.0.0.1:6379:6379`) for tools on the CVM, or turn on the product's authentication (e.g. `--requirepass ${REDIS_PASSWORD}`, MONGO_INITDB_ROOT_PASSWORD).",
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
    const policy = ctx.deployment.port_policy;
    // With restrict_mode the gateway refuses every port the policy does not list (docs/platform.md#ingress).
    const gatewayAccepts = (port: number | undefined) =>
      !policy?.restrict_mode || (port !== undefined && (policy.ports ?? []).some((p) => p.port === port));
    for (const [name, svc] of ctx.services) {
      if (svc.network_mode === 'host') continue;
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
          if (!gatewayAccepts(hostPort)) continue;
          hits.push({ index, port, ...(hostPort !== undefined && { published: hostPort }) });
        }
      });
      if (!hits.length) continue;
      const first = hits[0]!;
      const said = hits
        .map(
          (h) =>
            `${h.port.port} (${h.port.what})${h.published !== undefined && h.published !== h.port.port ? ` as ${h.published}` : ''}`,
        )
        .join(', ');
      ctx.report({
        service: name,
        valuePath: ['services', name, 'ports', first.index],
        messageId: 'published',
        message: (who) =>
          `${who} (${entry.product}, ${/^[aeiou]/i.test(entry.kind) ? 'an' : 'a'} ${entry.kind}) ${who.v('publishes', 'publish')} port${hits.length > 1 ? 's' : ''} ${said} with no authentication the compose file shows: anyone can reach ${hits.length > 1 ? 'them' : 'it'} through the gateway`,
      });
    }
  },
};
