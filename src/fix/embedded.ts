import type { TextEdit } from '../findings/types.js';

/**
 * Edits of the compose file embedded in app-compose.json (`docker_compose_file`, decoded) as edits
 * of the manifest's text: each lands inside the JSON string literal, at the raw offsets of the
 * decoded ones, its text JSON-escaped. What lies outside the edits stays byte for byte, inside the
 * string too (its escapes as written); re-encoding the whole string was rejected: it rewrites every
 * `\u00e9` or `\/` the file's author or tool chose.
 *
 * `literal` is where the string literal is written in the manifest, its quotes included.
 */
export function embeddedEdits(
  manifestText: string,
  literal: { offset: number; endOffset: number },
  edits: readonly TextEdit[],
  file: string,
): TextEdit[] {
  const raw = rawOffsets(manifestText, literal.offset);
  return edits.map((e) => ({
    file,
    start: raw[e.start]!,
    end: raw[e.end]!,
    text: JSON.stringify(e.text).slice(1, -1),
  }));
}

/** For each UTF-16 offset of the decoded string, the offset in the manifest text where it is written. */
function rawOffsets(text: string, quote: number): number[] {
  const out: number[] = [];
  let i = quote + 1;
  while (i < text.length && text[i] !== '"') {
    out.push(i);
    if (text[i] === '\\') i += text[i + 1] === 'u' ? 6 : 2;
    else i++;
  }
  out.push(i);
  return out;
}
