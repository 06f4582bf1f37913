/**
 * Masks secrets in a line of source text before a report prints it (code excerpts around
 * findings). Uses the shared detectors (detect.ts): values of credential-shaped keys, provider
 * tokens, URL passwords, `--password x` flags, `SECRET=x` assignments and random-looking tokens.
 */
import { classifyValue, findSecretInText, isSecretLikeName } from './secret-detect.js';

export const MASK = '****';

// `KEY: value`, `KEY=value`, `- KEY=value`, `"KEY": "value"`; quotes may be JSON-escaped (`\"`)
// inside app-compose.json's docker_compose_file string.
const KEY_VALUE = /^(\s*(?:-\s+)?)(\\?["']?)([A-Za-z_][A-Za-z0-9_.-]*)\2(\s*:\s+|\s*:$|=)(.*)$/;
const TOKEN = /[^\s"'`=:,;()[\]{}<>\\]{16,}/g;
const DIGEST_BEFORE = /(?:sha256|sha512|sha1|md5):$/i;
const HAS_REFERENCE = /\$\{|\$[A-Za-z_]/;

/** `line` with every secret it holds replaced by `****`. */
export function redactSourceLine(line: string): string {
  // app-compose.json holds the compose file as one JSON string: each escaped line on its own.
  if (line.includes('\\n')) return line.split('\\n').map(redactOne).join('\\n');
  return redactOne(line);
}

function redactOne(line: string): string {
  const spans: Array<[number, number]> = [];
  const kv = KEY_VALUE.exec(line);
  if (kv) {
    const [, lead, quote, key, sep, rest] = kv as unknown as [string, string, string, string, string, string];
    const start = lead.length + quote.length * 2 + key.length + sep.length;
    const value = valueSpan(rest);
    if (value && isSecretLikeName(key)) {
      const text = rest.slice(value[0], value[1]);
      const c = classifyValue(text);
      const harmless =
        c.kind === 'empty' ||
        c.kind === 'reference' ||
        c.kind === 'boolean' ||
        c.kind === 'number' ||
        HAS_REFERENCE.test(text.replace(/\$\$/g, '')) ||
        /^[|>][-+0-9]*$/.test(text);
      if (!harmless) spans.push([start + value[0], start + value[1]]);
    }
  }
  for (const m of findSecretInText(line)) spans.push([m.index, m.index + m.length]);
  for (const m of line.matchAll(TOKEN)) {
    if (DIGEST_BEFORE.test(line.slice(0, m.index))) continue;
    const c = classifyValue(m[0]);
    if (c.kind === 'provider' || (c.kind === 'high-entropy' && randomToken(m[0]))) {
      spans.push([m.index!, m.index! + m[0].length]);
    }
  }
  return mask(line, spans);
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

/** Where the value sits in the text after `KEY:`/`KEY=`: inside its quotes, before a `# comment`. */
function valueSpan(rest: string): [number, number] | undefined {
  const q = /^(\\?["'])(.*?)\1/.exec(rest);
  if (q) return q[2] ? [q[1]!.length, q[1]!.length + q[2].length] : undefined;
  const comment = rest.search(/\s#/);
  const end = (comment < 0 ? rest : rest.slice(0, comment)).replace(/[\s,]+$/, '').length;
  return end > 0 ? [0, end] : undefined;
}

function mask(line: string, spans: Array<[number, number]>): string {
  if (!spans.length) return line;
  spans.sort((a, b) => a[0] - b[0]);
  let out = '';
  let at = 0;
  for (const [s, e] of spans) {
    if (e <= at) continue;
    if (s < at) {
      at = e; // overlaps the span just masked: extend it
      continue;
    }
    out += line.slice(at, s) + MASK;
    at = e;
  }
  return out + line.slice(at);
}
