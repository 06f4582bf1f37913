// Bundles the command-line tool (src/cli/main.ts and what it imports) into dist/cli-bundle/ with
// esbuild, one chunk per lazily imported command, for start-up time: Node resolving and loading
// ~150 small modules and the `yaml` package's files cost more than running `check` on a small app
// (issue 14; docs/decisions.md "The CLI is bundled"). The library (dist/index.js) stays tsc's output
// with its types and source maps; bin/preflight.js runs the bundle.
//
// Bundled in: our code and the small pure-JS packages every command uses (@phala/dstack-sdk's
// get-compose-hash and @noble/hashes too: `check` computes compose hashes, and importing them from
// node_modules cost ~0.5x of bare Node's start-up). Left as imports: the
// packages only some commands load (Phala Cloud SDK, viem, ora, tar-stream, …), so a command that
// does not use them does not parse them, and their own dynamic requires keep working.
import { build } from 'esbuild';
import { readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const BUNDLED = new Set([
  'commander',
  'yaml',
  'jsonc-parser',
  'jsonpath-rfc9535',
  '@noble/hashes',
  '@phala/dstack-sdk',
]);
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const external = Object.keys(pkg.dependencies ?? {}).filter((d) => !BUNDLED.has(d));
const outdir = join(root, 'dist', 'cli-bundle');

rmSync(outdir, { recursive: true, force: true });
await build({
  entryPoints: { main: join(root, 'src', 'cli', 'main.ts') },
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // jsonc-parser's `main` is a UMD build esbuild cannot follow; its `module` build is plain ESM.
  mainFields: ['module', 'main'],
  external: [...external, ...external.map((d) => `${d}/*`)],
  sourcemap: true,
  minifyWhitespace: true,
  minifySyntax: true,
  // The CommonJS packages bundled in call require() for Node built-ins; an ES module has none.
  banner: {
    js:
      "import { createRequire as __preflightRequire } from 'node:module';\nconst require = " +
      '__preflightRequire(import.meta.url);',
  },
  logLevel: 'warning',
});
console.log(`wrote ${outdir}`);
