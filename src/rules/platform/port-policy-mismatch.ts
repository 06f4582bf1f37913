import type { ComposeModel, Service } from '../../compose/types.js';
import { deploymentValueLocation } from '../lib/deployment.js';
import type { Rule, RuleContext } from '../types.js';

/** Host addresses that make a published port reachable through the gateway (docs/platform.md#ingress). */
const ALL_INTERFACES = new Set(['', '0.0.0.0', '::', '[::]']);
/** How proxies and servers are told to expect a PROXY protocol header (nginx, HAProxy, Traefik, Envoy, Caddy…). */
const PROXY_PROTOCOL = /proxy[_-]?protocol|accept-proxy|send-proxy|proxyprotocol/i;

interface GatewayPort {
  port: number;
  service: string;
  index: number;
}

/** Ports published on every interface with a fixed host port: the ones `<app>-<port>.<domain>` reaches. */
function gatewayPorts(services: [string, Service][]): GatewayPort[] {
  const out: GatewayPort[] = [];
  for (const [service, svc] of services)
    (svc.ports ?? []).forEach((p, index) => {
      if ((p.protocol ?? 'tcp') !== 'tcp' || !ALL_INTERFACES.has(p.host_ip ?? '')) return;
      const port = Number(String(p.published ?? '').split('-')[0]);
      if (Number.isInteger(port) && port > 0) out.push({ port, service, index });
    });
  return out;
}

/** Whether anything the compose file shows of a service configures PROXY protocol. */
function showsProxyProtocol(model: ComposeModel, svc: Service): boolean {
  const texts = [
    JSON.stringify(svc.command ?? ''),
    JSON.stringify(svc.entrypoint ?? ''),
    JSON.stringify(svc.environment ?? {}),
    JSON.stringify(svc.labels ?? {}),
    ...(svc.configs ?? []).map((c) => model.configs?.[c.source]?.content ?? ''),
  ];
  return texts.some((t) => PROXY_PROTOCOL.test(t));
}

export const portPolicyMismatch: Rule = {
  id: 'port-policy-mismatch',
  section: 'platform',
  severity: 'warning',
  title:
    '`port_policy` that shuts out a port the app serves, or sends PROXY headers to a service that does not expect them',
  rationale:
    'The gateway reaches a published port as `<app id>-<port>.<domain>`. With `port_policy.restrict_mode` it ' +
    'refuses every port the policy does not list, and `pp: true` makes it send a PROXY protocol header at the ' +
    'start of each connection to that port, which the service must then expect (docs/platform.md#ingress; ' +
    'port_policy exists since dstack v0.5.11). A service that does not parse the header reads it as the start of ' +
    'the request and fails every one.',
  fixHint:
    'List every port the gateway should reach in `port_policy.ports`; set `pp: true` only on a port whose ' +
    'server is configured for PROXY protocol (nginx `listen … proxy_protocol`, HAProxy `accept-proxy`, Traefik ' +
    '`proxyProtocol`).',
  example: {
    file: 'app-compose.json',
    bad: `{
  "manifest_version": 2,
  "name": "shop",
  "runner": "docker-compose",
  "docker_compose_file": "services:\\n  web:\\n    image: ghcr.io/acme/shop:1.4.2\\n    ports: [\\"80:8080\\"]\\n",
  "port_policy": {
    "restrict_mode": true,
    "ports": []
  }
}
`,
    good: `{
  "manifest_version": 2,
  "name": "shop",
  "runner": "docker-compose",
  "docker_compose_file": "services:\\n  web:\\n    image: ghcr.io/acme/shop:1.4.2\\n    ports: [\\"80:8080\\"]\\n",
  "port_policy": {
    "restrict_mode": true,
    "ports": [
      {
        "port": 80
      }
    ]
  }
}
`,
  },
  check(ctx) {
    const policy = ctx.deployment.port_policy;
    if (!policy) return;
    const ports = gatewayPorts(ctx.services);
    const listed = new Set((policy.ports ?? []).map((p) => p.port));
    if (policy.restrict_mode) restricted(ctx, ports, listed);
    (policy.ports ?? []).forEach((p, i) => {
      if (!p.pp) return;
      const users = ports.filter((g) => g.port === p.port);
      const blind = users.filter((g) => !showsProxyProtocol(ctx.model, ctx.model.services![g.service]!));
      if (users.length === 0 || blind.length === 0) return;
      const names = [...new Set(blind.map((g) => `"${g.service}"`))].join(', ');
      ctx.report({
        loc:
          deploymentValueLocation(ctx.project, ['port_policy', 'ports', i, 'pp']) ??
          ctx.deploymentLocation('port_policy'),
        message:
          `port ${p.port} has pp: true, so the gateway opens every connection with a PROXY protocol header, ` +
          `but ${names} shows no PROXY-protocol setting (proxy_protocol, accept-proxy…): it reads the header as ` +
          `the start of the request`,
      });
    });
  },
};

function restricted(ctx: RuleContext, ports: GatewayPort[], listed: Set<number>): void {
  if (ports.length === 0) return;
  const loc =
    deploymentValueLocation(ctx.project, ['port_policy', 'restrict_mode']) ?? ctx.deploymentLocation('port_policy');
  if (!ports.some((g) => listed.has(g.port))) {
    const all = [...new Set(ports.map((g) => g.port))].join(', ');
    ctx.report({
      loc,
      message:
        `port_policy.restrict_mode refuses every port not listed, and none of the published ports (${all}) is ` +
        `listed: the app has no route through the gateway`,
    });
    return;
  }
  for (const g of ports) {
    if (listed.has(g.port)) continue;
    ctx.report({
      service: g.service,
      valuePath: ['services', g.service, 'ports', g.index],
      severity: 'info',
      message: (who) =>
        `${who} ${who.v('publishes', 'publish')} port ${g.port}, which port_policy does not list: with ` +
        `restrict_mode the gateway refuses it, so the published port is reachable from nowhere`,
    });
  }
}
