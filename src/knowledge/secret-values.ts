/**
 * Which parts of a value to mask in a report, judged from the value and where it sits. Masking errs
 * the other way from the rules: a rule reports only what is surely a secret (noise is a defect),
 * masking hides whatever may be one (a masked harmless value costs nothing, a shown password leaks).
 * Used by redact-source.ts; offsets are into the value as the YAML parser read it.
 */
import { classifyValue, findSecretInText, isSecretLikeName } from './secret-detect.js';
import { SECRET_FLAGS } from './secret-patterns.js';
import { memoized } from '../util/memo.js';

/** [start, end) offsets. */
export type Span = [number, number];

/** A command argument that is only references (`${A}`, `$A`, or `$$A` for the container's shell to expand). */
const ONLY_REFERENCES = /^(?:\$\$?\{[^}]*\}|\$\$?[A-Za-z_][A-Za-z0-9_]*|\s)+$/;
/** A value that is only compose references (`$$A` is the literal text `$A`, so not one). */
const ONLY_COMPOSE_REFERENCES = /^(?:\$\{[^}]*\}|\$[A-Za-z_][A-Za-z0-9_]*|\s)+$/;
const FLAG_NAMES = new Set(SECRET_FLAGS.map((f) => f.toLowerCase()));
const FLAG_ALTERNATION = SECRET_FLAGS.map((f) => f.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&')).join('|');
// `--password pw`, `--password=pw`, `-password 'pw'`: the value, whatever it looks like.
const FLAG_IN_TEXT = new RegExp(`(?:^|[\\s"'])--?(?:${FLAG_ALTERNATION})(?:=|[ \\t]+)(["']?)([^\\s"']+)\\1`, 'gi');
// Any flag whose name is credential-shaped (`--db-password x`, `--api-token=x`).
const NAMED_FLAG = /(?:^|[\s"'])--?([A-Za-z][\w-]*)(?:=|[ \t]+)(["']?)([^\s"'-][^\s"']*)\2/g;
// Prose in comments: `password is x`, `token: x`.
// The blanks after the verb belong to the verb's group: two adjacent `[ \t]*` would split a run of
// blanks every way before failing (quadratic in its length).
const PROSE_SECRET = new RegExp(
  String.raw`\b(?:password|passwd|passphrase|secret|token|api[-_ ]?key)s?\b` + // the word
    String.raw`[ \t]*(?:(?:is|was|=|:)[ \t]*)?` + // the verb
    String.raw`(["']?)([^\s"']{3,})\1`, // the value, maybe quoted
  'gi',
);
// Tools whose short flags carry a password: `mysql -ppw` (attached), `redis-cli -a pw`.
const MYSQL_FAMILY = /\b(?:mysql|mysqladmin|mysqldump|mysqlcheck|mysqlshow|mariadb(?:-[a-z]+)?)\b/;
const MYSQL_ATTACHED = /(?:^|\s)-p([^\s"']+)/g;
const REDIS_CLI = /\b(?:redis-cli|keydb-cli|valkey-cli)\b/;
const REDIS_AUTH = /(?:^|\s)-a[ \t]+(["']?)([^\s"']+)\1/g;
const DOCKER_LOGIN = /\b(?:docker|podman|nerdctl|helm)\s+(?:registry\s+)?login\b/;
const SHORT_P = /(?:^|\s)-p[ \t]+(["']?)([^\s"']+)\1/g;
// `echo pw | docker login --password-stdin`: the echoed text is the password. Only the head is a
// pattern; `--password-stdin` later on the same line is found once per line (pipedPasswordSpans), not
// by a `[^\n]*` from every `echo`, which would scan the rest of the line once per echo.
const PIPED_HEAD = /\b(?:echo|printf)[ \t]+(?:-[neE]+[ \t]+)?(?:'%s'[ \t]+)?(["']?)([^\s"'|]+)\1[ \t]*\|/g;
const PASSWORD_STDIN = '--password-stdin';
const CURL_USER = /(?:^|\s)(?:-u|--user)[ \t]+(["']?)[^\s:"']*:([^\s"']+)\1/g;
const AUTH_HEADER = /\b(?:Bearer|Basic|Token|Digest)[ \t]+([A-Za-z0-9._~+/=-]{6,})/g;
// `KEY: value`, `KEY=value`, `- KEY=value`, `"KEY": "value"` as a line of a multi-line value (configs, scripts).
const KEY_VALUE_LINE =
  /^([ \t]*(?:-[ \t]+)?(?:export[ \t]+)?)(["']?)([A-Za-z_][A-Za-z0-9_.\-/]*)\2([ \t]*(?::[ \t]+|=)[ \t]*)(.*)$/;
const TOKEN = /[^\s"'`=:,;()[\]{}<>\\]{16,}/g;
/** The shortest text TOKEN matches. */
const MIN_TOKEN = 16;
const DIGEST_BEFORE = /(?:sha256|sha512|sha1|md5):$/i;

/** Compose keys whose values are names of secrets (`secrets: [db_password]`), not secrets. */
const NAMES_OF_SECRETS = new Set(['secrets', 'configs']);

/** Names whose values are masked: credential-shaped names and web-server basic-auth user lists. */
export const isMaskedName: (name: string) => boolean = memoized(judgeMaskedName, { cap: 10_000, maxKeyLength: 256 });

function judgeMaskedName(name: string): boolean {
  if (NAMES_OF_SECRETS.has(name)) return false;
  return isSecretLikeName(name) || /(?:basic|digest)[-_]?auth/i.test(name) || /htpasswd/i.test(name);
}

/** Spans of `value` (a scalar that is the value of `key`, or an item of the list under `key`) to mask. */
export function scalarSecretSpans(value: string, key: string | undefined): Span[] {
  const out: Span[] = [];
  if (key !== undefined && isMaskedName(key)) append(out, literalSpans(value, 0, value.length));
  append(out, referenceDefaultSpans(value, key !== undefined && isMaskedName(key)));
  append(out, lineSpans(value));
  append(out, textSpans(value));
  return out;
}

/**
 * Exec-form commands (`["redis-server", "--requirepass", "pw"]`): an item after a secret flag, the
 * `-a` of redis-cli, an attached `-ppw` of the mysql tools. Returns spans per item index.
 */
export function execFormSpans(items: readonly string[]): { item: number; spans: Span[] }[] {
  const out: { item: number; spans: Span[] }[] = [];
  const all = items.join(' ');
  const mysql = MYSQL_FAMILY.test(all);
  const redis = REDIS_CLI.test(all);
  for (let i = 0; i < items.length; i++) {
    const v = items[i]!;
    const flag = /^--?([A-Za-z][\w-]*)$/.exec(v)?.[1]?.toLowerCase();
    const next = items[i + 1];
    const takesValue =
      (flag !== undefined && (FLAG_NAMES.has(flag) || isMaskedName(flag))) ||
      (redis && v === '-a') ||
      (mysql && v === '-p');
    if (takesValue && next !== undefined && !next.startsWith('-') && !ONLY_REFERENCES.test(next))
      out.push({ item: i + 1, spans: [[0, next.length]] });
    if (mysql && /^-p./.test(v) && !ONLY_REFERENCES.test(v.slice(2))) out.push({ item: i, spans: [[2, v.length]] });
  }
  return out;
}

/** The literal parts of value[from, to): everything outside `${…}`/`$X` references, with their defaults. */
function literalSpans(value: string, from: number, to: number): Span[] {
  const part = value.slice(from, to);
  if (!part.trim() || ONLY_COMPOSE_REFERENCES.test(part)) return [];
  const out: Span[] = [];
  let at = from;
  for (const ref of references(value, from, to)) {
    if (ref.start > at) pushTrimmed(out, value, at, ref.start);
    at = ref.end;
  }
  if (at < to) pushTrimmed(out, value, at, to);
  return out;
}

function pushTrimmed(out: Span[], value: string, s: number, e: number): void {
  while (s < e && /\s/.test(value[s]!)) s++;
  while (e > s && /\s/.test(value[e - 1]!)) e--;
  if (e > s && !/^(?:true|false|yes|no|on|off)$/i.test(value.slice(s, e))) out.push([s, e]);
}

interface Reference {
  start: number;
  end: number;
  name: string;
  modifier: string;
  /** The default / replacement text's span, for `:-`, `-`, `:+`, `+`. */
  argument?: Span;
}

/** `${NAME…}` and `$NAME` references in value[from, to) (`$$` is a literal dollar), outermost only. */
function references(value: string, from: number, to: number): Reference[] {
  const out: Reference[] = [];
  // A loop over the window, not indexOf: indexOf would scan past `to` to the text's end on every
  // call, and a command of many short segments (bench/hostile.mjs "echoPipes") made that quadratic.
  for (let i = from; i < to; i++) {
    if (value[i] !== '$') continue;
    if (value[i + 1] === '$') {
      i++;
      continue;
    }
    if (value[i + 1] === '{') {
      let depth = 0;
      let close = -1;
      for (let j = i + 1; j < to; j++) {
        if (value[j] === '{') depth++;
        else if (value[j] === '}' && --depth === 0) {
          close = j;
          break;
        }
      }
      if (close < 0) return out;
      const body = value.slice(i + 2, close);
      const m = /^([A-Za-z_][A-Za-z0-9_]*)(:?[-+?])?/.exec(body);
      const ref: Reference = { start: i, end: close + 1, name: m?.[1] ?? '', modifier: m?.[2] ?? '' };
      if (m?.[2] && !m[2].endsWith('?')) ref.argument = [i + 2 + m[0].length, close];
      out.push(ref);
      i = close;
      continue;
    }
    const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(value.slice(i + 1, to));
    if (m) {
      out.push({ start: i, end: i + 1 + m[0].length, name: m[0], modifier: '' });
      i += m[0].length;
    }
  }
  return out;
}

/** Defaults of `${SECRET_NAME:-x}`, `${SECRET_NAME-x}` (and `:+`/`+`), or of any reference under a secret key. */
function referenceDefaultSpans(value: string, secretKey: boolean): Span[] {
  const out: Span[] = [];
  const walk = (from: number, to: number, underSecret: boolean) => {
    for (const ref of references(value, from, to)) {
      if (!ref.argument) continue;
      const secret = underSecret || isMaskedName(ref.name);
      if (secret) append(out, literalSpans(value, ref.argument[0], ref.argument[1]));
      walk(ref.argument[0], ref.argument[1], secret); // `${A:-${B:-default}}`
    }
  };
  walk(0, value.length, secretKey);
  return out;
}

/** `KEY=value` / `KEY: value` lines (list-form environment, labels and build args; configs content; scripts). */
function lineSpans(value: string): Span[] {
  const out: Span[] = [];
  // KEY_VALUE_LINE needs a `:` or a `=`.
  if (!value.includes(':') && !value.includes('=')) return out;
  let at = 0;
  for (const line of value.split('\n')) {
    const m = KEY_VALUE_LINE.exec(line);
    if (m && isMaskedName(m[3]!)) {
      const start = at + m[1]!.length + m[2]!.length * 2 + m[3]!.length + m[4]!.length;
      const rest = m[5]!;
      const quoted = /^(["'])(.*)\1\s*(?:#.*)?$/.exec(rest);
      if (quoted) append(out, literalSpans(value, start + 1, start + 1 + quoted[2]!.length));
      else {
        const comment = rest.search(/\s#/);
        append(out, literalSpans(value, start, start + (comment < 0 ? rest.length : comment)));
      }
    }
    at += line.length + 1;
  }
  return out;
}

/** Secrets inside any text: flags, tool short flags, provider tokens, URL passwords, assignments, random tokens. */
function textSpans(value: string): Span[] {
  const out: Span[] = [];
  for (const m of findSecretInText(value)) out.push([m.index, m.index + m.length]);
  const group = (re: RegExp, n: number, when = true) => {
    if (!when) return;
    for (const m of value.matchAll(re)) {
      const v = m[n]!;
      if (ONLY_REFERENCES.test(v)) continue;
      const at = m.index! + m[0].lastIndexOf(v);
      append(out, literalSpans(value, at, at + v.length));
    }
  };
  // Every flag pattern needs a `-`; most values (images, ports, paths) have none, so skip them all.
  const dash = value.includes('-');
  group(FLAG_IN_TEXT, 2, dash);
  if (dash)
    for (const m of value.matchAll(NAMED_FLAG)) {
      if (!isMaskedName(m[1]!) || ONLY_REFERENCES.test(m[3]!)) continue;
      const at = m.index! + m[0].lastIndexOf(m[3]!);
      append(out, literalSpans(value, at, at + m[3]!.length));
    }
  group(MYSQL_ATTACHED, 1, dash && MYSQL_FAMILY.test(value));
  group(REDIS_AUTH, 2, dash && REDIS_CLI.test(value));
  group(CURL_USER, 2, dash);
  group(SHORT_P, 2, dash && DOCKER_LOGIN.test(value));
  append(out, pipedPasswordSpans(value));
  group(AUTH_HEADER, 1);
  if (value.length < MIN_TOKEN) return out;
  // Reference syntax blanked first: `${DB_PASSWORD-x}` is a name and a default, not one random token.
  const unreferenced = /[$}]/.test(value)
    ? value.replace(/\$\{[A-Za-z_][A-Za-z0-9_]*(?::?[-+?])?|\}/g, (m) => ' '.repeat(m.length))
    : value;
  for (const m of unreferenced.matchAll(TOKEN)) {
    if (DIGEST_BEFORE.test(value.slice(0, m.index))) continue;
    const c = classifyValue(m[0]);
    if (c.kind === 'provider' || (c.kind === 'high-entropy' && randomToken(m[0])))
      out.push([m.index!, m.index! + m[0].length]);
  }
  return out;
}

/**
 * A token that reads as key material rather than a name: long hex, or base64-like with upper,
 * lower case and digits. Identifiers (`K3S_KUBECONFIG_MODE`), paths and module names
 * (`@noble/curves/secp256k1`), dotted names and image references stay readable.
 */
function randomToken(t: string): boolean {
  if (/^[A-Fa-f0-9]{32,}$/.test(t)) return true;
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(t)) return false;
  if (!/[a-z]/.test(t) || !/[A-Z]/.test(t) || !/\d/.test(t)) return false;
  return !t.includes('/') || t.length >= 40;
}

/** `echo pw | … --password-stdin` on one line: the echoed text of each such pipe before the flag. */
function pipedPasswordSpans(value: string): Span[] {
  const out: Span[] = [];
  if (!value.includes(PASSWORD_STDIN)) return out;
  let at = 0;
  for (const line of value.split('\n')) {
    const last = line.lastIndexOf(PASSWORD_STDIN);
    if (last >= 0)
      for (const m of line.slice(0, last).matchAll(PIPED_HEAD)) {
        const v = m[2]!;
        if (ONLY_REFERENCES.test(v)) continue;
        const start = at + m.index! + m[0].lastIndexOf(v);
        append(out, literalSpans(value, start, start + v.length));
      }
    at += line.length + 1;
  }
  return out;
}

/** Spans of a comment's text to mask: what a value would have, and prose like `password was x`. */
export function commentSecretSpans(comment: string): Span[] {
  const out = scalarSecretSpans(comment, undefined);
  for (const m of comment.matchAll(PROSE_SECRET)) {
    const v = m[2]!;
    if (ONLY_REFERENCES.test(v)) continue;
    const at = m.index! + m[0].lastIndexOf(v);
    out.push([at, at + v.length]);
  }
  return out;
}

/** `out.push(...items)` for arrays of any length (a spread of 10⁵ spans overflows the call stack). */
export function append<T>(out: T[], items: readonly T[]): void {
  for (const item of items) out.push(item);
}
