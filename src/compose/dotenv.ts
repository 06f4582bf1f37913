/**
 * The project's one dotenv parser (`.env`, `--env-file`, `secrets --env-file`). It follows Docker
 * Compose's parser (compose-go `dotenv`), because what matters is what Compose will do with the file:
 *
 * - blank lines and `#` comments are skipped; `export ` before a key is ignored;
 * - `KEY=value`: unquoted values run to the end of the line; ` #` starts a comment; trailing
 *   whitespace is trimmed; `${VAR}` / `$VAR` are interpolated (defaults and `$$` included);
 * - `KEY='value'`: literal, may span lines, `\'` is an escaped quote;
 * - `KEY="value"`: may span lines; escapes `\n \t \r \" \\ \$` …; then interpolated;
 * - `KEY=` is the empty string; a bare `KEY` takes its value from the environment (`lookup`),
 *   and is left out when the environment has none (Compose does the same);
 * - CRLF line endings are accepted.
 *
 * Interpolation looks a name up in the environment first, then in the entries above it (Compose's
 * order). An unset name without a default becomes "" like in Compose, and is listed in
 * `unresolved` so callers can warn (a `$` in an unquoted password is the usual cause).
 *
 * Errors are `InputError`s naming the file, line and column and the variable, never the value (a
 * line that is not `KEY=VALUE` may be a value itself: its text is not quoted either). Every bad line
 * of a file is reported at once (one `InputError` carrying each problem), not only the first.
 */
import { InputError } from '../util/errors.js';
import { ExpansionBudget, InterpolationError, interpolateString } from './interpolate.js';

export interface DotenvEntry {
  key: string;
  value: string;
  /** 1-based line of the key. */
  line: number;
  /** Names referenced by the value that were unset and had no default (so became ""). */
  unresolved?: string[];
}

export interface DotenvOptions {
  /** Environment for bare `KEY` lines and interpolation; default `process.env`. */
  lookup?: (name: string) => string | undefined;
  /** Set false to keep `$` literally everywhere (default true, as Compose). */
  interpolate?: boolean;
}

/** A file that is not an env file at all would otherwise print a line per line. */
const MAX_PROBLEMS = 50;

// compose-go accepts letters, digits and `_ . - [ ]` in names.
const KEY_CHAR = /[\p{L}\p{N}_.\-[\]]/u;

export function parseDotenv(text: string, file: string, options: DotenvOptions = {}): DotenvEntry[] {
  const lookup = options.lookup ?? ((name: string) => process.env[name]);
  const interpolate = options.interpolate ?? true;
  const src = text.replace(/\r\n?/g, '\n').replace(/^\uFEFF/, '');
  const entries: DotenvEntry[] = [];
  const known = new Map<string, string>();
  let pos = 0;
  let line = 1;

  const problems: InputError[] = [];
  const budget = new ExpansionBudget();
  /** Records a problem; parsing goes on after the line (a bad line is skipped, as a reader would). */
  const problem = (what: string, at: number, column?: number) => {
    problems.push(new InputError(what, { file, line: at, column }));
  };
  const tooMany = () => problems.length >= MAX_PROBLEMS;
  const columnOf = (at: number) => at - src.lastIndexOf('\n', at - 1);

  while (pos < src.length && !tooMany()) {
    // Skip whitespace, blank lines and comment lines.
    const ch = src[pos]!;
    if (ch === '\n') {
      line++;
      pos++;
      continue;
    }
    if (ch === ' ' || ch === '\t') {
      pos++;
      continue;
    }
    if (ch === '#') {
      pos = endOfLine(src, pos);
      continue;
    }

    const keyLine = line;
    const exportMatch = /^export[ \t]+/.exec(src.slice(pos, pos + 16));
    if (exportMatch) pos += exportMatch[0].length;

    // Key: up to `=` (or `:` as compose-go allows), or end of line for a bare key.
    let k = pos;
    while (k < src.length && KEY_CHAR.test(src[k]!)) k++;
    const key = src.slice(pos, k);
    let p = k;
    while (p < src.length && (src[p] === ' ' || src[p] === '\t')) p++;
    const sep = src[p];
    if (key === '') {
      problem('not a KEY=VALUE line: it does not start with a variable name', keyLine, columnOf(pos));
      pos = endOfLine(src, pos);
      continue;
    }
    if (sep === undefined || sep === '\n' || sep === '#') {
      // Bare key: inherited from the environment, omitted when unset.
      if (sep === '#') p = endOfLine(src, p);
      const inherited = lookup(key);
      if (inherited !== undefined) {
        entries.push({ key, value: inherited, line: keyLine });
        known.set(key, inherited);
      }
      pos = p;
      continue;
    }
    if (sep !== '=' && sep !== ':') {
      // The "name" may be a value pasted on its own line: say where, not what.
      problem(
        'not a KEY=VALUE line: a variable name holds only letters, digits and _ . - [ ], followed by =',
        keyLine,
        columnOf(p),
      );
      pos = endOfLine(src, p);
      continue;
    }
    p++;
    while (p < src.length && (src[p] === ' ' || src[p] === '\t')) p++;

    const resolve = (name: string): string | undefined => lookup(name) ?? known.get(name);
    let raw: string;
    let value: string;
    let unresolved: string[] = [];
    const quote = src[p];
    if (quote === '"' || quote === "'") {
      const closed = readQuoted(src, p, quote);
      if (!closed) {
        // The value runs to the end of the file: nothing after it can be read as lines.
        problem(
          `the ${quote === '"' ? 'double' : 'single'}-quoted value of ${shown(key)} is never closed`,
          keyLine,
          columnOf(p),
        );
        break;
      }
      const { body, end } = closed;
      line += countNewlines(src, p, end);
      p = end;
      // After the closing quote only whitespace and a comment may follow.
      while (p < src.length && (src[p] === ' ' || src[p] === '\t')) p++;
      if (p < src.length && src[p] !== '\n' && src[p] !== '#') {
        problem(`text after the closing quote of the value of ${shown(key)}`, line, columnOf(p));
        pos = endOfLine(src, p);
        continue;
      }
      p = endOfLine(src, p);
      if (quote === "'") {
        value = body;
      } else {
        raw = expandEscapes(body);
        ({ value, unresolved } = interpolate
          ? substitute(raw, resolve, file, keyLine, key, problems, budget)
          : { value: raw, unresolved: [] });
      }
    } else {
      const eol = endOfLine(src, p);
      raw = src.slice(p, eol);
      const comment = raw.search(/[ \t]#/);
      if (comment >= 0) raw = raw.slice(0, comment);
      raw = raw.replace(/[ \t]+$/, '');
      p = eol;
      ({ value, unresolved } = interpolate
        ? substitute(raw, resolve, file, keyLine, key, problems, budget)
        : { value: raw, unresolved: [] });
    }
    const entry: DotenvEntry = { key, value, line: keyLine };
    if (unresolved.length) entry.unresolved = unresolved;
    entries.push(entry);
    known.set(key, value);
    pos = p;
  }
  if (tooMany() && pos < src.length)
    problems.push(new InputError(`more than ${MAX_PROBLEMS} problems; fix these first`, { file }));
  if (problems.length) throw InputError.several(problems);
  return entries;
}

/** A variable name as messages show it: quoted when odd, cut when absurdly long (a name is never a value). */
function shown(key: string): string {
  const cut = key.length > 60 ? `${key.slice(0, 60)}…` : key;
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(key) ? cut : JSON.stringify(cut);
}

/** The entries as a map; the last assignment of a key wins, as in Compose. */
export function dotenvToMap(entries: DotenvEntry[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const e of entries) out.set(e.key, e.value);
  return out;
}

function endOfLine(src: string, from: number): number {
  const i = src.indexOf('\n', from);
  return i < 0 ? src.length : i;
}

function countNewlines(src: string, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) if (src[i] === '\n') n++;
  return n;
}

