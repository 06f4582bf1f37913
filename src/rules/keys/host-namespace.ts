import type { Service } from '../../compose/types.js';
import { EXPORTER_IMAGES } from '../../knowledge/exporters.js';
import { matchImage } from '../../knowledge/image.js';
import { hostNetworkReported } from '../lib/internal-ports.js';
import type { Rule } from '../types.js';

/** Service keys that share a host namespace when set to `host`. */
const NAMESPACE_KEYS = [
  { key: 'pid', what: 'sees and can signal every process of the guest, including other containers' },
  { key: 'ipc', what: "shares the guest's shared memory and semaphores" },
  {
    key: 'network_mode',
    what:
      "shares the guest's network stack, reaches its local services, and every port it listens on is reachable " +
      'through the gateway',
  },
  { key: 'uts', what: "can change the guest's hostname" },
  { key: 'userns_mode', what: 'runs without user-namespace remapping' },
  { key: 'cgroup', what: "shares the guest's cgroup namespace" },
] as const;

/** Namespaces a host-metrics exporter's documented setup uses (node_exporter README, Docker section). */
const EXPORTER_NAMESPACES = new Set(['pid', 'network_mode']);

export const hostNamespace: Rule = {
  id: 'host-namespace',
  section: 'keys',
  severity: 'warning',
  title: 'Shares a host namespace (pid, ipc, network, …) with the guest',
  rationale:
    "Inside the CVM, the guest OS holds the disk key, the guest agent socket and every container's decrypted " +
    "secrets. A container in the host PID namespace can read other processes' environment and memory; in the " +
    "host network it reaches the guest's local services, and every port it listens on is reachable through the " +
    'gateway (docs/platform.md#ingress; `ports:` is ignored there). Where `published-internal-port` reports an ' +
    'unauthenticated database on the host network, its message says this too, so the line gets one finding. The ' +
    "checklist's own node-exporter sidecar (pid: host with a read-only root mount) is the exception and draws no " +
    'finding.',
  fixHint:
    'Remove `pid: host` / `ipc: host` / `network_mode: host`; publish the ports you need instead. For a ' +
    'node-exporter, mount the host read-only (`/:/host:ro,rslave`) as its documentation shows.',
  example: {
    bad: `services:
  web:
    image: ghcr.io/acme/shop:1.4.2
    network_mode: host
`,
    good: `services:
  web:
    image: ghcr.io/acme/shop:1.4.2
    ports:
      - "8080:8080"
`,
  },
  check(ctx) {
    for (const [name, svc] of ctx.services) {
      const exporter = isDocumentedHostExporter(svc);
      for (const { key, what } of NAMESPACE_KEYS) {
        const value = svc[key];
        if (typeof value !== 'string' || value.trim().toLowerCase() !== 'host') continue;
        if (exporter && EXPORTER_NAMESPACES.has(key)) continue;
        // One line, one finding: published-internal-port's message for an unauthenticated database on the host network
        // says this too.
        if (key === 'network_mode' && hostNetworkReported(ctx, svc)) continue;
        ctx.report({
          service: name,
          valuePath: ['services', name, key],
          messageId: 'hostNamespace',
          message: (who) => `${who} ${who.v('sets', 'set')} ${key}: host, so ${who.v('it', 'each')} ${what}`,
        });
      }
    }
  },
};

/** A node-exporter whose host mounts are all read-only, as its documentation sets it up. */
function isDocumentedHostExporter(svc: Service): boolean {
  const entry = matchImage(EXPORTER_IMAGES, svc.image);
  if (!entry?.hostExporter) return false;
  if (svc.privileged === true) return false;
  return (svc.volumes ?? []).every((v) => v.type !== 'bind' || v.read_only === true);
}
