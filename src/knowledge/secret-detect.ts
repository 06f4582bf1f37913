/**
 * Secret detectors, the one implementation `check`'s secret rules and `secrets plan` share.
 * Knowledge (patterns, words, placeholders) lives in src/knowledge/secret-patterns.ts.
 */
import {
  NOT_SECRET_NAME_WORDS,
  NOT_SECRET_NAMES,
  PLACEHOLDER_PATTERNS,
  PLACEHOLDER_VALUES,
  SECRET_FLAGS,
  SECRET_NAME_WORDS,
  SECRET_VALUE_PATTERNS,
} from './secret-patterns.js';
import { memoized } from '../util/memo.js';

/** Splits `DB_PASSWORD`, `dbPassword`, `db-password`, `db.password` into upper-case words. */
export function nameWords(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w.toUpperCase());
}

const STRONG = new Set<string>(SECRET_NAME_WORDS.strong);
const WEAK = new Set<string>(SECRET_NAME_WORDS.weak);
const NOT_SECRET_WORDS = new Set(NOT_SECRET_NAME_WORDS);
const NOT_SECRET_EXACT = new Set(NOT_SECRET_NAMES);
/** Names judged are remembered (util/memo.ts): a run sees a few hundred distinct ones. */
const NAME_MEMO = { cap: 10_000, maxKeyLength: 256 };
const KEY_QUALIFIERS_NOT_CREDENTIAL = new Set<string>(SECRET_NAME_WORDS.notCredentialKeyQualifiers);

/**
 * True for credential-shaped variable names (DB_PASSWORD, GITHUB_TOKEN, STRIPE_KEY, SENTRY_DSN),
 * false for settings about credentials (PASSWORD_MIN_LENGTH, TOKEN_EXPIRY), Docker-secret
 * `_FILE` paths, addresses (`*_URL`, `*_HOST`) and well-known non-secrets (PWD).
 */
export const isSecretLikeName: (name: string) => boolean = memoized(judgeName, NAME_MEMO);

function judgeName(name: string): boolean {
  if (NOT_SECRET_EXACT.has(name.toUpperCase())) return false;
  const words = nameWords(name);
  if (words.length === 0) return false;
  if (words.some((w) => NOT_SECRET_WORDS.has(w))) return false;
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    if (STRONG.has(w) || WEAK.has(w)) return true;
    // DBPASSWORD, GHTOKEN, OPENAIAPIKEY: a strong word ending a longer word.
    for (const s of STRONG) if (w.length > s.length && w.endsWith(s)) return true;
    const next = words[i + 1];
    if (next && SECRET_NAME_WORDS.phrases.some(([a, b]) => a === w && b === next)) return true;
  }
  // <X>_KEY: STRIPE_KEY, APP_KEY, SIGNING_KEY, but not PUBLIC_KEY, CACHE_KEY, or KEY alone.
  const last = words[words.length - 1]!;
  if (last === SECRET_NAME_WORDS.keySuffix && words.length > 1) {
    return !KEY_QUALIFIERS_NOT_CREDENTIAL.has(words[words.length - 2]!);
  }
  return false;
}

export type ValueKind =
  | 'empty'
  | 'reference'
  | 'boolean'
  | 'number'
  | 'placeholder'
  | 'provider'
  | 'url-credentials'
  | 'high-entropy'
  | 'text';

export interface ValueClass {
  /** Provider whose token format the value has (e.g. "GitHub token"). */
  provider?: string;
  /** Shannon entropy in bits per character. */
  entropy: number;
  /** The value looks like a real secret (a provider token, credentials in a URL, or random-looking). */
  looksSecret: boolean;
  kind: ValueKind;
}

/** Shannon entropy of `s` in bits per character (by code point). */
export function shannonEntropy(s: string): number {
  // ASCII (nearly every value) counted in an array; the sum runs over the characters in the order
  // they first appear, as the Map below does, so both give the same bits.
  const counts = new Uint32Array(128);
  const order: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 128) return entropyByCodePoint(s);
    if (counts[c]++ === 0) order.push(c);
  }
  let h = 0;
  for (const c of order) {
    const p = counts[c]! / s.length;
    h -= p * Math.log2(p);
  }
  return h;
}

function entropyByCodePoint(s: string): number {
  const chars = [...s];
  if (chars.length === 0) return 0;
  const counts = new Map<string, number>();
  for (const c of chars) counts.set(c, (counts.get(c) ?? 0) + 1);
  let h = 0;
  for (const n of counts.values()) {
    const p = n / chars.length;
    h -= p * Math.log2(p);
  }
  return h;
}

