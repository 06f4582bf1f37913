#!/usr/bin/env node
// Part of `npm run lint`: fails when a source line is wider than the formatter's lineWidth (biome.json).
// Biome breaks code to that width but leaves a string, template or comment that does not fit as it is, so
// without this check long messages and HTML templates creep back. Split such a literal into a concatenation
// (or, in a tagged HTML template, end the line with a `\` continuation, which adds nothing to the text).
//
//   node scripts/check-line-width.mjs [dir|file…]   (default: src scripts)
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const biome = JSON.parse(readFileSync(join(root, 'biome.json'), 'utf8'));
const limit = biome.formatter?.lineWidth ?? 80;
const EXTENSIONS = ['.ts', '.mjs', '.js'];

function* sourceFiles(path) {
  if (statSync(path).isFile()) {
    yield path;
    return;
  }
  for (const name of readdirSync(path).sort()) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const p = join(path, name);
    if (statSync(p).isDirectory()) yield* sourceFiles(p);
    else if (EXTENSIONS.some((e) => name.endsWith(e))) yield p;
  }
}

const targets = process.argv.slice(2);
const over = [];
for (const target of targets.length ? targets : ['src', 'scripts'].map((d) => join(root, d))) {
  for (const file of sourceFiles(target)) {
    const lines = readFileSync(file, 'utf8').split('\n');
    lines.forEach((line, i) => {
      // Columns as an editor counts them: code points, not UTF-16 units.
      const width = [...line.replace(/\r$/, '')].length;
      if (width > limit) over.push(`${relative(process.cwd(), file)}:${i + 1}: ${width} columns (limit ${limit})`);
    });
  }
}
if (over.length) {
  process.stderr.write(`${over.join('\n')}\n${over.length} line(s) wider than ${limit} columns\n`);
  process.exit(1);
}
