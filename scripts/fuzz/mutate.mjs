/**
 * Seeded mutations of Preflight's inputs: compose files, app-compose.json, env files, .preflight.yml.
 * Every mutator is `(rng, text) => text`; the same seed gives the same cases.
 */
import { parseDocument, isMap, isSeq, isScalar, isPair } from 'yaml';

/** mulberry32: small, fast, seedable. */
export function makeRng(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n) => Math.floor(next() * n);
  return { next, int, pick: (xs) => xs[int(xs.length)], chance: (p) => next() < p };
}

const WRONG_VALUES = [
  '5',
  '-1',
  'true',
  'null',
  '[]',
  '{}',
  '[1, [2, [3]]]',
  '{a: {b: {c: 1}}}',
  '"${UNSET}"',
  '"${A:-${B:-${C:?boom}}}"',
  '!reset null',
  '!override [x]',
  '!!binary aGVsbG8=',
  '1e400',
  '0x1F',
  '.inf',
  '~',
  '""',
  "'$$'",
  '"\\u0000"',
];

function lines(text) {
  return text.split('\n');
}

const MUTATORS = {
  byteFlip(rng, text) {
    const b = Buffer.from(text, 'utf8');
    if (!b.length) return text;
    for (let i = 0, n = 1 + rng.int(4); i < n; i++) b[rng.int(b.length)] ^= 1 << rng.int(8);
    return b.toString('latin1');
  },
  truncate(rng, text) {
    return text.slice(0, rng.int(text.length + 1));
  },
  deepNesting(rng, text) {
    const depth = 50 + rng.int(400);
    const open = rng.chance(0.5) ? '['.repeat(depth) : '{a: '.repeat(depth);
    const close = open.startsWith('[') ? ']'.repeat(depth) : '}'.repeat(depth);
    return insertValue(rng, text, `${open}1${close}`);
  },
  hugeScalar(rng, text) {
    const unit = rng.pick(['a', 'ab', 'x1/', '$', '${A}', 'postgres://u:p@h ', 'sk-', 'eyJ', '-----BEGIN ', ' ', 'a.']);
    return insertValue(
      rng,
      text,
      JSON.stringify(unit.repeat(1 + rng.int(rng.chance(0.1) ? 200_000 : 5_000) / unit.length)),
    );
  },
  wrongType(rng, text) {
    return replaceAtRandomPath(rng, text, rng.pick(WRONG_VALUES));
  },
  invalidUtf8(rng, text) {
    const b = Buffer.from(text, 'utf8');
    const at = rng.int(b.length + 1);
    return Buffer.concat([b.subarray(0, at), Buffer.from([0xc3, 0x28, 0xff, 0xfe]), b.subarray(at)]).toString('latin1');
  },
  nul(rng, text) {
    const at = rng.int(text.length + 1);
    return text.slice(0, at) + '\u0000' + text.slice(at);
  },
  bom(_rng, text) {
    return '\uFEFF' + text;
  },
  crlf(_rng, text) {
    return text.replace(/\n/g, '\r\n');
  },
  duplicateKey(rng, text) {
    const ls = lines(text);
    const i = rng.int(ls.length);
    ls.splice(i, 0, ls[i] ?? '');
    return ls.join('\n');
  },
  yamlTag(rng, text) {
    const tag = rng.pick(['!reset', '!override', '!!str', '!!int', '!!map', '!custom', '!!set', '!!omap']);
    return insertValue(rng, text, `${tag} ${rng.pick(WRONG_VALUES)}`);
  },
  resetMisuse(rng, text) {
    return text.replace(
      /^(\s+)(\w+):(.*)$/m,
      (_m, s, k) => `${s}${k}: !reset ${rng.pick(['', '[]', '{}', '5', '!override x'])}`,
    );
  },
  extendsCycle(rng, text) {
    const names = [...text.matchAll(/^ {2}([\w.-]+):\s*$/gm)].map((m) => m[1]);
    if (names.length < 1) return text;
    const a = rng.pick(names);
    const b = rng.pick(names);
    const target = rng.chance(0.3)
      ? `{service: ${b}, file: ${rng.pick(['.', '/dev/null', 'compose.yaml', 'missing.yml', '5'])}}`
      : b;
    return text.replace(new RegExp(`^  ${escapeRegExp(a)}:\\s*$`, 'm'), `  ${a}:\n    extends: ${target}`);
  },
  extendsFanOut(rng, text) {
    const n = 20 + rng.int(250);
    const rows = ['  base:', '    image: nginx', '    labels:'];
    for (let i = 0, m = 20 + rng.int(400); i < m; i++) rows.push(`      l${i}: v${i}`);
    for (let i = 0; i < n; i++)
      rows.push(`  fan${i}:`, `    extends: ${rng.chance(0.5) ? 'base' : `fan${Math.max(0, i - 1)}`}`);
    return /^services:\s*$/m.test(text)
      ? text.replace(/^services:\s*$/m, `services:\n${rows.join('\n')}`)
      : `services:\n${rows.join('\n')}\n`;
  },
  interpolationNesting(rng, text) {
    const depth = 1 + rng.int(40);
    let v = rng.pick(['x', '', '$$', '${', '}', '${UNSET?e}']);
    for (let i = 0; i < depth; i++) v = `\${V${i}${rng.pick([':-', '-', ':?', '?', ':+', '+', '', '.:-', ':'])}${v}}`;
    if (rng.chance(0.3)) v = v.slice(0, rng.int(v.length));
    return insertValue(rng, text, JSON.stringify(v));
  },
  spliceLines(rng, text) {
    const ls = lines(text);
    const a = rng.int(ls.length);
    const b = rng.int(ls.length);
    ls.splice(a, 0, ...ls.slice(b, b + 1 + rng.int(5)));
    return ls.join('\n');
  },
};

