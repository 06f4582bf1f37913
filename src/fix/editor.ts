import {
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  parseDocument,
  visit,
  type Document,
  type Node as YamlNode,
  type YAMLMap,
  type YAMLSeq,
} from 'yaml';
import type { TextEdit } from '../findings/types.js';
import {
  blockEntry,
  blockItem,
  blockValue,
  columnOf,
  detectStyle,
  flowValue,
  scalarLike,
  startsLine,
  type YamlStyle,
} from './render.js';

/** Why a region cannot be edited safely; the fix that met it is refused as a whole. */
export class Refusal extends Error {}

/** One step from a parent to a node: the map key or list index it sits at, and the node. */
export interface Step {
  key: string | number;
  node: YamlNode;
}

interface Insert {
  key: string;
  value: unknown;
  comment?: string;
}

/** What the fixes staged so far, in terms of the written nodes; rendered to text edits at the end. */
interface Staged {
  replaces: Map<YamlNode, unknown>;
  inserts: Map<YAMLMap, Insert[]>;
  appends: Map<YAMLSeq, unknown[]>;
  texts: TextEdit[];
}

/**
 * Edits of one written file (a compose file, .preflight.yml, app-compose.json), staged on its
 * parsed `yaml` Document and rendered as text edits of the exact source: what lies outside an edit
 * stays byte for byte as it was. Re-serialising the whole Document (`doc.toString()`) was rejected:
 * it re-indents, re-folds and re-quotes the rest of the file.
 */
export class FileEditor {
  readonly doc: Document;
  readonly style: YamlStyle;
  readonly #aliases = new Map<string, number>();
  #staged: Staged = { replaces: new Map(), inserts: new Map(), appends: new Map(), texts: [] };

  constructor(
    /** The file as findings name it. */
    readonly file: string,
    /** Where it is on disk; undefined for a file the fix creates. */
    readonly abs: string,
    readonly text: string,
    readonly json = false,
  ) {
    this.doc = parseDocument(text, { merge: false, uniqueKeys: false, prettyErrors: false, strict: false });
    this.style = detectStyle(text, this.doc);
    visit(this.doc, {
      Alias: (_, a) => {
        this.#aliases.set(a.source, (this.#aliases.get(a.source) ?? 0) + 1);
      },
    });
  }

  get changed(): boolean {
    const s = this.#staged;
    return s.replaces.size + s.inserts.size + s.appends.size + s.texts.length > 0;
  }

  /** A copy of what is staged, to restore when a fix is refused half way. */
  snapshot(): unknown {
    const s = this.#staged;
    return {
      replaces: new Map([...s.replaces].map(([k, v]) => [k, structuredClone(v)])),
      inserts: new Map([...s.inserts].map(([k, v]) => [k, structuredClone(v)])),
      appends: new Map([...s.appends].map(([k, v]) => [k, structuredClone(v)])),
      texts: [...s.texts],
    } satisfies Staged;
  }

  restore(snapshot: unknown): void {
    this.#staged = snapshot as Staged;
  }

  /** The written node at these source offsets and how it is reached from the top, not through aliases. */
  nodeAt(start: number, end: number): Step[] | undefined {
    const walk = (node: unknown, steps: Step[]): Step[] | undefined => {
      const n = node as YamlNode | null;
      if (!n?.range || n.range[0] > start || n.range[2] < end) return undefined;
      if (n.range[0] === start && n.range[1] === end && !isAlias(n)) return steps;
      if (isMap(n)) {
        for (const pair of n.items) {
          if (!isPair(pair)) continue;
          const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
          const keyNode = pair.key as YamlNode | null;
          if (keyNode?.range && keyNode.range[0] === start && keyNode.range[1] === end) return steps;
          const found = walk(pair.value, [...steps, { key, node: pair.value as YamlNode }]);
          if (found) return found;
        }
      } else if (isSeq(n)) {
        for (const [i, item] of n.items.entries()) {
          const found = walk(item, [...steps, { key: i, node: item as YamlNode }]);
          if (found) return found;
        }
      }
      return undefined;
    };
    return walk(this.doc.contents, [{ key: '', node: this.doc.contents as YamlNode }]);
  }

