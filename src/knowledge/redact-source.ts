/**
 * Masks secrets in a source text before a report shows lines of it (code excerpts around findings).
 *
 * Masking works on the located values, not on lines of text: the file is parsed into the same located
 * tree the loader builds (src/yaml/located.ts), every scalar is judged by where it sits (the key it
 * is the value of, the list it is an item of, the flag before it in an exec-form command) and what
 * it holds (src/knowledge/secret-values.ts), and the parts judged secret are masked at their place
 * in the source through the scalar's range. So a block scalar's body, the continuation lines of a
 * multi-line quoted value, a `["--requirepass", "pw"]` command and a `${DB_PASSWORD:-changeme}`
 * default are masked on every line they span, the same way whichever line an excerpt starts at.
 * Values known to be secret from elsewhere (the env files' values of credential-named variables)
 * and every value masked here are then masked wherever else they occur in the text (comments,
 * other files, the JSON-escaped compose string of an app-compose.json).
 */
import { parseYamlSource, toLocated, type LNode, type LScalar, type SourceText } from '../yaml/located.js';
import { append, commentSecretSpans, execFormSpans, scalarSecretSpans, type Span } from './secret-values.js';
import { findSecretInText } from './secret-detect.js';

export const MASK = '****';

/** Known secrets shorter than this are masked only where the tree says so (a global search would hit words). */
const MIN_KNOWN_SECRET = 4;
/** Words of a known secret at least this long are searched for on their own. */
const MIN_KNOWN_WORD = 8;
/** At most this many distinct known secrets are searched for in the whole text (bounded work). */
const MAX_KNOWN_SECRETS = 2000;

export interface MaskOptions {
  /** Values known to be secret (credential-named env values, secrets found in an embedded compose file). */
  knownSecrets?: Iterable<string>;
  /**
   * The loader's parse of the same file (parseYamlSource), used instead of parsing `text` again
   * when it holds a document of exactly this text.
   */
  parsed?: SourceText;
}

export interface MaskedText {
  /** The text with every secret replaced by `****`; it has the same lines as the original. */
  text: string;
  /** The original text of every span masked (for masking the same values in another file). */
  secrets: string[];
}

/** `text` (a YAML or JSON file) with every secret it holds masked, line for line. */
export function maskSourceText(file: string, text: string, opts: MaskOptions = {}): MaskedText {
  let root: LNode | undefined;
  try {
    const { doc, source } =
      opts.parsed?.doc && opts.parsed.text === text && opts.parsed.file === file
        ? { doc: opts.parsed.doc, source: opts.parsed }
        : parseYamlSource(file, text);
    root = toLocated(doc, source);
  } catch {
    // Not parseable (the loader refused it, so no finding points into it): show no value at all.
    return { text: maskEveryValue(text), secrets: [] };
  }
  const walk: Walk = { text, spans: [], found: new Set(), covered: [] };
  if (root) visit(root, undefined, walk);
  const spans = walk.spans;
  // Values masked here are masked again where they recur outside any value (comments); values
  // known from elsewhere (env files) wherever they occur.
  const outside = outsideValues(walk.covered);
  const comments = commentSpans(text, outside);
  for (const [a, b] of comments) walk.found.add(text.slice(a, b));
  append(spans, comments);
  append(spans, knownSecretSpans(text, walk.found, outside));
  append(
    spans,
    knownSecretSpans(text, new Set(opts.knownSecrets ?? []), () => true),
  );
  append(spans, providerSpans(text));
  return { text: applyMask(text, spans), secrets: [...walk.found] };
}

interface Walk {
  text: string;
  /** Source spans to mask. */
  spans: Span[];
  /** The secret parts of values, as the values hold them. */
  found: Set<string>;
  /** Source ranges of every key and scalar. */
  covered: Span[];
}

function visit(node: LNode, key: string | undefined, w: Walk): void {
  if (node.kind === 'map') {
    for (const [k, e] of node.entries) {
      w.covered.push([e.keyLoc.offset, e.keyLoc.endOffset]);
      visit(e.node, k, w);
    }
    return;
  }
  if (node.kind === 'seq') {
    const scalars = node.items.every((i) => i.kind === 'scalar') ? (node.items as LScalar[]) : undefined;
    if (scalars) {
      const values = scalars.map((s) => scalarText(s));
      for (const { item, spans } of execFormSpans(values)) mark(scalars[item]!, values[item]!, spans, w);
    }
    for (const item of node.items) visit(item, key, w);
    return;
  }
  w.covered.push([node.loc.offset, node.loc.endOffset]);
  const value = scalarText(node);
  if (value !== '') mark(node, value, scalarSecretSpans(value, key), w);
}

function mark(node: LScalar, value: string, spans: readonly Span[], w: Walk): void {
  for (const [a, b] of spans) {
    const part = value.slice(a, b).trim();
    if (part) w.found.add(part);
  }
  append(w.spans, toSource(node, value, spans, w.text));
}

function scalarText(node: LScalar): string {
  return node.value === null || typeof node.value === 'boolean' ? '' : String(node.value);
}

/**
 * Where the value spans `spans` of a scalar are in the source. A plain or quoted one-line scalar
 * maps offset for offset; a span that is the whole value masks the value's whole range; otherwise
 * (a part of a block scalar, of a folded or escaped quoted one) each line, else each word, of the
 * part is found in the scalar's source range, and when one is not (an escape changed it) the whole
 * value is masked.
 */
