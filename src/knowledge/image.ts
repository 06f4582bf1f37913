/** A parsed image reference: `[registry/]path[:tag][@digest]`. */
export interface ImageRef {
  registry?: string;
  /** Repository path without registry, e.g. `library/postgres` → `postgres`, `bitnami/postgresql`. */
  path: string;
  /** Last path segment, e.g. `postgresql`. */
  name: string;
  tag?: string;
  digest?: string;
}

export function parseImage(image: string): ImageRef {
  let rest = image.trim();
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  let tag: string | undefined;
  const lastSlash = rest.lastIndexOf('/');
  const colon = rest.lastIndexOf(':');
  if (colon > lastSlash) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  let registry: string | undefined;
  const parts = rest.split('/');
  if (parts.length > 1 && /[.:]|^localhost$/.test(parts[0]!)) registry = parts.shift();
  let path = parts.join('/');
  if (path.startsWith('library/')) path = path.slice('library/'.length);
  const ref: ImageRef = { path, name: parts[parts.length - 1] ?? path };
  if (registry) ref.registry = registry;
  if (tag) ref.tag = tag;
  if (digest) ref.digest = digest;
  return ref;
}

/** Major version from a tag like `16`, `16.2-alpine`, `v2.4.1`, `8.0.36-debian` (undefined when not numeric). */
export function majorVersion(tag: string | undefined): number | undefined {
  const m = /^v?(\d+)(?:[.\-_]|$)/.exec(tag ?? '');
  return m ? Number(m[1]) : undefined;
}

/**
 * Does the image match one of `entries` (a data table's image list)? An entry matches the repository
 * path (`bitnami/redis`), the path with its registry (`gcr.io/cadvisor/cadvisor`), or, when it has no
 * slash, the last path segment (`redis` matches `myorg/redis`).
 */
export function imageMatches(image: string, entries: readonly string[]): boolean {
  const ref = parseImage(image);
  const full = ref.registry ? `${ref.registry}/${ref.path}` : ref.path;
  return entries.some((e) => e === ref.path || e === full || (!e.includes('/') && e === ref.name));
}
