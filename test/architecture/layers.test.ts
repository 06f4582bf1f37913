import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { it } from 'node:test';
import { REPO_ROOT } from '../support/cli.js';

/**
 * Imports only point down the layers of docs/architecture.md (the `layers` block there is the one
 * list): a module imports from its own folder or from a folder on a lower line, never up, never
 * sideways to another folder of its own line.
 */
const SRC = join(REPO_ROOT, 'src');

function layerRanks(): Map<string, number> {
  const doc = readFileSync(join(REPO_ROOT, 'docs', 'architecture.md'), 'utf8');
  const block = /```layers\n([\s\S]*?)```/.exec(doc);
  assert.ok(block, 'docs/architecture.md has a ```layers block');
  const ranks = new Map<string, number>();
  block[1]!
    .trim()
    .split('\n')
    .forEach((line, rank) => {
      for (const folder of line.trim().split(/\s+/)) ranks.set(folder, rank);
    });
  return ranks;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return sourceFiles(p);
    return name.endsWith('.ts') && !name.endsWith('.test.ts') ? [p] : [];
  });
}

/** The top folder under src/ of a path, or '' for a file directly in src/ (the package entry). */
const folderOf = (abs: string) => {
  const rel = relative(SRC, abs).split('/');
  return rel.length > 1 ? rel[0]! : '';
};

const IMPORT = /(?:^|\n)\s*(?:import|export)\b[^'"]*?from\s*['"](\.[^'"]+)['"]|import\(\s*['"](\.[^'"]+)['"]\s*\)/g;

it('every import points down the layers of docs/architecture.md', () => {
  const ranks = layerRanks();
  const problems: string[] = [];
  for (const file of sourceFiles(SRC)) {
    const from = folderOf(file);
    if (from === '') continue; // src/index.ts re-exports the library: it sits above every layer
    if (!ranks.has(from)) {
      problems.push(`${relative(REPO_ROOT, file)}: folder src/${from}/ is not in the layers of docs/architecture.md`);
      continue;
    }
    for (const m of readFileSync(file, 'utf8').matchAll(IMPORT)) {
      const spec = (m[1] ?? m[2])!;
      const target = folderOf(resolve(dirname(file), spec));
      if (target === from) continue;
      const ok = ranks.has(target) && ranks.get(target)! > ranks.get(from)!;
      if (!ok)
        problems.push(`${relative(REPO_ROOT, file)} imports ${spec}: src/${from}/ may not import src/${target}/`);
    }
  }
  assert.deepEqual(problems, []);
});

it('the layers block names every folder under src/', () => {
  const ranks = layerRanks();
  const folders = readdirSync(SRC).filter((n) => statSync(join(SRC, n)).isDirectory());
  assert.deepEqual(
    folders.filter((f) => !ranks.has(f)),
    [],
  );
});