function toSource(node: LScalar, value: string, spans: readonly Span[], text: string): Span[] {
  if (!spans.length) return [];
  const { offset, endOffset } = node.loc;
  const src = text.slice(offset, endOffset);
  const quoted = src.startsWith('"') || src.startsWith("'");
  const inner = quoted ? src.slice(1, -1) : src;
  const start = offset + (quoted ? 1 : 0);
  if (inner === value) return spans.map(([a, b]) => [start + a, start + b]);
  const out: Span[] = [];
  const find = (piece: string): boolean => {
    let found = false;
    for (let i = src.indexOf(piece); i >= 0; i = src.indexOf(piece, i + piece.length)) {
      out.push([offset + i, offset + i + piece.length]);
      found = true;
    }
    return found;
  };
  for (const [a, b] of spans) {
    if (!value.slice(0, a).trim() && !value.slice(b).trim()) return [wholeValue(src, offset)];
    for (const line of value.slice(a, b).split('\n')) {
      const piece = line.trim();
      if (!piece || find(piece)) continue;
      for (const word of piece.split(/\s+/)) if (!find(word)) return [wholeValue(src, offset)];
    }
  }
  return out;
}

/** The whole value's range, without its quotes or its block scalar header (`|`, `>-`). */
function wholeValue(src: string, offset: number): Span {
  if (/^[|>]/.test(src)) {
    const nl = src.indexOf('\n');
    return nl < 0 ? [offset, offset] : [offset + nl + 1, offset + src.length];
  }
  if (/^["']/.test(src)) return [offset + 1, offset + Math.max(1, src.length - 1)];
  return [offset, offset + src.length];
}

/** Every occurrence of a known secret (and of its JSON-escaped form) in the text, where `where` allows. */
function knownSecretSpans(text: string, known: Set<string>, where: (s: number, e: number) => boolean): Span[] {
  const forms = new Set<string>();
  for (const s of known) {
    if (s.length < MIN_KNOWN_SECRET) continue;
    forms.add(s);
    const escaped = JSON.stringify(s).slice(1, -1);
    if (escaped !== s) forms.add(escaped);
    if (forms.size >= MAX_KNOWN_SECRETS) break;
  }
  const out: Span[] = [];
  for (const s of forms) {
    // Each line of a multi-line value, and each long word of it (a folded or escaped value's words
    // are on other lines in the source than in the value).
    const parts = new Set<string>();
    for (const line of s.split(/\\n|\n/)) {
      parts.add(line.trim());
      for (const word of line.split(/\s+/)) if (word.length >= MIN_KNOWN_WORD) parts.add(word);
    }
    for (const part of parts) {
      if (part.length < MIN_KNOWN_SECRET) continue;
      for (let i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + part.length))
        if (where(i, i + part.length)) out.push([i, i + part.length]);
    }
  }
  return out;
}

/** Secrets in comments: a `#` outside every key and value (at a line start or after a space) to the line's end. */
function commentSpans(text: string, outside: (s: number, e: number) => boolean): Span[] {
  const out: Span[] = [];
  for (let i = text.indexOf('#'); i >= 0; i = text.indexOf('#', i + 1)) {
    if (i > 0 && !/\s/.test(text[i - 1]!)) continue;
    if (!outside(i, i + 1)) continue;
    let end = text.indexOf('\n', i);
    if (end < 0) end = text.length;
    for (const [a, b] of commentSecretSpans(text.slice(i, end))) out.push([i + a, i + b]);
    i = end;
  }
  return out;
}

/** A test for "this span overlaps no key or scalar" (it is in a comment or between values). */
function outsideValues(covered: Span[]): (s: number, e: number) => boolean {
  const sorted = [...covered].sort((a, b) => a[0] - b[0]);
  // Running maximum of ends, so one binary search answers an overlap query.
  const maxEnd: number[] = [];
  for (const [i, [, e]] of sorted.entries()) maxEnd.push(Math.max(e, i ? maxEnd[i - 1]! : 0));
  return (s, e) => {
    let lo = 0;
    let hi = sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (sorted[mid]![0] < e) lo = mid + 1;
      else hi = mid;
    }
    // Ranges starting before e: one overlaps when the largest end among them is past s.
    return lo === 0 || maxEnd[lo - 1]! <= s;
  };
}

/** Provider-format tokens and URL passwords anywhere, comments included. */
function providerSpans(text: string): Span[] {
  return findSecretInText(text)
    .filter((m) => !/ flag$| assignment$/.test(m.what))
    .map((m) => [m.index, m.index + m.length] as Span);
}

/**
 * The text with each span replaced by `****`, line by line: a span across lines keeps its line
 * breaks and each line's indentation, so the masked text has the lines of the original.
 */
function applyMask(text: string, spans: Span[]): string {
  if (!spans.length) return text;
  spans.sort((a, b) => a[0] - b[0] || b[1] - a[1]);
  let out = '';
  let at = 0;
  for (const [s0, e] of spans) {
    if (e <= at) continue;
    const s = Math.max(s0, at);
    out += text.slice(at, s) + maskRun(text.slice(s, e));
    at = e;
  }
  return out + text.slice(at);
}

function maskRun(run: string): string {
  return run
    .split('\n')
    .map((line) => {
      const lead = /^\s*/.exec(line)![0];
      return line.length > lead.length ? lead + MASK : line;
    })
    .join('\n');
}

/** The fallback for text that does not parse: every line keeps its indentation and key, never a value. */
function maskEveryValue(text: string): string {
  return text
    .split('\n')
    .map((line) => {
      const m = /^(\s*(?:-\s+)?(?:[\w.-]+\s*[:=])?)(.*)$/.exec(line)!;
      return m[2]!.trim() ? `${m[1]}${m[1]!.endsWith(':') ? ' ' : ''}${MASK}` : line;
    })
    .join('\n');
}
