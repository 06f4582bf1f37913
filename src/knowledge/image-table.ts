import { parseImage } from './image.js';

/**
 * Find the entry of an image table (exporters, log forwarders…) that an image reference matches:
 * by repository path without registry (`prom/node-exporter`) or by its last segment (`node-exporter`).
 */
export function matchImageTable<T extends { images: string[] }>(
  table: readonly T[],
  image: string | undefined,
): T | undefined {
  if (!image) return undefined;
  const ref = parseImage(image);
  const path = ref.path.toLowerCase();
  const name = ref.name.toLowerCase();
  return table.find((e) => e.images.some((i) => i === path || i === name));
}
