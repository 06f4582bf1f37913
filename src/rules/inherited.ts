import type { Project } from '../compose/project.js';
import type { RelatedLocation } from '../findings/types.js';
import type { LNode, Location, Path } from '../yaml/located.js';

/**
 * Where a service takes the value at `path` from: the deepest key on the way to it that is written
 * in the service's own block (`environment: *env`, the `image:` an `extends` overrides), else the
 * service's own key when the value comes whole from elsewhere (a `<<: *defaults` merge, `extends`,
 * an aliased service). Values keep the location they were written at through aliases, merges and
 * `extends` (yaml/located.ts), so a location outside the block means "inherited".
 */
export function inheritedVia(project: Project, service: string, path: Path | undefined): RelatedLocation | undefined {
  const services = project.tree.entries.get('services')?.node;
  const entry = services?.kind === 'map' ? services.entries.get(service) : undefined;
  if (!entry) return undefined;
  const own = ownBlock(entry.keyLoc, entry.node.loc);
  let at: Location = entry.keyLoc;
  let node: LNode | undefined = entry.node;
  if (path && path[0] === 'services' && path[1] === service && own) {
    for (const seg of path.slice(2)) {
      let loc: Location | undefined;
      if (node?.kind === 'map') {
        const e = node.entries.get(String(seg));
        loc = e?.keyLoc;
        node = e?.node;
      } else if (node?.kind === 'seq' && typeof seg === 'number') {
        node = node.items[seg];
        loc = node?.loc;
      } else break;
      if (!loc || !within(loc, own)) break;
      at = loc;
    }
  }
  return { file: at.file, line: at.line, column: at.column, service };
}

/**
 * The text range of a service's own definition: from its key to the end of its value, when the value is written there.
 */
function ownBlock(key: Location, value: Location): { file: string; start: number; end: number } | undefined {
  // An aliased service (`worker: *base`) has the anchor's location, which YAML puts before the alias.
  if (value.file !== key.file || value.offset < key.offset) return undefined;
  return { file: key.file, start: key.offset, end: value.endOffset };
}

function within(loc: Location, block: { file: string; start: number; end: number }): boolean {
  return loc.file === block.file && loc.offset >= block.start && loc.endOffset <= block.end;
}
