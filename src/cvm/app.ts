import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, isAbsolute, join, posix } from 'node:path';
import { parseDocument } from 'yaml';
import { AGENT_SOCKET_TARGETS } from '../agent/index.js';
import { parseDuration } from '../compose/duration.js';
import { locate, type Project } from '../compose/project.js';
import { labelOverride } from '../docker/labels.js';

const DEFAULT_GRACE_MS = 10_000;
/** The data disk's folder inside the work dir (docs/platform.md#host-paths): it survives boots. */
const PERSISTENT = '/dstack/persistent';

export interface Where {
  file: string;
  line: number;
  column: number;
}

/** Whether a service volume is the guest-agent socket (bind of /var/run/dstack.sock or tappd.sock). */
export function isAgentMount(v: { type: string; source?: string; target: string }): boolean {
  const targets: readonly string[] = AGENT_SOCKET_TARGETS;
  return v.type === 'bind' && !!v.source && (targets.includes(v.source) || targets.includes(v.target));
}

/** The services that mount the guest-agent socket, with where they mount it. */
export function agentMounters(project: Project): { service: string; targets: string[] }[] {
  return Object.entries(project.model.services ?? {}).flatMap(([service, s]) => {
    const targets = (s.volumes ?? []).filter(isAgentMount).map((v) => v.target);
    return targets.length ? [{ service, targets }] : [];
  });
}

/** A bind mount whose source the CVM does not have: only the compose file is shipped. */
export interface UnshippedBind {
  service: string;
  source: string;
  target: string;
  where: Where;
}

/**
 * What a rollout's local fleet adds to a version (src/rollout): labels on every service, and the
 * traffic service published on the instance's own loopback port instead of the app's `ports:`
 * (N instances on one engine cannot all publish the same host port).
 */
export interface CvmAppExtras {
  labels?: Record<string, string>;
  /** Labels in place of the drill's on everything of the project (labels.ts `resourceLabels`). */
  resourceLabels?: Record<string, string>;
  publish?: { service: string; port: number; hostPort: number };
}

/** Where the CVM keeps one app version's compose inputs between boots (not part of the CVM's disk). */
export interface CvmAppPaths {
  /** The work dir standing for the guest's tmpfs `/dstack` (emptied at every boot). */
  dstackDir: string;
  /** Standing for `/dstack/persistent`, the data disk: kept across boots. */
  persistentDir: string;
}

/**
 * One version of an app as a CVM receives it: the compose file(s) and app-compose.json written into
 * the work dir at each boot, and a label override (the drill's own labels, the guest-agent socket,
 * `/dstack` paths mapped to the CVM's folders). Relative paths in the compose file resolve under the
 * work dir, as in the guest (docs/platform.md#shipped-files): a relative bind gets an empty folder,
 * an `env_file:` or build context that was not shipped is missing.
 */
export class CvmApp {
  readonly services: string[];
  /** The compose texts, in merge order, and the names they get in the work dir. */
  readonly composeFiles: { name: string; text: string }[];
  /** app-compose.json as the guest reads it (the deployment's own, or one written from its settings). */
  readonly manifestText: string;
  readonly overrideFile: string;
  readonly unshippedBinds: UnshippedBind[];

  constructor(
    readonly project: Project,
    /** Which version this is, for reports (`app`, `old`, `new`). */
    readonly label: string,
    opts: {
      stageDir: string;
      paths: CvmAppPaths;
      drillId: string;
      owner: string;
      agentSocket?: string;
      runDirLabel?: string;
    } & CvmAppExtras,
  ) {
    this.services = Object.keys(project.model.services ?? {});
    mkdirSync(opts.stageDir, { recursive: true });
    this.composeFiles = composeTexts(project, !!opts.publish);
    this.manifestText = manifestText(project, this.composeFiles[0]?.text ?? '');
    this.unshippedBinds = [];
    const model = project.model;
    const services = Object.entries(model.services ?? {}).map(([name, svc]) => {
      const mounts: { source: string; target: string; readOnly?: boolean }[] = [];
      (svc.volumes ?? []).forEach((v, i) => {
        if (v.type !== 'bind' || !v.source) return;
        if (isAgentMount(v)) {
          if (opts.agentSocket) mounts.push({ source: opts.agentSocket, target: v.target });
          return;
        }
        if (!isAbsolute(v.source)) {
          const loc = locate(project, ['services', name, 'volumes', i]);
          this.unshippedBinds.push({
            service: name,
            source: v.source,
            target: v.target,
            where: { file: loc.file, line: loc.line, column: loc.column },
          });
          return;
        }
        const mapped = mapDstackPath(v.source, opts.paths);
        if (mapped) mounts.push({ source: mapped, target: v.target, readOnly: v.read_only });
      });
      const ports =
        opts.publish?.service === name ? [`127.0.0.1:${opts.publish.hostPort}:${opts.publish.port}`] : undefined;
      return { name, mounts, ...(ports ? { ports } : {}) };
    });
    const volumes = Object.entries(model.volumes ?? {})
      .filter(([, v]) => !v?.external)
      .map(([k]) => k);
    const networks = Object.entries((model.networks ?? {}) as Record<string, { external?: unknown } | null>)
      .filter(([, n]) => !n?.external)
      .map(([k]) => k);
    this.overrideFile = join(opts.stageDir, 'preflight-cvm.override.yml');
    writeFileSync(
      this.overrideFile,
      labelOverride({
        drillId: opts.drillId,
        owner: opts.owner,
        ...(opts.runDirLabel ? { runDir: opts.runDirLabel } : {}),
        version:
          typeof model.version === 'string' || typeof model.version === 'number' ? String(model.version) : undefined,
        services,
        ...(opts.labels ? { serviceLabels: opts.labels } : {}),
        ...(opts.resourceLabels ? { resourceLabels: opts.resourceLabels } : {}),
        volumes,
        networks,
        defaultNetwork: Object.values(model.services ?? {}).some((s) => !s.network_mode && !s.networks),
      }),
    );
  }

