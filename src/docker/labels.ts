import { hostname } from 'node:os';
import { stringify } from 'yaml';

/** Every container, named volume and network a drill creates carries this label with the drill id. */
export const DRILL_LABEL = 'io.preflight.drill';
/** `<hostname>/<pid>` of the process that runs the drill, so `drill clean` spares live drills. */
export const OWNER_LABEL = 'io.preflight.drill.owner';
/**
 * `<hostname>/<pid>` of the process that started the owner (its parent): a test, a script or a shell.
 * It lets a test suite tell what its own CLI children left from what a concurrent process on the same
 * engine is doing, even after a child was SIGKILLed on purpose.
 */
export const LAUNCHER_LABEL = 'io.preflight.drill.launcher';
/**
 * The drill's run directory: its lock names the process driving the run now, which after
 * `drill resume` is not the owner that created the resource.
 */
export const RUN_DIR_LABEL = 'io.preflight.drill.run-dir';
/** On what a CVM's pre-launch sandbox creates (containers, volumes, networks): the CVM's compose project. */
export const CVM_LABEL = 'io.preflight.cvm';
/** Set by Compose on everything of a project. */
export const COMPOSE_PROJECT_LABEL = 'com.docker.compose.project';

export function ownerValue(pid = process.pid): string {
  return `${hostname()}/${pid}`;
}

/** The labels every drill resource carries: the drill id, its owner and the owner's launcher. */
export function drillLabels(drillId: string, owner = ownerValue()): Record<string, string> {
  return { [DRILL_LABEL]: drillId, [OWNER_LABEL]: owner, [LAUNCHER_LABEL]: ownerValue(process.ppid) };
}

/** Compose project name of a drill run: unique per run, valid for v1 and v2. */
export function projectName(drillId: string): string {
  return `pf-${drillId}`.toLowerCase().replace(/[^a-z0-9_-]/g, '-');
}

export interface OverrideInput {
  drillId: string;
  owner: string;
  /** The run directory (`RUN_DIR_LABEL`). */
  runDir?: string;
  /** The `version:` of the app's compose file, repeated so Compose v1 accepts the merge. */
  version?: string;
  services: {
    name: string;
    mounts?: { source: string; target: string; readOnly?: boolean }[];
    /** Published ports (short syntax), for a service whose own `ports:` were taken out of the copy. */
    ports?: string[];
  }[];
  /** More labels on every service (a rollout fleet's and version's). */
  serviceLabels?: Record<string, string>;
  /**
   * Labels on every service, volume and network in place of the drill's: a rollout's local fleet
   * outlives the process that booted it, so `drill clean` (which removes drill-labelled resources
   * whose process is gone) must not find it.
   */
  resourceLabels?: Record<string, string>;
  /** Named volumes and networks the project declares (external ones excluded). */
  volumes: string[];
  networks: string[];
  /** Whether the project uses the implicit `default` network. */
  defaultNetwork: boolean;
}

/**
 * A compose override file (YAML text) that labels every service, named volume and network with the
 * drill id, and replaces chosen bind mounts (short syntax, merged by target path by both Compose
 * versions) with drill-owned paths: the guest-agent socket and the unshipped relative binds.
 */
export function labelOverride(input: OverrideInput): string {
  const labels = input.resourceLabels ?? {
    ...drillLabels(input.drillId, input.owner),
    ...(input.runDir ? { [RUN_DIR_LABEL]: input.runDir } : {}),
  };
  const serviceLabels = { ...labels, ...input.serviceLabels };
  // Compose file format 2.0 has no labels on volumes/networks; their project label still finds them.
  const labelsOnResources = !(input.version !== undefined && /^2(\.0)?$/.test(input.version));
  const doc: Record<string, unknown> = {};
  if (input.version !== undefined) doc.version = input.version;
  doc.services = Object.fromEntries(
    input.services.map((s) => {
      const svc: Record<string, unknown> = { labels: serviceLabels };
      if (s.mounts?.length) svc.volumes = s.mounts.map((m) => `${m.source}:${m.target}${m.readOnly ? ':ro' : ''}`);
      if (s.ports?.length) svc.ports = s.ports;
      return [s.name, svc];
    }),
  );
  if (labelsOnResources) {
    if (input.volumes.length) doc.volumes = Object.fromEntries(input.volumes.map((v) => [v, { labels }]));
    const nets = [
      ...input.networks,
      ...(input.defaultNetwork && !input.networks.includes('default') ? ['default'] : []),
    ];
    if (nets.length) doc.networks = Object.fromEntries(nets.map((n) => [n, { labels }]));
  }
  return stringify(doc);
}
