// Bundles the command-line tool (src/cli/main.ts and what it imports) into one CommonJS file,
// dist/cli-bundle/preflight.cjs, with esbuild, for start-up time: Node resolving and loading ~150 small
// modules and the `yaml` package's files cost more than running `check` on a small app (issue 14;
// docs/decisions.md "The CLI is bundled"). One script rather than ES modules because V8 can cache the
// compiled code of a script (src/launcher/compile-cache.ts) and Node 20 offers no such cache for ES
// modules (docs/decisions.md "Start-up: a V8 code cache"). Each command's code still runs only when
// that command does: esbuild turns the `await import('./check.js')` of src/cli/main.ts into a lazy
// initialiser. The library (dist/index.js) stays tsc's output with its types and source maps;
// bin/preflight.js runs the bundle.
//
// Bundled in: our code and the small pure-JS packages (commander, yaml, …; @phala/dstack-sdk's
// get-compose-hash and @noble/hashes too: `check` computes compose hashes; ora, which is an ES module
// only, so a CommonJS bundle cannot require() it on every Node 20). Left as imports: the packages
// only some commands load (Phala Cloud SDK, viem, tar-stream, ajv, …), so a command that does not use
// them does not parse them, and their own dynamic requires keep working.
import { createHash } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const BUNDLED = new Set([
  'commander',
  'yaml',
  'jsonc-parser',
  'jsonpath-rfc9535',
  '@noble/hashes',
  '@phala/dstack-sdk',
  'ora',
]);
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const external = Object.keys(pkg.dependencies ?? {}).filter((d) => !BUNDLED.has(d));
const outdir = join(root, 'dist', 'cli-bundle');
const outfile = join(outdir, 'preflight.cjs');
// The name the launcher passes the bundle for `import()`: see the rewrite below.
const IMPORT_FUNCTION = '__preflightImport';

// src/util/generated-validators.ts require()s the ajv validators of generated/ at run time (the
// library runs from dist/); the bundle includes them instead, each still loaded on first use, so the
// launcher's code cache covers their ~440 KB too (compiling the compose one took ~8 ms of a check).
const bundledValidators = {
  name: 'bundled-validators',
  setup(b) {
    b.onResolve({ filter: /\/generated-validators\.js$/ }, () => ({
      path: 'generated-validators',
      namespace: 'preflight',
    }));
    b.onLoad({ filter: /^generated-validators$/, namespace: 'preflight' }, () => ({
      resolveDir: root,
      loader: 'js',
      contents: `
        const load = {
          'compose-validator': () => require('./generated/compose-validator.cjs'),
          'preflight-config-validator': () => require('./generated/preflight-config-validator.cjs'),
        };
        export function generatedValidator(name) {
          const mod = load[name]();
          return mod.default ?? mod;
        }`,
    }));
  },
};

// commander require()s node:child_process when it loads, for subcommands that are separate programs,
// which Preflight has none of; loading it (and net, dgram, …) took ~3 ms of every run. commander gets
// a stand-in that loads it on first use.
const lazyChildProcessForCommander = {
  name: 'lazy-child-process-for-commander',
  setup(b) {
    b.onLoad({ filter: /^lazy-child-process$/, namespace: 'preflight' }, () => ({
      loader: 'js',
      contents: "module.exports = new Proxy({}, { get: (_, key) => require('node:child_process')[key] });",
    }));
    b.onResolve({ filter: /^(node:)?child_process$/ }, (args) =>
      /[\\/]node_modules[\\/]commander[\\/]/.test(args.importer)
        ? { path: 'lazy-child-process', namespace: 'preflight' }
        : undefined,
    );
  },
};

rmSync(outdir, { recursive: true, force: true });
await build({
  entryPoints: [join(root, 'src', 'cli', 'main.ts')],
  outfile,
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  // jsonc-parser's `main` is a UMD build esbuild cannot follow; its `module` build is plain ESM.
  mainFields: ['module', 'main'],
  external: [...external, ...external.map((d) => `${d}/*`)],
  sourcemap: true,
  minifyWhitespace: true,
  minifySyntax: true,
  // The modules that locate the package (compose/schema.ts, config/validator.ts) use import.meta.url.
  define: { 'import.meta.url': '__preflightModuleUrl' },
  banner: { js: "const __preflightModuleUrl = require('node:url').pathToFileURL(__filename).href;" },
  plugins: [bundledValidators, lazyChildProcessForCommander],
  logLevel: 'warning',
});

// V8 runs the bundle as a script (vm.Script, for its code cache), and Node 20 gives a script's own
// `import()` no module loader. What the bundle still imports dynamically (the Phala Cloud SDK, viem,
// node:v8) therefore goes through a function the launcher passes in, a real `import()` of an ES
// module, so resolution and semantics are Node's own.
let code = readFileSync(outfile, 'utf8');
const dynamicImports = code.match(/\bimport\(/g)?.length ?? 0;
code = code.replace(/\bimport\((?=["'][^"'\s]+["']\))/g, `${IMPORT_FUNCTION}(`);
const left = code.match(/\bimport\(/g)?.length ?? 0;
if (left) throw new Error(`bundle-cli: ${left} of ${dynamicImports} import() calls are not a plain string import`);
// The first line names the build: the launcher keys its code cache by it.
const id = createHash('sha256').update(code).digest('hex').slice(0, 20);
writeFileSync(outfile, `// preflight-bundle ${id}\n${code}`);
// The source map's lines are the bundle's: shift them by the line added above.
const mapFile = `${outfile}.map`;
const map = JSON.parse(readFileSync(mapFile, 'utf8'));
map.mappings = `;${map.mappings}`;
writeFileSync(mapFile, JSON.stringify(map));
console.log(`wrote ${outfile} (${(code.length / 1024).toFixed(0)} KB, build ${id})`);