const REFERENCE_ONLY = /^(?:\$\{[^}]*\}|\$[A-Za-z_][A-Za-z0-9_]*)+$/;
// `$X` counts as a reference only in the usual upper-case form: `$vL7` in a random password is not one.
const HAS_REFERENCE = /\$\{[A-Za-z_][^}]*\}|\$[A-Z_][A-Z0-9_]*(?![a-z])/;
const BOOLEAN = /^(?:true|false|yes|no|on|off|y|n|enabled?|disabled?)$/i;
const NUMBER = /^[-+]?(?:\d[\d_]*(?:\.\d+)?(?:e[-+]?\d+)?|0x[0-9a-f]+)(?:[a-z]{1,3})?$/i; // 42, 1.5, 10s, 512M
const IMAGE_REF = /^[a-z0-9.-]+(?::\d+)?(?:\/[a-z0-9._-]+)+(?::[\w.-]+)?(?:@sha256:[0-9a-f]{64})?$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const PLAIN_ADDRESS = new RegExp(
  `^(?:${[
    String.raw`[a-z][a-z0-9+.-]*:\/\/[^\s]*`, // a URL
    String.raw`\.{0,2}\/[^\s]*`, // a path
    String.raw`[\w.-]+@[\w.-]+\.[a-z]{2,}`, // an email address
    String.raw`[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}(?::\d+)?`, // a host name, with a port
  ].join('|')})$`,
  'i',
);

/** Placeholders are short; longer text is never one (and the patterns stay cheap on a huge value). */
const MAX_PLACEHOLDER_LENGTH = 256;

export function isPlaceholder(value: string): boolean {
  const v = value.trim();
  if (v.length > MAX_PLACEHOLDER_LENGTH) return false;
  const bare = v
    .replace(/^["'<]+|["'>]+$/g, '')
    .replace(/^_+|_+$/g, '')
    .toLowerCase();
  if (PLACEHOLDER_VALUES.includes(bare)) return true;
  return PLACEHOLDER_PATTERNS.some((re) => re.test(v));
}

function providerOf(value: string): string | undefined {
  if (!mayHoldProviderToken(value)) return undefined;
  for (const p of SECRET_VALUE_PATTERNS) {
    if (p.id === 'url-password') continue; // handled with reference/placeholder awareness
    if (p.pattern.test(value)) return p.provider;
  }
  return undefined;
}

/** The password of a `scheme://user:pass@host` in `text`, when it is a literal (not `${VAR}`, not a placeholder). */
function literalUrlPassword(text: string): { index: number; length: number } | undefined {
  return literalUrlPasswords(text).next().value ?? undefined;
}

const URL_PASSWORD = new RegExp(SECRET_VALUE_PATTERNS.find((p) => p.id === 'url-password')!.pattern.source, 'g');

/** Every literal URL password in `text`, in one left-to-right pass. */
function* literalUrlPasswords(text: string): Generator<{ index: number; length: number }> {
  if (!text.includes('://')) return;
  for (const m of text.matchAll(URL_PASSWORD)) {
    const pass = m[1]!;
    if (HAS_REFERENCE.test(pass) || isPlaceholder(pass)) continue;
    yield { index: m.index! + m[0].indexOf(`:${pass}@`) + 1, length: pass.length };
  }
}

/**
 * What a value is: empty, a `${VAR}` reference, a boolean or number, a placeholder (`changeme`),
 * a provider token, a URL with a literal password, random-looking (high entropy) or plain text.
 */
export function classifyValue(value: string): ValueClass {
  const v = value.trim();
  const entropy = shannonEntropy(v);
  const out = (kind: ValueKind, looksSecret: boolean, provider?: string): ValueClass =>
    provider ? { provider, entropy, looksSecret, kind } : { entropy, looksSecret, kind };
  if (v === '') return out('empty', false);
  const provider = providerOf(v);
  if (provider) return out('provider', true, provider);
  if (REFERENCE_ONLY.test(v)) return out('reference', false);
  if (literalUrlPassword(v)) return out('url-credentials', true, 'URL with a password');
  if (BOOLEAN.test(v)) return out('boolean', false);
  if (NUMBER.test(v)) return out('number', false);
  if (isPlaceholder(v)) return out('placeholder', false);
  if (HAS_REFERENCE.test(v) || UUID.test(v) || IMAGE_REF.test(v) || PLAIN_ADDRESS.test(v) || /\s/.test(v))
    return out('text', false);
  if (looksRandom(v, entropy)) return out('high-entropy', true);
  return out('text', false);
}

/** Random-looking: long enough, high entropy, several character classes (or long hex/base64). */
function looksRandom(v: string, entropy: number): boolean {
  if (v.length < 16) return false;
  if (/^[0-9a-f]+$/i.test(v)) return v.length >= 32 && entropy >= 3;
  const classes = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^A-Za-z0-9]/].filter((re) => re.test(v)).length;
  if (classes < 2) return false;
  return entropy >= 3.5 || (v.length >= 32 && entropy >= 3.2);
}

