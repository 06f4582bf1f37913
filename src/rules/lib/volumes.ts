import type { ComposeModel, Service, ServiceVolume } from '../../compose/types.js';
import { DATA_PREFIXES, DATA_SEGMENTS, THROWAWAY_PREFIXES, THROWAWAY_SEGMENTS } from '../../knowledge/data-paths.js';
import { SPECIAL_SOCKETS } from '../../knowledge/sockets.js';
import { KERNEL_HOST_PATHS, PERSISTENT_HOST_PATHS, READ_ONLY_SYSTEM_HOST_PATHS } from '../../knowledge/host-paths.js';
import { normalizePath as normalize, pathCovers } from '../../knowledge/paths.js';
import { statefulService } from './stateful.js';

/**
 * Where a bind mount's host path lives in a CVM:
 * - `relative`: `./x` — only the compose YAML is shipped, so nothing is there;
 * - `home`: `~/x` — root's home on a volatile overlay;
 * - `persistent`: on the encrypted persistent disk;
 * - `socket`: an API socket (guest agent, Docker);
 * - `kernel`: /proc, /sys, /dev;
 * - `system`: an OS path exporters read (only harmless when mounted read-only);
 * - `volatile`: any other absolute path: the OS image's overlay, reset at every boot.
 */
export type HostPathClass = 'relative' | 'home' | 'persistent' | 'socket' | 'kernel' | 'system' | 'volatile';

export function hostPathClass(source: string): HostPathClass {
  if (source.startsWith('~')) return 'home';
  if (!source.startsWith('/')) return 'relative';
  const p = normalize(source);
  if (PERSISTENT_HOST_PATHS.some((e) => pathCovers(e.path, p))) return 'persistent';
  // Any unix socket carries an API, not data (whether mounting it is wise is for the keys rules).
  if (SPECIAL_SOCKETS.some((e) => e.paths.includes(p)) || /\.sock(\.lock)?$/.test(p)) return 'socket';
  if (KERNEL_HOST_PATHS.some((e) => pathCovers(e.path, p))) return 'kernel';
  if (READ_ONLY_SYSTEM_HOST_PATHS.some((e) => e.path === p || (e.path !== '/' && pathCovers(e.path, p))))
    return 'system';
  return 'volatile';
}

/** A bind mount (short or long syntax). */
export function isBind(v: ServiceVolume): v is ServiceVolume & { source: string } {
  return v.type === 'bind' && typeof v.source === 'string' && v.source !== '';
}

/** A volume mount without a source: Docker creates an anonymous volume. */
export function isAnonymousVolume(v: ServiceVolume): boolean {
  return v.type === 'volume' && (v.source === undefined || v.source === '');
}

/** Read-only: `:ro` in the short syntax, `read_only: true` in the long one. */
export function isReadOnly(v: ServiceVolume): boolean {
  return v.read_only === true || (v.mode ?? '').split(',').includes('ro');
}

/** A path that holds something rebuildable (cache, tmp, runtime, logs, node_modules). */
export function isThrowawayPath(path: string): boolean {
  const p = normalize(path);
  if (THROWAWAY_PREFIXES.some((t) => pathCovers(t, p))) return true;
  return segments(p).some((s) => THROWAWAY_SEGMENTS.includes(s));
}

/** A path whose name suggests data worth keeping (`/data`, `/app/uploads`, `/var/lib/x`). */
export function looksLikeDataPath(path: string): boolean {
  const p = normalize(path);
  if (isThrowawayPath(p)) return false;
  if (DATA_PREFIXES.some((t) => pathCovers(t, p) && p !== t)) return true;
  return segments(p).some((s) => DATA_SEGMENTS.includes(s));
}

/**
 * Why a container path holds data for this service: it covers the data directory of a known stateful
 * image (`PostgreSQL data directory /var/lib/postgresql/data`) or its name looks like data. Undefined otherwise.
 */
export function dataAt(svc: Service, target: string): string | undefined {
  return statefulDataAt(svc, target) ?? (looksLikeDataPath(target) ? 'a path that looks like data' : undefined);
}

/**
 * `the PostgreSQL data directory /var/lib/postgresql/data` when `target` covers a known data store's data directory.
 */
export function statefulDataAt(svc: Service, target: string): string | undefined {
  const stateful = statefulService(svc);
  const dir = stateful?.dataDirs.find((d) => pathCovers(target, d));
  return stateful && dir ? `the ${stateful.entry.product} data directory ${dir}` : undefined;
}

/** A bind mount from the persistent disk at or above `dir` (`/dstack/persistent/pg:/var/lib/postgresql/data`). */
export function coveredByPersistentBind(svc: Service, dir: string): boolean {
  return (svc.volumes ?? []).some(
    (v) => isBind(v) && hostPathClass(v.source) === 'persistent' && pathCovers(v.target, dir),
  );
}

/**
 * A top-level volume that is really a bind mount (`driver_opts: {type: none, o: bind, device: ./data}`):
 * its host directory, or undefined for an ordinary volume.
 */
export function volumeBindDevice(model: ComposeModel, name: string): string | undefined {
  const opts = model.volumes?.[name]?.driver_opts;
  if (!opts || typeof opts.device !== 'string') return undefined;
  const o = String(opts.o ?? '');
  return o.split(',').includes('bind') ? opts.device : undefined;
}

function segments(path: string): string[] {
  return path.toLowerCase().split('/').filter(Boolean);
}
