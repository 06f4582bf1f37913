import { InputError } from '../util/errors.js';
import type { LNode, Location, Path, PathSegment } from '../yaml/located.js';

/**
 * Compose-spec interpolation: `$VAR`, `${VAR}`, `${VAR:-d}`, `${VAR-d}`, `${VAR:?e}`, `${VAR?e}`,
 * `${VAR:+r}`, `${VAR+r}`, `$$` for a literal dollar, and nested expressions inside the argument
 * (`${A:-${B}}`), as compose-go does.
 */

export type VarModifier = '' | ':-' | '-' | ':?' | '?' | ':+' | '+';

export interface VarRef {
  name: string;
  modifier: VarModifier;
  /** Default, error message or replacement text as written (before its own interpolation). */
  argument?: string;
  /** Where the string holding the reference is. */
  loc: Location;
  /** Path in the compose model of the value holding the reference. */
  path: PathSegment[];
  /** Service the reference is in, when it is in one. */
  service?: string;
  /** True when the reference is the whole value (`KEY: ${VAR}`), false when embedded in text. */
  whole: boolean;
  /** Not a `${VAR}`: a bare `environment:` pass-through, or a top-level secret's `environment:` (pass-through.ts). */
  via?: 'pass-through' | 'secret-environment';
}

export interface InterpolationResult {
  value: string;
  refs: Omit<VarRef, 'loc' | 'path' | 'service'>[];
  /** `:?`/`?` references whose variable is missing. */
  missingRequired: { name: string; message: string }[];
}

export type Lookup = (name: string) => string | undefined;

const NAME = /^[A-Za-z_][A-Za-z0-9_]*/;

/**
 * A malformed `${…}`. `problem` says what is wrong without quoting the text (it may be a secret);
 * `index` is where in the string it is.
 */
export class InterpolationError extends Error {
  constructor(
    readonly problem: string,
    readonly index: number,
  ) {
    super(problem);
    this.name = 'InterpolationError';
  }
}

/** Text interpolation may produce in one project (or env file): bounds `${A}${A}…` amplification. */
export const MAX_EXPANSION_CHARS = 32 * 1024 * 1024;

/** Counts the characters variables put into values, across every value of one project or env file. */
export class ExpansionBudget {
  private left: number;
  constructor(readonly limit = MAX_EXPANSION_CHARS) {
    this.left = limit;
  }
  spend(n: number): void {
    this.left -= n;
    if (this.left < 0)
      throw new InterpolationError(
        `variables expand to more than ${Math.round(this.limit / 1024 / 1024)} MiB of text (a value repeated ` +
          `too often?)`,
        0,
      );
  }
}

export function interpolateString(input: string, lookup: Lookup, budget?: ExpansionBudget): InterpolationResult {
  if (budget) {
    const plain = lookup;
    lookup = (name) => {
      const v = plain(name);
      if (v) budget.spend(v.length);
      return v;
    };
  }
  const refs: InterpolationResult['refs'] = [];
  const missingRequired: InterpolationResult['missingRequired'] = [];
  const value = expand(input, lookup, refs, missingRequired, 0);
  const whole = refs.length === 1 && /^\$(\{[^}]*\}|[A-Za-z_][A-Za-z0-9_]*)$/.test(input.trim());
  for (const r of refs) (r as { whole: boolean }).whole = whole;
  return { value, refs, missingRequired };
}

function expand(
  s: string,
  lookup: Lookup,
  refs: InterpolationResult['refs'],
  missing: InterpolationResult['missingRequired'],
  depth: number,
): string {
  if (depth > 20) throw new InterpolationError('${…} nested more than 20 levels deep', 0);
  let out = '';
  let i = 0;
  while (i < s.length) {
    const c = s[i]!;
    if (c !== '$') {
      out += c;
      i++;
      continue;
    }
    const next = s[i + 1];
    if (next === '$') {
      out += '$';
      i += 2;
      continue;
    }
    if (next === '{') {
      const close = matchingBrace(s, i + 1);
      if (close < 0) throw new InterpolationError('unclosed "${"', i);
      const body = s.slice(i + 2, close);
      out += expandBraced(body, lookup, refs, missing, depth);
      i = close + 1;
      continue;
    }
    const m = NAME.exec(s.slice(i + 1));
    if (m) {
      refs.push({ name: m[0], modifier: '', whole: false });
      out += lookup(m[0]) ?? '';
      i += 1 + m[0].length;
      continue;
    }
    // A lone `$` followed by something that is not a name is kept as is (compose does the same).
    out += c;
    i++;
  }
  return out;
}

