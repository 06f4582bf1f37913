/**
 * The one spelling of a container or host path the tables and rules compare: repeated slashes
 * collapsed, no trailing slash, `/` itself kept (`/var//lib/` → `/var/lib`). Relative and `~` paths
 * keep their start.
 */
export function normalizePath(path: string): string {
  return path.replace(/\/{2,}/g, '/').replace(/(.)\/+$/, '$1');
}

/** Does `dir` lie at or below `mount`? Both absolute; `/` covers everything. */
export function pathCovers(mount: string, dir: string): boolean {
  const m = normalizePath(mount);
  const d = normalizePath(dir);
  return m === '/' || d === m || d.startsWith(`${m}/`);
}
