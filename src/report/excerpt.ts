export interface ExcerptLine {
  /** 1-based line number in the file. */
  n: number;
  /** The (masked) line, clipped to `MAX_EXCERPT_COLUMNS`. */
  text: string;
  /** The finding's own line. */
  hit: boolean;
}

/**
 * Source texts by file name as findings name them, ALREADY MASKED by the layer that knows which
 * values are secrets (commands/sources.ts `maskedSources`, through knowledge/redact-source.ts). The
 * renderers show lines of it as they are: they do not detect secrets themselves.
 */
export interface MaskedSources {
  get(file: string): string | undefined;
}

export const MAX_EXCERPT_COLUMNS = 160;

/** The lines around a finding. Every report that shows source text (text, HTML) takes it from here. */
export function excerptLines(masked: string, line: number, context: number): ExcerptLine[] {
  const all = masked.split('\n');
  const from = Math.max(1, line - context);
  const to = Math.min(all.length, line + context);
  const out: ExcerptLine[] = [];
  for (let n = from; n <= to; n++) {
    const body = (all[n - 1] ?? '').replace(/\r$/, '');
    out.push({ n, text: clip(body), hit: n === line });
  }
  return out;
}

function clip(s: string): string {
  return s.length > MAX_EXCERPT_COLUMNS ? s.slice(0, MAX_EXCERPT_COLUMNS - 3) + '...' : s;
}