function expandBraced(
  body: string,
  lookup: Lookup,
  refs: InterpolationResult['refs'],
  missing: InterpolationResult['missingRequired'],
  depth: number,
): string {
  const m = NAME.exec(body);
  if (!m) throw new InterpolationError('"${" not followed by a variable name', 0);
  const name = m[0];
  const rest = body.slice(name.length);
  if (rest === '') {
    refs.push({ name, modifier: '', whole: false });
    return lookup(name) ?? '';
  }
  const mod = (['.:-', ':-', ':?', ':+', '-', '?', '+'].find((p) => rest.startsWith(p)) ?? '') as VarModifier | '.:-';
  if (!mod || mod === '.:-')
    throw new InterpolationError(`unknown modifier after "\${${name}" (expected :- - :? ? :+ +)`, 0);
  const argument = rest.slice(mod.length);
  refs.push({ name, modifier: mod, argument, whole: false });
  const val = lookup(name);
  const set = val !== undefined;
  const nonEmpty = set && val !== '';
  const arg = () => expand(argument, lookup, refs, missing, depth + 1);
  switch (mod) {
    case ':-':
      return nonEmpty ? val! : arg();
    case '-':
      return set ? val! : arg();
    case ':?':
      if (!nonEmpty) missing.push({ name, message: argument || `required variable ${name} is missing a value` });
      return val ?? '';
    case '?':
      if (!set) missing.push({ name, message: argument || `required variable ${name} is missing a value` });
      return val ?? '';
    case ':+':
      return nonEmpty ? arg() : '';
    case '+':
      return set ? arg() : '';
  }
}

function matchingBrace(s: string, open: number): number {
  let depth = 0;
  for (let i = open; i < s.length; i++) {
    if (s[i] === '{') depth++;
    else if (s[i] === '}') {
      depth--;
      if (depth === 0) return i;
    }
  }
  return -1;
}

export interface InterpolateTreeOptions {
  lookup: Lookup;
  /** Throw on a missing `:?` variable (drills); the static check records the reference instead. */
  strictRequired?: boolean;
  /** Shared by every file of a project. */
  budget?: ExpansionBudget;
}

/**
 * Interpolate every string value of a located tree in place and collect the variable references.
 * Keys are not interpolated, as in compose. Extension fields (`x-*`) are interpolated too.
 */
export function interpolateTree(root: LNode, opts: InterpolateTreeOptions): VarRef[] {
  const found: VarRef[] = [];
  const visit = (node: LNode, path: PathSegment[]) => {
    if (node.kind === 'map') {
      for (const [k, e] of node.entries) visit(e.node, [...path, k]);
    } else if (node.kind === 'seq') {
      for (const [i, n] of node.items.entries()) visit(n, [...path, i]);
    } else if (typeof node.value === 'string' && node.value.includes('$')) {
      let r: InterpolationResult;
      try {
        r = interpolateString(node.value, opts.lookup, opts.budget);
      } catch (err) {
        const what = err instanceof InterpolationError ? err.problem : 'invalid ${…} reference';
        throw new InputError(`${what} in the value of ${describePath(path)}`, {
          file: node.loc.file,
          line: node.loc.line,
          column: node.loc.column,
        });
      }
      if (opts.strictRequired && r.missingRequired.length) {
        const miss = r.missingRequired[0]!;
        throw new InputError(`required variable ${miss.name} is missing a value: ${miss.message}`, {
          file: node.loc.file,
          line: node.loc.line,
          column: node.loc.column,
        });
      }
      const service = path[0] === 'services' && typeof path[1] === 'string' ? path[1] : undefined;
      for (const ref of r.refs) found.push({ ...ref, loc: node.loc, path, service });
      if (r.value !== node.value) {
        node.raw = node.value;
        node.value = r.value;
      } else if (r.refs.length) {
        node.raw = node.value;
      }
    }
  };
  visit(root, []);
  return found;
}

/** `services.web.environment.DB_URL`, cut when long: a key path, never a value. */
function describePath(path: Path): string {
  const text = path.map(String).join('.');
  return text.length > 120 ? `…${text.slice(-119)}` : text || 'the file';
}
