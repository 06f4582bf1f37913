/**
 * Errors a user can act on. The CLI prints `message` as one line and exits 2; it never prints a
 * stack for these. Anything else that escapes is an internal error (exit 2 too, with a short note).
 */
export class InputError extends Error {
  readonly file?: string;
  readonly line?: number;
  readonly column?: number;
  constructor(message: string, where: { file?: string; line?: number; column?: number } = {}) {
    super(formatWhere(where) + message);
    this.name = 'InputError';
    this.file = where.file;
    this.line = where.line;
    this.column = where.column;
  }
}

function formatWhere(w: { file?: string; line?: number; column?: number }): string {
  if (!w.file) return '';
  let s = w.file;
  if (w.line) s += `:${w.line}`;
  if (w.line && w.column) s += `:${w.column}`;
  return s + ': ';
}

/** Usage errors (bad flags, conflicting options): exit 2 as well. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}
