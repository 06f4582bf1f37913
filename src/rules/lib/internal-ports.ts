import type { DeploymentSettings } from '../../compose/deployment.js';
import type { Service } from '../../compose/types.js';
import { matchImage, parseImage } from '../../knowledge/image.js';
import { INTERNAL_PORTS, type EnvSign, type InternalPortEntry } from '../../knowledge/internal-ports.js';
import type { RuleContext } from '../types.js';
import { commandLine, envString } from './services.js';

/** Host addresses only the CVM itself can reach: a port bound there is not behind the gateway. */
export const LOOPBACK = /^(?:127(?:\.\d{1,3}){3}|::1|\[::1\]|localhost)$/i;

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

/**
 * The product's client port a service on the guest's network (`network_mode: host`) listens on with no
 * authentication the file shows: with host networking every listening port is reachable through
 * the gateway and `ports:` is ignored (docs/platform.md#ingress). Empty when there are none.
 */
export function hostNetworkPorts(svc: Service): { entry?: InternalPortEntry; ports: number[] } {
  if (svc.network_mode?.trim().toLowerCase() !== 'host') return { ports: [] };
  const entry = matchImage(INTERNAL_PORTS, svc.image);
  if (!entry || showsAuthentication(svc, entry)) return { ports: [] };
  // Its client port: the entry's others may belong to a variant (redis-stack's RedisInsight) it does not run.
  return { entry, ports: [entry.ports[0]!.port] };
}

/**
 * Whether the gateway accepts a connection to `port`: with restrict_mode only the ports the policy lists
 * (docs/platform.md#ingress).
 */
export function gatewayAccepts(deployment: DeploymentSettings, port: number | undefined): boolean {
  const policy = deployment.port_policy;
  return !policy?.restrict_mode || (port !== undefined && (policy.ports ?? []).some((p) => p.port === port));
}

/** Whether published-internal-port reports this service's `network_mode: host` (then host-namespace does not). */
export function hostNetworkReported(ctx: RuleContext, svc: Service): boolean {
  if (ctx.project.config.rules['published-internal-port'] === 'off') return false;
  return hostNetworkPorts(svc).ports.some((p) => gatewayAccepts(ctx.deployment, p));
}