export interface SecretMatch {
  /** Provider or kind, for the message ("GitHub token", "URL with a password", "--password flag"). */
  what: string;
  /** Offsets of the secret itself in the text. */
  index: number;
  length: number;
  /** Redacted preview of the secret. */
  preview: string;
}

const FLAG_RE = new RegExp(
  `(?:^|\\s)--?(?:${SECRET_FLAGS.map(escapeRe).join('|')})(?:=|\\s+)(["']?)([^\\s"']+)\\1`,
  'gi',
);
const ASSIGNMENT_RE = /(?:^|[\s;&|"'])([A-Za-z_][A-Za-z0-9_]*)=(["']?)([^\s"';&|]+)\2/g;

// Compiled once: this runs on every label, command and env value (a fan-out project has 10⁵ of them).
// matchAll clones a global regex, so sharing one is safe.
const TEXT_PATTERNS = SECRET_VALUE_PATTERNS.filter((p) => p.id !== 'url-password').map((p) => ({
  provider: p.provider,
  re: new RegExp(p.pattern.source, `${p.pattern.flags.replace('g', '')}g`),
}));

/**
 * False when no provider pattern matches anywhere in `text`: one scan of the patterns' union per
 * text instead of one per pattern, as almost no value (ports, images, paths) holds a token. A union
 * of regexes matches where one of them does as long as none refers to its own groups by number or
 * name, so a pattern with a backreference stays out of the union and is always tried.
 */
const mayHoldProviderToken = ((): ((text: string) => boolean) => {
  const patterns = SECRET_VALUE_PATTERNS.filter((p) => p.id !== 'url-password').map((p) => p.pattern);
  if (patterns.some((re) => /\\[1-9]|\\k</.test(re.source))) return () => true;
  const byFlags = new Map<string, string[]>();
  for (const re of patterns) {
    const flags = re.flags.replace(/[gy]/g, '');
    byFlags.set(flags, [...(byFlags.get(flags) ?? []), `(?:${re.source})`]);
  }
  const unions = [...byFlags].map(([flags, sources]) => new RegExp(sources.join('|'), flags));
  return (text) => unions.some((re) => re.test(text));
})();

/**
 * Secrets written into commands, labels, URLs or any text: provider tokens, literal URL passwords,
 * `--password x` style flags and `SECRET_NAME=value` assignments. References (`$X`, `${X}`) and
 * placeholders are not secrets.
 */
export function findSecretInText(text: string): SecretMatch[] {
  const found: SecretMatch[] = [];
  const add = (what: string, index: number, length: number) => {
    if (found.some((f) => index < f.index + f.length && f.index < index + length)) return;
    found.push({ what, index, length, preview: redact(text.slice(index, index + length)) });
  };
  if (mayHoldProviderToken(text))
    for (const p of TEXT_PATTERNS) for (const m of text.matchAll(p.re)) add(p.provider, m.index!, m[0].length);
  for (const url of literalUrlPasswords(text)) add('URL with a password', url.index, url.length);
  // Each of the two patterns below needs its literal character (`-` of a flag, `=` of an assignment).
  if (text.includes('-'))
    for (const m of text.matchAll(FLAG_RE)) {
      const val = m[2]!;
      if (!isLiteralSecret(val)) continue;
      add(`${m[0].trim().split(/[=\s]/)[0]} flag`, m.index! + m[0].lastIndexOf(val), val.length);
    }
  if (text.includes('='))
    for (const m of text.matchAll(ASSIGNMENT_RE)) {
      const [, name, , val] = m as unknown as [string, string, string, string];
      if (!isSecretLikeName(name) || !isLiteralSecret(val)) continue;
      add(`${name}= assignment`, m.index! + m[0].lastIndexOf(val), val.length);
    }
  return found.sort((a, b) => a.index - b.index);
}

function isLiteralSecret(val: string): boolean {
  const c = classifyValue(val);
  return (
    c.kind !== 'reference' &&
    c.kind !== 'placeholder' &&
    c.kind !== 'empty' &&
    c.kind !== 'boolean' &&
    !HAS_REFERENCE.test(val)
  );
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * A preview safe to print: the first 2 characters, an ellipsis and the length (`gh…(40 chars)`);
 * values under 12 characters are fully masked (`****(8 chars)`), so short passwords leak nothing.
 */
export function redact(value: string): string {
  const n = [...value].length;
  if (n === 0) return '(empty)';
  if (n < 12) return `****(${n} chars)`;
  return `${[...value].slice(0, 2).join('')}…(${n} chars)`;
}
