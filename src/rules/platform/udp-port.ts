import type { Rule } from '../types.js';

const UDP = /\/udp$/i;

export const udpPort: Rule = {
  id: 'udp-port',
  section: 'platform',
  severity: 'error',
  title: 'UDP port published or exposed; the gateway cannot carry UDP',
  rationale:
    'Ingress into a CVM goes through the gateway, which routes by TLS SNI (`<app_id>-<port>.<gateway domain>`) ' +
    'and listens on TCP only: there is no UDP path (docs/platform.md#ingress). A published UDP port (DNS, QUIC, ' +
    'WireGuard, game servers) is unreachable from outside. An `expose`d UDP port still works between containers, ' +
    'so it is only noted.',
  fixHint:
    'Serve the protocol over TCP (DNS over TLS/HTTPS, HTTP/2 instead of QUIC, WireGuard over a TCP tunnel) or ' +
    'run the UDP part outside the CVM.',
  example: {
    bad: `services:
  dns:
    image: coredns/coredns:1.11.3
    ports:
      - "53:53/udp"
`,
    good: `services:
  dns:
    image: coredns/coredns:1.11.3
    ports:
      - "853:853" # DNS over TLS (a tls:// server block in the Corefile)
`,
  },
  check(ctx) {
    for (const [name, svc] of ctx.services) {
      (svc.ports ?? []).forEach((p, i) => {
        if (String(p.protocol ?? 'tcp').toLowerCase() !== 'udp') return;
        const port = p.published ?? p.target;
        ctx.report({
          service: name,
          valuePath: ['services', name, 'ports', i],
          messageId: 'published',
          message: (who) => `${who} ${who.v('publishes', 'publish')} UDP port ${port}, which the gateway cannot expose`,
        });
      });
      (svc.expose ?? []).forEach((e, i) => {
        if (!UDP.test(String(e))) return;
        ctx.report({
          service: name,
          severity: 'info',
          valuePath: ['services', name, 'expose', i],
          messageId: 'exposed',
          message: (who) =>
            `${who} ${who.v('exposes', 'expose')} UDP port ${String(e).replace(UDP, '')}: reachable from other ` +
            `containers only, the gateway cannot carry UDP`,
        });
      });
    }
  },
};
