import { Document, isMap, isPair, isScalar, isSeq, Scalar, visit, type Node as YamlNode } from 'yaml';

/** How a file indents, so inserted lines look like their neighbours. */
export interface YamlStyle {
  /** Spaces per level (the first nested mapping's offset; 2 when none). */
  indent: number;
  /** Block list items indented under their key (`key:\n  - a`) rather than level with it (`key:\n- a`). */
  indentSeq: boolean;
}

/** Keys whose list of strings reads best in flow style with double quotes (`test: ["CMD", "pg_isready"]`). */
const FLOW_STRING_LISTS = new Set(['test']);

export function detectStyle(text: string, doc: Document): YamlStyle {
  let indent: number | undefined;
  let indentSeq: boolean | undefined;
  visit(doc, {
    Pair(_, pair) {
      if (!isPair(pair) || !isScalar(pair.key) || !pair.key.range) return;
      const keyCol = columnOf(text, pair.key.range[0]);
      const value = pair.value as YamlNode | null;
      if (!value?.range || (value as { flow?: boolean }).flow) return;
      const valueCol = columnOf(text, value.range[0]);
      if (!startsLine(text, value.range[0])) return;
      if (isMap(value) && indent === undefined && valueCol > keyCol) indent = valueCol - keyCol;
      if (isSeq(value) && indentSeq === undefined) indentSeq = valueCol > keyCol;
      if (indent !== undefined && indentSeq !== undefined) return visit.BREAK;
    },
  });
  return { indent: indent ?? 2, indentSeq: indentSeq ?? true };
}

/** Lines of `key: value` (block style) at column `col`, each ending with a newline. */
export function blockEntry(key: string, value: unknown, col: number, style: YamlStyle): string {
  return indentLines(stringifyValue({ [key]: value }, style), col);
}

/** Lines of `- item` at column `col`, each ending with a newline. */
export function blockItem(item: unknown, col: number, style: YamlStyle): string {
  return indentLines(stringifyValue([item], { ...style, indentSeq: false }), col);
}

/** A block value to stand where a node began at `col` (the first line without its indentation). */
export function blockValue(value: unknown, col: number, style: YamlStyle): string {
  return indentLines(stringifyValue(value, style), col).slice(col);
}

/** One-line flow text of a value (`{condition: service_healthy}`, `["CMD", "true"]`). */
export function flowValue(value: unknown): string {
  const doc = new Document(value);
  visit(doc, {
    Map(_, n) {
      n.flow = true;
    },
    Seq(_, n) {
      n.flow = true;
    },
  });
  quoteFlowStrings(doc);
  return doc.toString({ lineWidth: 0, nullStr: '', flowCollectionPadding: false }).trimEnd();
}

/** A scalar's new text in the quoting style of the scalar it replaces (plain stays plain when it can). */
export function scalarLike(original: YamlNode | null | undefined, value: unknown): string {
  if (typeof value !== 'string') return flowValue(value);
  const type = isScalar(original) ? original.type : undefined;
  if (type === 'QUOTE_DOUBLE') return JSON.stringify(value);
  if (type === 'QUOTE_SINGLE') return `'${value.replaceAll("'", "''")}'`;
  return flowValue(value);
}

function stringifyValue(value: unknown, style: YamlStyle): string {
  const doc = new Document(value);
  visit(doc, {
    Pair(_, pair) {
      if (isScalar(pair.key) && FLOW_STRING_LISTS.has(String(pair.key.value)) && isSeq(pair.value))
        pair.value.flow = true;
    },
  });
  quoteFlowStrings(doc);
  const text = doc.toString({
    indent: style.indent,
    indentSeq: style.indentSeq,
    lineWidth: 0,
    nullStr: '',
    flowCollectionPadding: false,
  });
  return text
    .split('\n')
    .map((l) => l.trimEnd())
    .join('\n');
}

/** Strings in flow lists are written double-quoted, as compose files write `test: ["CMD", …]`. */
function quoteFlowStrings(doc: Document): void {
  visit(doc, {
    Seq(_, seq) {
      if (!seq.flow) return;
      for (const item of seq.items)
        if (isScalar(item) && typeof item.value === 'string') item.type = Scalar.QUOTE_DOUBLE;
    },
  });
}

function indentLines(text: string, col: number): string {
  const pad = ' '.repeat(col);
  const lines = text.endsWith('\n') ? text.slice(0, -1).split('\n') : text.split('\n');
  return lines.map((l) => (l ? pad + l : l)).join('\n') + '\n';
}

export function columnOf(text: string, offset: number): number {
  return offset - lineStart(text, offset);
}

/**
 * Where the line holding `offset` begins, after a byte-order mark on the first line: the mark is
 * no column (counted as one, a fix put the new top-level keys at column 1, under the file's first key).
 */
function lineStart(text: string, offset: number): number {
  const start = text.lastIndexOf('\n', offset - 1) + 1;
  return start === 0 && text.charCodeAt(0) === 0xfeff && offset > 0 ? 1 : start;
}

/** Nothing but spaces before `offset` on its line. */
export function startsLine(text: string, offset: number): boolean {
  return /^[ \t]*$/.test(text.slice(lineStart(text, offset), offset));
}
