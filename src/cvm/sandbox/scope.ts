import { COMPOSE_PROJECT_LABEL, CVM_LABEL, drillLabels, RUN_DIR_LABEL } from '../../docker/labels.js';
import { AGENT_SOCKET_TARGETS } from '../../agent/index.js';
import { type CvmAppPaths, mapDstackPath } from '../app.js';

/**
 * What the pre-launch sandbox lets a script's `docker` calls see and change: only this CVM's
 * resources. Containers, volumes and networks are in scope when Compose labelled them with the
 * CVM's project or the sandbox created them (CVM_LABEL); images through the CVM's image model.
 */
export interface SandboxScope {
  project: string;
  drillId: string;
  owner: string;
  paths: CvmAppPaths;
  /** Host path the sandbox's own engine socket listens on (a `docker.sock` bind gets it). */
  proxySocket: string;
  agentSocket?: string;
  runDirLabel?: string;
}

type Labels = Record<string, string> | null | undefined;

export function inScope(scope: SandboxScope, labels: Labels): boolean {
  return labels?.[COMPOSE_PROJECT_LABEL] === scope.project || labels?.[CVM_LABEL] === scope.project;
}

/** Labels the sandbox adds to what a script creates, so scope checks and the drill's cleanup find it. */
export function sandboxLabels(scope: SandboxScope): Record<string, string> {
  return {
    [CVM_LABEL]: scope.project,
    ...drillLabels(scope.drillId, scope.owner),
    ...(scope.runDirLabel ? { [RUN_DIR_LABEL]: scope.runDirLabel } : {}),
  };
}

const HOST_NAMESPACES = ['NetworkMode', 'PidMode', 'IpcMode', 'UTSMode', 'UsernsMode', 'CgroupnsMode'] as const;

/**
 * A container a script asks to create, made safe for the user's host or refused: no privileges,
 * no host namespaces, no device; bind sources only where the CVM's host has them (`/dstack`, the
 * data disk, the engine and guest-agent sockets), mapped to this CVM's folders; named volumes only
 * this CVM's. Returns the body to send on, or the reason for refusing.
 */
export function vetContainerCreate(
  scope: SandboxScope,
  body: Record<string, unknown>,
  volumeInScope: (name: string) => boolean,
): { body: Record<string, unknown> } | { refused: string } {
  const hc = (body.HostConfig ?? {}) as Record<string, unknown>;
  if (hc.Privileged) return { refused: 'privileged containers' };
  if (Array.isArray(hc.CapAdd) && hc.CapAdd.length) return { refused: 'added capabilities' };
  if (Array.isArray(hc.Devices) && hc.Devices.length) return { refused: 'host devices' };
  for (const k of HOST_NAMESPACES)
    if (
      typeof hc[k] === 'string' &&
      (hc[k] === 'host' || (k === 'NetworkMode' && String(hc[k]).startsWith('container:')))
    )
      return { refused: `${k}: ${hc[k]}` };
  if (Array.isArray(hc.VolumesFrom) && hc.VolumesFrom.length) return { refused: 'volumes_from' };

  const binds: string[] = [];
  for (const b of (hc.Binds ?? []) as string[]) {
    const [src = '', ...rest] = b.split(':');
    const mapped = mapSource(scope, src, volumeInScope);
    if ('refused' in mapped) return mapped;
    binds.push([mapped.source, ...rest].join(':'));
  }
  const mounts: Record<string, unknown>[] = [];
  for (const m of (hc.Mounts ?? []) as Record<string, unknown>[]) {
    if (m.Type === 'bind' || (m.Type === 'volume' && m.Source)) {
      const mapped = mapSource(scope, String(m.Source ?? ''), volumeInScope);
      if ('refused' in mapped) return mapped;
      mounts.push({ ...m, Source: mapped.source });
    } else if (m.Type === 'volume' || m.Type === 'tmpfs') mounts.push(m);
    else return { refused: `mounts of type ${String(m.Type)}` };
  }
  const labels = { ...((body.Labels ?? {}) as Record<string, string>), ...sandboxLabels(scope) };
  return {
    body: {
      ...body,
      Labels: labels,
      HostConfig: { ...hc, ...(hc.Binds ? { Binds: binds } : {}), ...(hc.Mounts ? { Mounts: mounts } : {}) },
    },
  };
}

function mapSource(
  scope: SandboxScope,
  src: string,
  volumeInScope: (name: string) => boolean,
): { source: string } | { refused: string } {
  if (!src.startsWith('/')) {
    // A named volume: only this CVM's (a script must not mount, and then wipe, the user's data).
    return volumeInScope(src) ? { source: src } : { refused: `volume ${src}, which is not this CVM's` };
  }
  if (src === '/var/run/docker.sock' || src === '/run/docker.sock') return { source: scope.proxySocket };
  if ((AGENT_SOCKET_TARGETS as readonly string[]).includes(src)) {
    return scope.agentSocket ? { source: scope.agentSocket } : { refused: `${src} (no guest agent in this drill)` };
  }
  const mapped = mapDstackPath(src, scope.paths);
  return mapped
    ? { source: mapped }
    : { refused: `a bind of host path ${src} (only /dstack paths exist on the CVM's host)` };
}

/** `docker.io/library/redis:latest`, `redis` and `redis:latest` are one image reference. */
export function normalizeRef(ref: string): string {
  let r = ref.trim();
  if (r.includes('@')) return r;
  const slash = r.lastIndexOf('/');
  if (!r.slice(slash + 1).includes(':')) r += ':latest';
  const first = r.split('/')[0]!;
  const hasRegistry = r.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost');
  if (!hasRegistry) r = `docker.io/${r.includes('/') ? r : `library/${r}`}`;
  return r;
}
