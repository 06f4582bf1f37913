/**
 * Errors a user can act on. The CLI prints `message` as one line and exits 2; it never prints a
 * stack for these. Anything else that escapes is an internal error (exit 2 too, with a short note).
 */
export class InputError extends Error {
  readonly file?: string;
  readonly line?: number;
  readonly column?: number;
  /**
   * Every problem when an input has several (an env file with three bad lines): the CLI prints one
   * line each. The error's own message is the first problem.
   */
  readonly problems: readonly InputError[];
  constructor(message: string, where: Where = {}) {
    super(formatWhere(where) + message);
    this.name = 'InputError';
    this.file = where.file;
    this.line = where.line;
    this.column = where.column;
    this.problems = [this];
  }

  /** One error carrying several problems (at least one), in the order given. */
  static several(problems: readonly InputError[]): InputError {
    if (problems.length === 1) return problems[0]!;
    const first = problems[0]!;
    const err = new InputError('', {});
    err.message = first.message;
    Object.assign(err, { file: first.file, line: first.line, column: first.column, problems: [...problems] });
    return err;
  }
}

export interface Where {
  file?: string;
  line?: number;
  column?: number;
}

function formatWhere(w: Where): string {
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
