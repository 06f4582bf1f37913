import { hostname } from 'node:os';
import { Engine } from './engine.js';
import { COMPOSE_PROJECT_LABEL, DRILL_LABEL, LAUNCHER_LABEL, OWNER_LABEL, projectName } from './labels.js';

export interface CleanupResult {
  containers: number;
  volumes: number;
  networks: number;
  /** Drill ids whose resources were removed. */
  drills: string[];
  /** Drill ids left alone because the process that owns them is still running. */
  spared: string[];
}

export interface CleanupOptions {
  /** Only this drill's resources; otherwise every drill's. */
  drillId?: string;
  /** Also remove resources of drills whose owning process is still alive. */
  includeLive?: boolean;
  /**
   * Whether a resource's drill is still being driven (default: its owner label's process lives on
   * this host). The drills also ask the run's lock, whose holder changes on resume.
   */
  isLive?: (labels: Record<string, string>) => boolean;
  engine?: Engine;
}

/**
 * Remove what drills left on the engine: containers (with their anonymous volumes), named volumes
 * and networks carrying the drill label, and, for the drills found, anything else of their compose
 * project. Without a drill id, resources owned by a live process on this host are spared.
 */
export async function cleanup(opts: CleanupOptions = {}): Promise<CleanupResult> {
  const engine = opts.engine ?? new Engine();
  const label = opts.drillId ? `${DRILL_LABEL}=${opts.drillId}` : DRILL_LABEL;
  const containers = await engine.inspect(await engine.containerIds([label]));
  const volumes = await engine.volumes([label]);
  const networks = await engine.networks([label]);

  const spared = new Set<string>();
  const keep = (labels: Record<string, string> | null): boolean => {
    if (opts.drillId || opts.includeLive || !labels) return false;
    if (!(opts.isLive ?? ((l) => ownerAlive(l[OWNER_LABEL])))(labels)) return false;
    const id = labels[DRILL_LABEL];
    if (id) spared.add(id);
    return true;
  };
  const drills = new Set<string>();
  const note = (labels: Record<string, string> | null) => {
    const id = labels?.[DRILL_LABEL];
    if (id) drills.add(id);
  };

  const rmContainers = containers.filter((c) => !keep(c.Config.Labels));
  for (const c of rmContainers) note(c.Config.Labels);
  await engine.removeContainers(rmContainers.map((c) => c.Id));

  // Resources of the same projects that missed the label (e.g. compose format 2.0 volumes).
  const projects = [...drills].map(projectName);
  const extraVolumes = projects.length
    ? (await Promise.all(projects.map((p) => engine.volumes([`${COMPOSE_PROJECT_LABEL}=${p}`])))).flat()
    : [];
  const extraNetworks = projects.length
    ? (await Promise.all(projects.map((p) => engine.networks([`${COMPOSE_PROJECT_LABEL}=${p}`])))).flat()
    : [];

  const rmVolumes = uniqueBy([...volumes.filter((v) => !keep(v.Labels)), ...extraVolumes], (v) => v.Name);
  for (const v of rmVolumes) note(v.Labels);
  await engine.removeVolumes(rmVolumes.map((v) => v.Name));

  const rmNetworks = uniqueBy([...networks.filter((n) => !keep(n.Labels)), ...extraNetworks], (n) => n.ID);
  for (const n of rmNetworks) note(n.Labels);
  await engine.removeNetworks(rmNetworks.map((n) => n.ID));

  return {
    containers: rmContainers.length,
    volumes: rmVolumes.length,
    networks: rmNetworks.length,
    drills: [...drills].sort(),
    spared: [...spared].filter((d) => !drills.has(d)).sort(),
  };
}

export function ownerAlive(owner: string | undefined): boolean {
  if (!owner) return false;
  const slash = owner.lastIndexOf('/');
  if (owner.slice(0, slash) !== hostname()) return false;
  const pid = Number(owner.slice(slash + 1));
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function uniqueBy<T>(items: T[], key: (t: T) => string): T[] {
  const seen = new Map<string, T>();
  for (const i of items) if (!seen.has(key(i))) seen.set(key(i), i);
  return [...seen.values()];
}

/**
 * Everything still labelled as a drill's (containers, volumes, networks), for tests and checks.
 * `launchedBy` (an `ownerValue()`) keeps only what that process ran itself or through the CLI
 * processes it started: a test suite's leftovers, not those of a concurrent process on the engine.
 */
export async function drillLeftovers(
  engine = new Engine(),
  drillId?: string,
  opts: { launchedBy?: string } = {},
): Promise<{ containers: string[]; volumes: string[]; networks: string[] }> {
  const label = drillId ? `${DRILL_LABEL}=${drillId}` : DRILL_LABEL;
  const counts = (labels: Record<string, string> | null) =>
    !opts.launchedBy || labels?.[OWNER_LABEL] === opts.launchedBy || labels?.[LAUNCHER_LABEL] === opts.launchedBy;
  const containers = await engine.inspect(await engine.containerIds([label]));
  return {
    containers: containers.filter((c) => counts(c.Config.Labels)).map((c) => c.Id),
    volumes: (await engine.volumes([label])).filter((v) => counts(v.Labels)).map((v) => v.Name),
    networks: (await engine.networks([label])).filter((n) => counts(n.Labels)).map((n) => n.Name),
  };
}