/** Body between the quotes (backslash escapes kept for the caller) and the index after the closing quote. */
function readQuoted(src: string, start: number, quote: string): { body: string; end: number } | undefined {
  let body = '';
  for (let i = start + 1; i < src.length; i++) {
    const c = src[i]!;
    if (c === '\\' && i + 1 < src.length) {
      const next = src[i + 1]!;
      if (next === quote) {
        // An escaped quote: for single quotes it is the quote itself, for double quotes
        // expandEscapes turns `\"` into `"` later.
        body += quote === "'" ? "'" : '\\"';
        i++;
        continue;
      }
      body += c + next;
      i++;
      continue;
    }
    if (c === quote) return { body, end: i + 1 };
    body += c;
  }
  return undefined;
}

const ESCAPES: Record<string, string> = {
  n: '\n',
  t: '\t',
  r: '\r',
  a: '\x07',
  b: '\b',
  f: '\f',
  v: '\v',
  '"': '"',
  '\\': '\\',
};

// `\$` becomes `$$`, which interpolation then turns into one literal `$`.
function expandEscapes(body: string): string {
  return body.replace(/\\(.)/gs, (m, c: string) => (c === '$' ? '$$' : (ESCAPES[c] ?? m)));
}

/** Compose interpolation (the project's one implementation, interpolate.ts) of one dotenv value. */
function substitute(
  text: string,
  resolve: (name: string) => string | undefined,
  file: string,
  line: number,
  key: string,
  problems: InputError[],
  budget: ExpansionBudget,
): { value: string; unresolved: string[] } {
  let result: ReturnType<typeof interpolateString>;
  try {
    result = interpolateString(text, resolve, budget);
  } catch (err) {
    // Its message says what is wrong without quoting the text, which may be a secret.
    const what = err instanceof InterpolationError ? err.problem : 'invalid ${…} reference';
    problems.push(new InputError(`${what} in the value of ${shown(key)}`, { file, line }));
    return { value: '', unresolved: [] };
  }
  const missing = result.missingRequired[0];
  if (missing) {
    problems.push(
      new InputError(`${missing.name} is required by the value of ${shown(key)}: ${missing.message}`, { file, line }),
    );
    return { value: '', unresolved: [] };
  }
  const unresolved = [
    ...new Set(result.refs.filter((r) => r.modifier === '' && resolve(r.name) === undefined).map((r) => r.name)),
  ];
  return { value: result.value, unresolved };
}
