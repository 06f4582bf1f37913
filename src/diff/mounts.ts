import type { Project } from '../compose/project.js';
import type { Service, TopLevelVolume } from '../compose/types.js';
import { normalizePath as normalizeDir, pathCovers } from '../knowledge/paths.js';
import { envString } from '../rules/lib/services.js';
import { statefulService } from '../rules/lib/stateful.js';

/** The compose project name inside a CVM: named volume `data` is Docker volume `dstack_data`. */
export const CVM_PROJECT = 'dstack';

/** A named-volume mount of a service, with the Docker volume it really is. */
export interface NamedMount {
  service: string;
  /** Index in the service's `volumes` list. */
  index: number;
  /** The key under top-level `volumes:`. */
  key: string;
  /** The Docker volume the engine attaches: what decides whether data carries over. */
  volume: string;
  /** Named after the compose project (`<project>_<key>`): it changes when the project name does. */
  prefixed: boolean;
  target: string;
}

/** The compose project a CVM runs the file as: its top-level `name:`, else `dstack`. */
export function projectName(project: Project): string {
  return typeof project.model.name === 'string' && project.model.name ? project.model.name : CVM_PROJECT;
}

/**
 * The Docker volume name behind a volume key, as the CVM's Compose computes it: an explicit
 * `name:`, an external volume's own name, else `<project>_<key>` (project `dstack` unless the
 * compose file sets a top-level `name:`).
 */
export function dockerVolumeName(project: Project, key: string): string {
  const top = project.model.volumes?.[key] as TopLevelVolume | undefined;
  const ext = top?.external;
  if (ext && typeof ext === 'object' && ext.name) return ext.name;
  if (top?.name) return top.name;
  if (ext) return key;
  return `${projectName(project)}_${key}`;
}

function isPrefixed(project: Project, key: string): boolean {
  const top = project.model.volumes?.[key] as TopLevelVolume | undefined;
  return !top?.name && !top?.external;
}

export function namedMounts(project: Project): NamedMount[] {
  const out: NamedMount[] = [];
  for (const [service, svc] of Object.entries(project.model.services ?? {})) {
    (svc.volumes ?? []).forEach((v, index) => {
      if (v.type !== 'volume' || !v.source) return;
      out.push({
        service,
        index,
        key: v.source,
        volume: dockerVolumeName(project, v.source),
        prefixed: isPrefixed(project, v.source),
        target: normalizeDir(v.target),
      });
    });
  }
  return out;
}

/** Env names that, by convention, say where an app keeps its data (used for images the table does not know). */
const DATA_DIR_ENV =
  /^(PGDATA|(?:[A-Z0-9]+_)*(?:DATA|DB|STORAGE|STORE|PERSIST(?:ENCE)?)_?(?:DIR|PATH|ROOT|FOLDER|DIRECTORY|HOME))$/;

/** Where a service keeps its data, and what says so. */
export interface DataDir {
  dir: string;
  /** `PGDATA`, `-D`, `DATA_DIR`, or `the PostgreSQL default`. */
  via: string;
  /** From the stateful-image table (true) or a naming convention (false). */
  known: boolean;
}

/** The data directories of a service: the stateful-image table first, else `*_DATA_DIR`-style env. */
export function dataDirs(svc: Service): DataDir[] {
  const stateful = statefulService(svc);
  if (stateful) {
    const via = stateful.overriddenBy ?? `the ${stateful.entry.product} default`;
    return stateful.dataDirs.map((dir) => ({ dir: normalizeDir(dir), via, known: true }));
  }
  const out: DataDir[] = [];
  for (const name of Object.keys(svc.environment ?? {})) {
    if (!DATA_DIR_ENV.test(name)) continue;
    const v = envString(svc, name);
    if (v?.startsWith('/')) out.push({ dir: normalizeDir(v), via: name, known: false });
  }
  return out;
}

/** Which volume holds `dir` in this service, and where inside it (`''` = the volume's root). */
export function placeInVolume(
  mounts: readonly NamedMount[],
  service: string,
  dir: string,
): { volume: string; key: string; target: string; rel: string } | undefined {
  // The deepest covering mount wins, as in the container's mount table.
  const covering = mounts
    .filter((m) => m.service === service && pathCovers(m.target, dir))
    .sort((a, b) => b.target.length - a.target.length)[0];
  if (!covering) return undefined;
  const rel = covering.target === '/' ? dir.slice(1) : dir.slice(covering.target.length).replace(/^\//, '');
  return { volume: covering.volume, key: covering.key, target: covering.target, rel };
}
