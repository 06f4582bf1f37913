import type { TextEdit } from '../findings/types.js';

/**
 * The edits of `original` that make what `second` makes of the text `first` made of it: fixing runs
 * in passes (each on the previous pass's output), and the patch, the corpus round trip and
 * `--write`'s account are about the original file. An edit of the second pass that touches (or
 * sits against) an edit of the first becomes one edit with it, so the result never holds two
 * edits at one place whose order would be ambiguous. Both lists: sorted, not overlapping.
 */
export function composeEdits(original: string, first: readonly TextEdit[], second: readonly TextEdit[]): TextEdit[] {
  if (!second.length) return [...first];
  if (!first.length) return [...second];
  const file = first[0]!.file;
  const middle = applyEdits(original, first);
  // Each edit as a span of the middle text: the first pass's outputs, the second pass's inputs.
  type Span = { start: number; end: number; first: TextEdit[] };
  const spans: Span[] = [];
  let delta = 0;
  for (const e of first) {
    spans.push({ start: e.start + delta, end: e.start + delta + e.text.length, first: [e] });
    delta += e.text.length - (e.end - e.start);
  }
  for (const e of second) spans.push({ start: e.start, end: e.end, first: [] });
  spans.sort((a, b) => a.start - b.start || a.end - b.end);
  // Clusters of spans that overlap or touch, in the middle text.
  const clusters: Span[] = [];
  for (const s of spans) {
    const last = clusters.at(-1);
    if (last && s.start <= last.end) {
      last.end = Math.max(last.end, s.end);
      last.first.push(...s.first);
    } else clusters.push({ ...s, first: [...s.first] });
  }
  const out: TextEdit[] = [];
  for (const c of clusters) {
    const inside = second.filter((e) => e.start >= c.start && e.end <= c.end);
    const text = applyEdits(middle.slice(c.start, c.end), inside, c.start);
    // The cluster's ends lie outside every first-pass output: map them back by the shift before them.
    const shift = (at: number) => {
      let d = 0;
      for (const e of first) {
        const outEnd = e.start + d + e.text.length;
        if (outEnd > at) break;
        d += e.text.length - (e.end - e.start);
      }
      return at - d;
    };
    const start = c.first.length ? Math.min(c.first[0]!.start, shift(c.start)) : shift(c.start);
    const end = c.first.length ? Math.max(c.first.at(-1)!.end, shift(c.end)) : shift(c.end);
    out.push({ file, start, end, text });
  }
  return out;
}

/** `text` with the sorted, non-overlapping edits applied; `base` is the offset of `text` in the edits' file. */
export function applyEdits(text: string, edits: readonly TextEdit[], base = 0): string {
  let out = '';
  let at = 0;
  for (const e of edits) {
    out += text.slice(at, e.start - base) + e.text;
    at = e.end - base;
  }
  return out + text.slice(at);
}
