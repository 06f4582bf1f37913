import type { LocalCvm } from '../local-cvm.js';
import { pruneImages, pruneVolumes } from '../prune.js';
import type { RouteDecision, RouteRequest } from './engine-proxy.js';
import { inScope, normalizeRef, type SandboxScope, sandboxLabels, vetContainerCreate } from './scope.js';
import { type Upstream, upstreamJson } from './upstream.js';

type Labels = Record<string, string> | null | undefined;
type Json = Record<string, unknown>;

/**
 * The sandbox's routing table (docs/decisions.md, "pre-launch sandbox"): which Engine API calls of a
 * pre-launch script reach the real engine and how. Reads that list resources are narrowed to the
 * CVM's; calls on one resource need it to be the CVM's (else "no such …", as if it did not exist);
 * creations get the CVM's labels; image pulls and prunes are answered from the CVM's image model so
 * the user's image store is never changed; everything else is refused.
 */
export function sandboxRoutes(
  cvm: LocalCvm,
  scope: SandboxScope,
  upstream: Upstream,
  boot: () => number,
  appImages: () => string[],
): (req: RouteRequest) => Promise<RouteDecision> {
  const execs = new Set<string>();
  const refuse = (message: string, status = 403): RouteDecision => ({ kind: 'refuse', status, message });
  const labelsOf = async (kind: 'containers' | 'volumes' | 'networks', id: string): Promise<Labels | 'missing'> => {
    const r = await upstreamJson(
      upstream,
      'GET',
      `/${kind}/${encodeURIComponent(id)}${kind === 'containers' ? '/json' : ''}`,
    );
    if (r.status !== 200) return 'missing';
    const j = r.json as Json;
    return (kind === 'containers' ? (j.Config as Json | undefined)?.Labels : j.Labels) as Labels;
  };
  const volumeInScope = new Map<string, boolean>();
  const scopedVolume = async (name: string) => {
    if (cvm.anonymousVolumes.has(name)) return true;
    const l = await labelsOf('volumes', name);
    return l !== 'missing' && inScope(scope, l);
  };
  const imageId = async (ref: string): Promise<string | undefined> => {
    const r = await upstreamJson(upstream, 'GET', `/images/${encodeURIComponent(ref)}/json`);
    return r.status === 200 ? String((r.json as Json).Id) : undefined;
  };
  const namedByApp = (ref: string) => appImages().some((i) => normalizeRef(i) === normalizeRef(ref));
  const withLabels = async (req: RouteRequest): Promise<RouteDecision> => {
    const body = JSON.parse((await req.body()).toString('utf8') || '{}') as Json;
    body.Labels = { ...((body.Labels ?? {}) as Json), ...sandboxLabels(scope) };
    return { kind: 'forward', body: Buffer.from(JSON.stringify(body)) };
  };

  return async (req) => {
    const { method, path } = req;
    if (/^\/(_ping|version|info)$/.test(path) && (method === 'GET' || method === 'HEAD')) return { kind: 'forward' };
    // Registry logins and manifest lookups reach the registry, not the user's resources.
    if (path === '/auth' && method === 'POST') return { kind: 'forward' };
    if (/^\/distribution\/.+\/json$/.test(path) && method === 'GET') return { kind: 'forward' };

    if (path === '/containers/json' && method === 'GET')
      return { kind: 'forward', filter: (j) => (j as Json[]).filter((c) => inScope(scope, c.Labels as Labels)) };
    if (path === '/containers/create' && method === 'POST') {
      const body = JSON.parse((await req.body()).toString('utf8') || '{}') as Json;
      for (const v of volumeNames(body)) volumeInScope.set(v, await scopedVolume(v));
      const vetted = vetContainerCreate(scope, body, (v) => volumeInScope.get(v) ?? false);
      if ('refused' in vetted) return refuse(`${vetted.refused} are not available to the pre-launch script`);
      return { kind: 'forward', body: Buffer.from(JSON.stringify(vetted.body)) };
    }
    if (path === '/containers/prune' && method === 'POST') {
      const gone: string[] = [];
      for (const c of await cvm.containers())
        if (!c.State.Running && (await cvm.engine.run(['rm', c.Id])).code === 0) gone.push(c.Id);
      return { kind: 'answer', status: 200, json: { ContainersDeleted: gone, SpaceReclaimed: 0 }, verdict: 'scoped' };
    }
    const container = /^\/containers\/([^/]+)(\/.*)?$/.exec(path);
    if (container) {
      const l = await labelsOf('containers', container[1]!);
      if (l === 'missing' || !inScope(scope, l)) return refuse(`No such container: ${container[1]}`, 404);
      if (container[2] === '/exec' && method === 'POST')
        return { kind: 'forward', onJson: (j) => execs.add(String((j as Json).Id)) };
      return { kind: 'forward' };
    }
    const exec = /^\/exec\/([^/]+)\/(start|resize|json)$/.exec(path);
    if (exec) return execs.has(exec[1]!) ? { kind: 'forward' } : refuse(`No such exec instance: ${exec[1]}`, 404);

    if (path === '/images/json' && method === 'GET') {
      const ids = new Set(cvm.images.ids());
      return { kind: 'forward', filter: (j) => (j as Json[]).filter((i) => ids.has(String(i.Id))) };
    }
    if (path === '/images/create' && method === 'POST') {
      const from = req.query.get('fromImage') ?? '';
      const tag = req.query.get('tag');
      const ref = tag && !from.includes('@') ? `${from}:${tag}` : from;
      const id = await imageId(ref);
      if (id) {
        // The CVM would fetch the registry's current build of this tag; the user's copy stays as it is.
        cvm.images.add(id, ref);
        return {
          kind: 'answer',
          status: 200,
          verdict: 'modelled',
          lines: [{ status: `Status: Image is up to date for ${ref}` }],
        };
      }
      // Not on the engine yet: the app needs it anyway (`compose up` would pull it); others are refused.
      if (!namedByApp(ref)) return refuse(`pulling ${ref}, an image the app does not use`);
      return { kind: 'forward' };
    }
    if (path === '/images/prune' && method === 'POST') {
      // `prune -a` sends dangling=false; without it only untagged images go, which the model has none of.
      const gone = pruneAll(req.query.get('filters')) ? await pruneImages(cvm, boot()) : [];
      return {
        kind: 'answer',
        status: 200,
        verdict: 'modelled',
        json: { ImagesDeleted: gone.map((Untagged) => ({ Untagged })), SpaceReclaimed: 0 },
      };
    }
    const image = /^\/images\/(.+?)(\/json)?$/.exec(path);
    if (image && (method === 'GET' || method === 'DELETE')) {
      const id = await imageId(image[1]!);
      const onDisk = id !== undefined && cvm.images.has(id);
      if (method === 'GET')
        return onDisk || namedByApp(image[1]!) ? { kind: 'forward' } : refuse(`No such image: ${image[1]}`, 404);
      if (!onDisk) return refuse(`No such image: ${image[1]}`, 404);
      cvm.images.remove(id, boot());
      return { kind: 'answer', status: 200, verdict: 'modelled', json: [{ Untagged: image[1] }] };
    }

    if (path === '/volumes' && method === 'GET')
      return {
        kind: 'forward',
        filter: (j) => {
          const v = j as { Volumes?: Json[] | null };
          const mine = (v.Volumes ?? []).filter(
            (x) => cvm.anonymousVolumes.has(String(x.Name)) || inScope(scope, x.Labels as Labels),
          );
          return { ...v, Volumes: mine };
        },
      };
    if (path === '/volumes/create' && method === 'POST') return withLabels(req);
    if (path === '/volumes/prune' && method === 'POST') {
      const gone = await pruneVolumes(cvm);
      return { kind: 'answer', status: 200, verdict: 'scoped', json: { VolumesDeleted: gone, SpaceReclaimed: 0 } };
    }
    const volume = /^\/volumes\/([^/]+)$/.exec(path);
    if (volume && (method === 'GET' || method === 'DELETE'))
      return (await scopedVolume(volume[1]!)) ? { kind: 'forward' } : refuse(`get ${volume[1]}: no such volume`, 404);

    if (path === '/networks' && method === 'GET')
      return { kind: 'forward', filter: (j) => (j as Json[]).filter((n) => inScope(scope, n.Labels as Labels)) };
    if (path === '/networks/create' && method === 'POST') return withLabels(req);
    const network = /^\/networks\/([^/]+)(\/(connect|disconnect))?$/.exec(path);
    if (network) {
      const l = await labelsOf('networks', network[1]!);
      return l !== 'missing' && inScope(scope, l)
        ? { kind: 'forward' }
        : refuse(`network ${network[1]} not found`, 404);
    }
    if (path === '/build') return refuse('image builds (compose up --build runs after the script)');
    return refuse(
      `${method} ${path} is not available to the pre-launch script (only calls on this CVM's own resources)`,
    );
  };
}

function pruneAll(filters: string | null): boolean {
  try {
    const d = (JSON.parse(filters ?? '{}') as { dangling?: Record<string, boolean> | string[] }).dangling;
    return Array.isArray(d) ? d.includes('false') : !!d && 'false' in d;
  } catch {
    return false;
  }
}

function volumeNames(body: Json): string[] {
  const hc = (body.HostConfig ?? {}) as Json;
  const fromBinds = ((hc.Binds ?? []) as string[]).map((b) => b.split(':')[0]!).filter((s) => s && !s.startsWith('/'));
  const fromMounts = ((hc.Mounts ?? []) as Json[])
    .filter((m) => m.Type === 'volume' && m.Source)
    .map((m) => String(m.Source));
  return [...fromBinds, ...fromMounts];
}