export const MUTATOR_NAMES = Object.keys(MUTATORS);

/** `text` mutated by 1–3 mutators; returns the text and the mutators' names. */
export function mutate(rng, text) {
  const used = [];
  let out = text;
  for (let i = 0, n = 1 + rng.int(3); i < n; i++) {
    const name = rng.pick(MUTATOR_NAMES);
    used.push(name);
    try {
      out = MUTATORS[name](rng, out);
    } catch {
      // a mutator that cannot apply leaves the text as it is
    }
  }
  return { text: out, used };
}

function escapeRegExp(s) {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Put `value` as the value of a random `key:` line (or append a key). */
function insertValue(rng, text, value) {
  const ls = lines(text);
  const keyed = ls.map((l, i) => [l, i]).filter(([l]) => /^\s*[\w.-]+:\s*/.test(l));
  if (!keyed.length) return `${text}\nx-fuzz: ${value}\n`;
  const [line, i] = rng.pick(keyed);
  ls[i] = line.replace(/^(\s*[\w.-]+:).*$/, `$1 ${value}`);
  return ls.join('\n');
}

/** Replace the value at a random path of the YAML document (every key can get a wrong type). */
function replaceAtRandomPath(rng, text, value) {
  let doc;
  try {
    doc = parseDocument(text, { uniqueKeys: false });
  } catch {
    return insertValue(rng, text, value);
  }
  const paths = [];
  const walk = (node, path) => {
    if (paths.length > 5000) return;
    if (isMap(node))
      for (const p of node.items)
        if (isPair(p) && isScalar(p.key)) {
          paths.push([...path, p.key.value]);
          walk(p.value, [...path, p.key.value]);
        }
    if (isSeq(node))
      node.items.forEach((n, i) => {
        paths.push([...path, i]);
        walk(n, [...path, i]);
      });
  };
  walk(doc.contents, []);
  if (!paths.length) return insertValue(rng, text, value);
  try {
    doc.setIn(rng.pick(paths), parseDocument(value).contents);
    return doc.toString({ lineWidth: 0 });
  } catch {
    return insertValue(rng, text, value);
  }
}
