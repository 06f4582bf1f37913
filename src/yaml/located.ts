import {
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  parseDocument,
  type Document,
  type Node as YamlNode,
} from 'yaml';
import { InputError } from '../util/errors.js';
import { yamlProblem } from './parse-errors.js';

/**
 * A YAML value with the place it came from. The loader keeps every value as a located node through
 * interpolation, normalisation, `extends` and multi-file merging, so a finding can point at the key
 * or value that caused it in whichever file defined it last.
 */
export interface Location {
  file: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  /** Offsets into the source text of `file` (for fixes and excerpts). */
  offset: number;
  endOffset: number;
}

export type Scalar = string | number | boolean | null;

interface NodeBase {
  loc: Location;
  /** `!reset` / `!override` compose merge tags. */
  tag?: string;
}
export interface LMap extends NodeBase {
  kind: 'map';
  entries: Map<string, LEntry>;
}
export interface LEntry {
  keyLoc: Location;
  node: LNode;
}
export interface LSeq extends NodeBase {
  kind: 'seq';
  items: LNode[];
}
export interface LScalar extends NodeBase {
  kind: 'scalar';
  value: Scalar;
  /** The text before interpolation, when interpolation changed it or referenced variables. */
  raw?: string;
}
export type LNode = LMap | LSeq | LScalar;

export interface SourceText {
  file: string;
  text: string;
  lineCounter: LineCounter;
  /**
   * The YAML document `text` parsed into (parseYamlSource). Never mutated after parsing: the loader
   * converts it to located nodes and edits those, so the excerpt masking converts it again instead
   * of parsing the text a second time (knowledge/redact-source.ts).
   */
  doc?: Document;
}

/** Limits that keep hostile input bounded in time and memory. */
export const MAX_FILE_BYTES = 5 * 1024 * 1024;
const MAX_EXPANDED_NODES = 200_000;

export function parseYamlSource(file: string, text: string): { doc: Document; source: SourceText } {
  if (Buffer.byteLength(text) > MAX_FILE_BYTES) {
    const mb = (Buffer.byteLength(text) / 1024 / 1024).toFixed(1);
    throw new InputError(
      `file is ${mb} MiB; compose files over 5 MiB are not supported (Phala Cloud caps compose at about 200 KB)`,
      { file },
    );
  }
  if (text.includes('\u0000')) throw new InputError('binary file, not YAML', { file });
  const lineCounter = new LineCounter();
  // Duplicate keys are found while converting (yaml's own check is quadratic in a map's size).
  const doc = parseDocument(text, { lineCounter, merge: false, uniqueKeys: false, prettyErrors: false, strict: false });
  const first = doc.errors[0];
  if (first) {
    const pos = lineCounter.linePos(first.pos[0]);
    throw new InputError(`invalid YAML: ${yamlProblem(first)}`, { file, line: pos.line, column: pos.col });
  }
  return { doc, source: { file, text, lineCounter, doc } };
}

export function locationOf(source: SourceText, range: readonly number[] | null | undefined, lineShift = 0): Location {
  const start = range?.[0] ?? 0;
  const end = range?.[1] ?? start;
  const a = source.lineCounter.linePos(start);
  const b = source.lineCounter.linePos(end);
  return {
    file: source.file,
    line: a.line + lineShift,
    column: a.col,
    endLine: b.line + lineShift,
    endColumn: b.col,
    offset: start,
    endOffset: end,
  };
}