  /** The node at a written key path, with the steps to it; stops at an alias (returned as the last step). */
  path(keys: readonly (string | number)[]): Step[] | undefined {
    const steps: Step[] = [{ key: '', node: this.doc.contents as YamlNode }];
    for (const key of keys) {
      const cur = steps[steps.length - 1]!.node;
      if (isAlias(cur)) return steps;
      let next: unknown;
      if (isMap(cur)) next = cur.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === key)?.value;
      else if (isSeq(cur) && typeof key === 'number') next = cur.items[key];
      if (next === undefined) return undefined;
      steps.push({ key, node: next as YamlNode });
    }
    return steps;
  }

  /** The first anchor along these steps that an alias elsewhere refers to (editing under it edits every user). */
  sharedAnchor(steps: readonly Step[]): string | undefined {
    for (const { node } of steps) {
      const anchor = (node as { anchor?: string } | null)?.anchor;
      if (anchor && (this.#aliases.get(anchor) ?? 0) > 0) return anchor;
    }
    return undefined;
  }

  aliasUses(anchor: string): number {
    return this.#aliases.get(anchor) ?? 0;
  }

  /** A value staged to replace `node`, to amend (a second fix on the same node). */
  staged(node: YamlNode): unknown {
    return this.#staged.replaces.get(node);
  }

  replace(node: YamlNode, value: unknown): void {
    this.#checkFree(node);
    this.#staged.replaces.set(node, value);
  }

  /** Add `key: value` to a mapping; a key staged already gets the new value (amend it through `stagedInsert`). */
  insert(map: YAMLMap, key: string, value: unknown, comment?: string): void {
    this.#checkFree(map);
    const list = this.#staged.inserts.get(map) ?? [];
    const known = list.find((i) => i.key === key);
    if (known) known.value = value;
    else list.push({ key, value, comment });
    this.#staged.inserts.set(map, list);
  }

  stagedInsert(map: YAMLMap, key: string): Insert | undefined {
    return this.#staged.inserts.get(map)?.find((i) => i.key === key);
  }

  /** Keys staged for a mapping (new top-level volumes, services). */
  stagedKeys(map: YAMLMap | undefined): string[] {
    return map ? (this.#staged.inserts.get(map) ?? []).map((i) => i.key) : [];
  }

  append(seq: YAMLSeq, item: unknown): void {
    this.#checkFree(seq);
    const list = this.#staged.appends.get(seq) ?? [];
    list.push(item);
    this.#staged.appends.set(seq, list);
  }

  /** Replace source text inside a scalar (a `${VAR}` reference); the text must be literally there. */
  replaceText(start: number, end: number, text: string): void {
    for (const t of this.#staged.texts)
      if (start < t.end && t.start < end) throw new Refusal('another fix already edits this text');
    for (const node of this.#staged.replaces.keys())
      if (node.range && start < node.range[1] && node.range[0] < end)
        throw new Refusal('another fix already replaces this value');
    this.#staged.texts.push({ file: this.file, start, end, text });
  }

  /** Nothing staged replaces this node or a node around it. */
  #checkFree(node: YamlNode): void {
    const r = node.range;
    if (!r) return;
    for (const other of this.#staged.replaces.keys()) {
      if (other === node) continue;
      const o = other.range;
      if (o && o[0] <= r[0] && r[1] <= o[1])
        throw new Refusal('another fix already replaces the value around this one');
    }
  }

  /** The staged edits as text edits of the source, in order. */
  edits(): TextEdit[] {
    const out: TextEdit[] = [...this.#staged.texts];
    // Insertions where several collections end together: the innermost first (a service's new key
    // before a new top-level key), so each lands inside its own collection. A replaced value comes
    // before them all: it sits right after its key (a `volumes:` with no value that ends the file).
    const depth = new Map<TextEdit, number>();
    for (const [node, value] of this.#staged.replaces) {
      const e = this.#replaceEdit(node, value);
      depth.set(e, Number.MAX_SAFE_INTEGER);
      out.push(e);
    }
    for (const [map, inserts] of this.#staged.inserts) {
      const e = this.#insertEdit(map, inserts);
      depth.set(e, this.#depthOf(map));
      out.push(e);
    }
    for (const [seq, items] of this.#staged.appends) {
      const e = this.#appendEdit(seq, items);
      depth.set(e, this.#depthOf(seq));
      out.push(e);
    }
    return out.sort((a, b) => a.start - b.start || a.end - b.end || (depth.get(b) ?? 0) - (depth.get(a) ?? 0));
  }

  /** The file's text with the staged edits made. */
  render(): string {
    let out = '';
    let at = 0;
    for (const e of this.edits()) {
      out += this.text.slice(at, e.start) + e.text;
      at = Math.max(at, e.end);
    }
    return out + this.text.slice(at);
  }

  #depthOf(node: YamlNode): number {
    return this.nodeAt(node.range![0], node.range![1])?.length ?? 0;
  }

  #edit(start: number, end: number, text: string): TextEdit {
    return { file: this.file, start, end, text };
  }

  #replaceEdit(node: YamlNode, value: unknown): TextEdit {
    const [start, end] = node.range!;
    const collection = value !== null && typeof value === 'object';
    if (!collection || this.json)
      return this.#edit(start, end, this.json ? JSON.stringify(value) : scalarLike(node, value));
    const flow = (node as { flow?: boolean }).flow;
    if (flow || (isScalar(node) && node.value !== null)) return this.#edit(start, end, flowValue(value));
    if (isScalar(node)) {
      // `key:` with nothing after it: the block value goes on the lines below, one level in.
      // blockValue leaves the first line unindented (for text after a key); here it starts a line.
      const col = this.#keyColumnBefore(start) + this.style.indent;
      const text = blockValue(value, col, this.style).replace(/\n$/, '');
      return this.#edit(start, end, `\n${' '.repeat(col)}${text}`);
    }
    if (!startsLine(this.text, start)) return this.#edit(start, end, flowValue(value));
    // A block collection: its replacement starts a level under its key (an indentless list sits level with it).
    const lineStart = start - columnOf(this.text, start);
    const col = Math.max(columnOf(this.text, start), this.#keyColumnBefore(lineStart) + this.style.indent);
    const text = blockValue(value, col, this.style);
    const endsLine = this.text[end - 1] === '\n' || end === this.text.length;
    return this.#edit(lineStart, end, ' '.repeat(col) + (endsLine ? text : text.replace(/\n$/, '')));
  }

  #insertEdit(map: YAMLMap, inserts: Insert[]): TextEdit {
    const [start, end] = map.range!;
    const pairs = map.items.filter(isPair);
    if (map.flow || this.json) {
      const close = this.text.lastIndexOf('}', end - 1);
      const entry = (i: Insert) =>
        this.json ? `${JSON.stringify(i.key)}: ${JSON.stringify(i.value)}` : `${i.key}: ${flowValue(i.value)}`;
      const last = pairs[pairs.length - 1];
      const lastEnd = ((last?.value as YamlNode | null)?.range ?? (last?.key as YamlNode | null)?.range)?.[1];
      if (last && lastEnd !== undefined && this.text.slice(start, close).includes('\n')) {
        // A mapping written over several lines: each new entry on its own line, like the last one.
        const col = columnOf(this.text, (last.key as YamlNode).range![0]);
        return this.#edit(lastEnd, lastEnd, inserts.map((i) => `,\n${' '.repeat(col)}${entry(i)}`).join(''));
      }
      if (last && lastEnd !== undefined)
        return this.#edit(lastEnd, lastEnd, inserts.map((i) => `, ${entry(i)}`).join(''));
      return this.#edit(close, close, inserts.map(entry).join(', '));
    }
    const col = pairs.length ? columnOf(this.text, (pairs[0]!.key as YamlNode).range![0]) : 0;
    const lines = inserts
      .map((i) => (i.comment ? `${' '.repeat(col)}# ${i.comment}\n` : '') + blockEntry(i.key, i.value, col, this.style))
      .join('');
    return this.#atLineStart(end, lines);
  }

  #appendEdit(seq: YAMLSeq, items: unknown[]): TextEdit {
    const [start, end] = seq.range!;
    if (seq.flow) {
      const close = this.text.lastIndexOf(']', end - 1);
      const sep = seq.items.length ? ', ' : '';
      return this.#edit(close, close, sep + items.map((i) => flowValue(i)).join(', '));
    }
    const col = columnOf(this.text, start);
    return this.#atLineStart(end, items.map((i) => blockItem(i, col, this.style)).join(''));
  }

  /** Insert whole lines where a block collection ends (after its last line). */
  #atLineStart(end: number, lines: string): TextEdit {
    if (end === 0 || this.text[end - 1] === '\n') return this.#edit(end, end, lines);
    // The collection ends the file without a final newline, or a comment follows on its last line.
    const eol = this.text.indexOf('\n', end);
    if (eol === -1) return this.#edit(this.text.length, this.text.length, `\n${lines.replace(/\n$/, '')}`);
    return this.#edit(eol + 1, eol + 1, lines);
  }

  /** The column of the key whose value starts at or after `offset` (the line's first non-space). */
  #keyColumnBefore(offset: number): number {
    let lineStart = this.text.lastIndexOf('\n', offset - 1) + 1;
    // A value at the start of a line belongs to the key on a line above it.
    while (lineStart > 0 && /^\s*(#.*)?$/.test(this.text.slice(lineStart, offset))) {
      offset = lineStart - 1;
      lineStart = this.text.lastIndexOf('\n', offset - 1) + 1;
    }
    // A byte-order mark is no column (trimStart would count it as one).
    const line = this.text.slice(lineStart === 0 && this.text.charCodeAt(0) === 0xfeff ? 1 : lineStart);
    return line.length - line.trimStart().length + (line.trimStart().startsWith('- ') ? 2 : 0);
  }
}
