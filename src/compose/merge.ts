import { cloneNode, type LMap, type LNode, type PathSegment } from '../yaml/located.js';

/**
 * Compose-spec merge of an override file into a base, on located nodes (the result keeps the
 * location of whichever file set a value last). Mappings merge by key, scalars are replaced,
 * sequences are appended except where the spec says otherwise; `!reset` removes a value and
 * `!override` replaces it whole.
 */
export function mergeNodes(base: LNode | undefined, over: LNode, path: PathSegment[] = []): LNode | undefined {
  if (over.tag === '!reset') return undefined;
  if (over.tag === '!override' || !base) return cloneNode(over);
  if (base.kind === 'map' && over.kind === 'map') return mergeMaps(base, over, path);
  if (base.kind === 'seq' && over.kind === 'seq') return mergeSeqs(base, over, path);
  return cloneNode(over);
}

function mergeMaps(base: LMap, over: LMap, path: PathSegment[]): LMap {
  const out: LMap = { kind: 'map', loc: over.loc, entries: new Map() };
  for (const [k, e] of base.entries) out.entries.set(k, { keyLoc: e.keyLoc, node: cloneNode(e.node) });
  for (const [k, e] of over.entries) {
    const merged = mergeNodes(out.entries.get(k)?.node, e.node, [...path, k]);
    if (merged === undefined) out.entries.delete(k);
    else out.entries.set(k, { keyLoc: e.keyLoc, node: merged });
  }
  return out;
}

/** Service keys whose sequences are replaced, not appended (commands are one value). */
const REPLACED_SEQUENCES = new Set(['command', 'entrypoint', 'test', 'cap_add', 'cap_drop', 'profiles']);
/** Service keys whose long-syntax items are unique by a field: an override replaces the item. */
const UNIQUE_BY: Record<string, string> = {
  volumes: 'target',
  secrets: 'target',
  configs: 'target',
  devices: 'target',
};

function mergeSeqs(base: LNode & { kind: 'seq' }, over: LNode & { kind: 'seq' }, path: PathSegment[]): LNode {
  const key = String(path[path.length - 1] ?? '');
  const inService = path[0] === 'services' && path.length === 3;
  if (REPLACED_SEQUENCES.has(key) && (inService || key === 'test')) return cloneNode(over);
  const uniqueField = inService ? UNIQUE_BY[key] : undefined;
  const items = base.items.map(cloneNode);
  for (const item of over.items) {
    const id = identity(item, uniqueField);
    const at = id === undefined ? -1 : items.findIndex((i) => identity(i, uniqueField) === id);
    if (at >= 0) items[at] = cloneNode(item);
    else items.push(cloneNode(item));
  }
  return { kind: 'seq', loc: over.loc, items };
}

function identity(node: LNode, uniqueField: string | undefined): string | undefined {
  if (node.kind === 'scalar') return `=${String(node.value)}`;
  if (uniqueField && node.kind === 'map') {
    const f = node.entries.get(uniqueField)?.node;
    if (f?.kind === 'scalar') return `${uniqueField}=${String(f.value)}`;
  }
  if (node.kind === 'map')
    return JSON.stringify(
      [...node.entries].map(([k, e]) => [k, e.node.kind === 'scalar' ? e.node.value : e.node.kind]),
    );
  return undefined;
}