/** Convert a parsed YAML document to located nodes, resolving aliases and `<<` merge keys. */
export function toLocated(doc: Document, source: SourceText): LNode | undefined {
  // Measure the expansion first (memoised per node, so it costs one pass over the written nodes):
  // an alias bomb is rejected before any of it is built. Without a `*` in the text there is no alias,
  // nothing expands, and the budget below bounds the conversion alone.
  if (source.text.includes('*') && expandedSize(doc, doc.contents, new Map(), 0) > MAX_EXPANDED_NODES) {
    throw new InputError(`YAML aliases expand to more than ${MAX_EXPANDED_NODES} nodes (alias bomb?)`, {
      file: source.file,
    });
  }
  let budget = MAX_EXPANDED_NODES;
  const convert = (node: unknown, depth: number): LNode => {
    if (--budget < 0)
      throw new InputError(`YAML aliases expand to more than ${MAX_EXPANDED_NODES} nodes (alias bomb?)`, {
        file: source.file,
      });
    if (depth > 200) throw new InputError('YAML nesting deeper than 200 levels', { file: source.file });
    if (isAlias(node)) {
      const target = node.resolve(doc);
      if (!target) {
        const loc = locationOf(source, node.range);
        throw new InputError(`unknown YAML alias *${node.source}`, {
          file: source.file,
          line: loc.line,
          column: loc.column,
        });
      }
      return convert(target, depth + 1);
    }
    const yn = node as YamlNode;
    const loc = locationOf(source, yn?.range);
    const tag = yn?.tag === '!reset' || yn?.tag === '!override' ? yn.tag : undefined;
    if (isMap(node)) {
      const entries = new Map<string, LEntry>();
      const merged: LMap[] = [];
      for (const pair of node.items) {
        if (!isPair(pair)) continue;
        const keyNode = pair.key as YamlNode | null;
        const key = isScalar(keyNode) ? String(keyNode.value) : String(keyNode);
        const keyLoc = locationOf(source, keyNode?.range);
        if (key === '<<' && isScalar(keyNode) && keyNode.type === 'PLAIN') {
          // YAML merge key: explicit keys win over merged ones, earlier merge sources over later.
          const value = convert(pair.value, depth + 1);
          const sources = value.kind === 'seq' ? value.items : [value];
          for (const s of sources) {
            if (s.kind !== 'map')
              throw new InputError('merge key << needs a mapping or a list of mappings', {
                file: source.file,
                line: keyLoc.line,
                column: keyLoc.column,
              });
            merged.push(s);
          }
          continue;
        }
        if (entries.has(key))
          throw new InputError(
            `invalid YAML: duplicate key ${JSON.stringify(key.length > 60 ? `${key.slice(0, 60)}…` : key)}`,
            {
              file: source.file,
              line: keyLoc.line,
              column: keyLoc.column,
            },
          );
        const value = pair.value == null ? nullScalar(keyLoc) : convert(pair.value, depth + 1);
        entries.set(key, { keyLoc, node: value });
      }
      for (const m of merged) for (const [k, e] of m.entries) if (!entries.has(k)) entries.set(k, e);
      return { kind: 'map', entries, loc, tag };
    }
    if (isSeq(node)) return { kind: 'seq', items: node.items.map((i) => convert(i, depth + 1)), loc, tag };
    if (isScalar(node)) {
      const v = node.value;
      const value: Scalar =
        v === null || v === undefined
          ? null
          : typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean'
            ? v
            : String(v);
      return { kind: 'scalar', value, loc, tag };
    }
    return nullScalar(loc);
  };
  if (doc.contents == null) return undefined;
  return convert(doc.contents, 0);
}

/** How many nodes `node` becomes once aliases are expanded (stops counting past the limit). */
function expandedSize(doc: Document, node: unknown, memo: Map<unknown, number>, depth: number): number {
  if (node == null || depth > 200) return 1;
  const known = memo.get(node);
  if (known !== undefined) return known;
  memo.set(node, MAX_EXPANDED_NODES + 1); // a cycle through an alias counts as too large
  let size = 1;
  if (isAlias(node)) size = expandedSize(doc, node.resolve(doc), memo, depth + 1);
  else if (isMap(node)) {
    for (const pair of node.items) {
      if (isPair(pair)) size += expandedSize(doc, pair.value, memo, depth + 1);
      if (size > MAX_EXPANDED_NODES) break;
    }
  } else if (isSeq(node)) {
    for (const item of node.items) {
      size += expandedSize(doc, item, memo, depth + 1);
      if (size > MAX_EXPANDED_NODES) break;
    }
  }
  memo.set(node, size);
  return size;
}

function nullScalar(loc: Location): LScalar {
  return { kind: 'scalar', value: null, loc };
}

/** Plain JavaScript value of a located node (what rules read). */
export function toPlain(node: LNode | undefined): unknown {
  if (!node) return undefined;
  switch (node.kind) {
    case 'scalar':
      return node.value;
    case 'seq':
      return node.items.map(toPlain);
    case 'map': {
      const out: Record<string, unknown> = {};
      for (const [k, e] of node.entries) out[k] = toPlain(e.node);
      return out;
    }
  }
}

export type PathSegment = string | number;
export type Path = readonly PathSegment[];

/** The node at `path`, and the location of its key when it is a map entry. */
export function nodeAt(
  root: LNode | undefined,
  path: Path,
): { node?: LNode; keyLoc?: Location; nearest: LNode | undefined; nearestKeyLoc?: Location } {
  let node: LNode | undefined = root;
  let keyLoc: Location | undefined;
  let nearest = root;
  let nearestKeyLoc: Location | undefined;
  for (const seg of path) {
    if (!node) break;
    if (node.kind === 'map') {
      const e = node.entries.get(String(seg));
      node = e?.node;
      keyLoc = e?.keyLoc;
    } else if (node.kind === 'seq' && typeof seg === 'number') {
      node = node.items[seg];
      keyLoc = undefined;
    } else {
      node = undefined;
    }
    if (node) {
      nearest = node;
      nearestKeyLoc = keyLoc;
    }
  }
  return { node, keyLoc, nearest, nearestKeyLoc };
}

export function cloneNode<T extends LNode>(node: T): T {
  switch (node.kind) {
    case 'scalar':
      return { ...node };
    case 'seq':
      return { ...node, items: node.items.map(cloneNode) } as T;
    case 'map': {
      const entries = new Map<string, LEntry>();
      for (const [k, e] of node.entries) entries.set(k, { keyLoc: e.keyLoc, node: cloneNode(e.node) });
      return { ...node, entries } as T;
    }
  }
  return node;
}