  /** The services dstack's orphan removal keeps: every key under `services:` (profiles included). */
  get declaredServices(): string[] {
    return [...new Set([...this.services, ...this.project.inactiveServices.map((s) => s.name)])];
  }

  graceMs(service: string): number {
    return parseDuration(this.project.model.services?.[service]?.stop_grace_period) ?? DEFAULT_GRACE_MS;
  }

  /** Where a service is defined, for findings. */
  where(service: string): Where {
    const loc = locate(this.project, ['services', service]);
    return { file: loc.file, line: loc.line, column: loc.column };
  }

  /** The image each service runs (as written, after interpolation); built services have none. */
  images(): { service: string; image: string }[] {
    return Object.entries(this.project.model.services ?? {}).flatMap(([service, s]) =>
      s.image && !s.build ? [{ service, image: s.image }] : [],
    );
  }
}

/** A compose text with every service's `ports:` taken out (comments and the rest kept). */
function withoutPublishedPorts(text: string): string {
  const doc = parseDocument(text);
  const services = doc.get('services', true) as { items?: { value?: { delete?: (k: string) => void } }[] } | null;
  for (const item of services?.items ?? []) item.value?.delete?.('ports');
  return doc.toString();
}

/** `/dstack/...` on the CVM's host → the local CVM's folder for it; other host paths stay as they are. */
export function mapDstackPath(source: string, paths: CvmAppPaths): string | undefined {
  const p = posix.normalize(source).replace(/(.)\/+$/, '$1');
  if (p === PERSISTENT || p.startsWith(`${PERSISTENT}/`)) return join(paths.persistentDir, p.slice(PERSISTENT.length));
  if (p === '/dstack' || p.startsWith('/dstack/')) return join(paths.dstackDir, p.slice('/dstack'.length));
  return undefined;
}

function composeTexts(project: Project, withoutPorts: boolean): { name: string; text: string }[] {
  const texts = (
    project.manifest?.compose
      ? [project.manifest.compose.text]
      : project.composeFiles.map((f) => project.sources.get(f)?.text ?? '')
  ).map((t) => (withoutPorts ? withoutPublishedPorts(t) : t));
  const used = new Set<string>();
  return texts.map((text, i) => {
    // The guest writes the manifest's compose text as docker-compose.yaml; further files keep their names.
    let name = i === 0 ? 'docker-compose.yaml' : basename(project.composeFiles[i] ?? `compose-${i}.yaml`);
    if (used.has(name)) name = `${i}-${name}`;
    used.add(name);
    return { name, text };
  });
}

/** The deployment's app-compose.json, or one written from its settings around the compose text. */
function manifestText(project: Project, compose: string): string {
  if (project.manifest) return project.manifest.source.text;
  const s = project.deployment.settings;
  const doc: Record<string, unknown> = {
    manifest_version: s.manifest_version ?? 2,
    name: s.name ?? 'app',
    runner: s.runner,
    docker_compose_file: compose,
    public_logs: s.public_logs,
    public_sysinfo: s.public_sysinfo,
    kms_enabled: s.kms_enabled,
    gateway_enabled: s.gateway_enabled,
    local_key_provider_enabled: s.local_key_provider_enabled,
    no_instance_id: s.no_instance_id,
    secure_time: s.secure_time,
    storage_fs: s.storage_fs,
  };
  if (s.key_provider) doc.key_provider = s.key_provider;
  if (s.allowed_envs) doc.allowed_envs = s.allowed_envs;
  if (s.pre_launch_script !== undefined) doc.pre_launch_script = s.pre_launch_script;
  if (s.init_script !== undefined) doc.init_script = s.init_script;
  return `${JSON.stringify(doc, null, 2)}\n`;
}
