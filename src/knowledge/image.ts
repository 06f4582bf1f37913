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

/** A data table row that names images: products, exporters, images with a HEALTHCHECK… */
export interface ImageEntry {
  /** Repository paths (`bitnami/redis`, `gcr.io/cadvisor/cadvisor`) or bare names (`redis`). */
  images: readonly string[];
}

/**
 * The one image matcher every table uses: the entry that names the image's repository path
 * (`bitnami/redis`, registry left out) or its registry and path (`gcr.io/cadvisor/cadvisor`), else
 * the first entry whose bare name (no slash) is the image's last path segment (`redis` for
 * `myorg/redis`). Case-insensitive; `library/` is the same as no namespace.
 */
export function matchImage<T extends ImageEntry>(
  table: readonly T[],
  image: string | ImageRef | undefined,
): T | undefined {
  if (!image) return undefined;
  const ref = typeof image === 'string' ? parseImage(image) : image;
  const path = ref.path.toLowerCase();
  const full = ref.registry ? `${ref.registry.toLowerCase()}/${path}` : path;
  const name = ref.name.toLowerCase();
  return (
    table.find((e) => e.images.some((i) => i === path || i === full)) ??
    table.find((e) => e.images.some((i) => !i.includes('/') && i === name))
  );
}
