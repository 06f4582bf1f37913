import { redactSourceLine } from '../knowledge/redact-source.js';

export interface ExcerptLine {
  /** 1-based line number in the file. */
  n: number;
  /** The line with every secret it holds masked, clipped to `MAX_EXCERPT_COLUMNS`. */
  text: string;
  /** The finding's own line. */
  hit: boolean;
}

export const MAX_EXCERPT_COLUMNS = 160;

/**
 * The lines around a finding, masked. Every report that shows source text (text, HTML) takes it
 * from here: excerpts show source lines, which may hold the very secret a finding is about.
 */
export function excerptLines(source: string, line: number, context: number): ExcerptLine[] {
  const all = source.split('\n');
  const from = Math.max(1, line - context);
  const to = Math.min(all.length, line + context);
  const out: ExcerptLine[] = [];
  for (let n = from; n <= to; n++) {
    const body = (all[n - 1] ?? '').replace(/\r$/, '');
    out.push({ n, text: clip(redactSourceLine(body)), hit: n === line });
  }
  return out;
}

function clip(s: string): string {
  return s.length > MAX_EXCERPT_COLUMNS ? s.slice(0, MAX_EXCERPT_COLUMNS - 3) + '...' : s;
}
