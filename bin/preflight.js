#!/bin/sh
':' //; exec node -- "$0" "$@"
// The line above is read by sh and skipped by JavaScript (a string, then a comment). It is there
// because Node 20 scans the WHOLE command line for its own `--env-file` (nodejs/node#54232) and
// applies it before any script runs: `preflight check --env-file .env` would let Node load the
// user's env file, NODE_OPTIONS included, i.e. run code from it. `node --` ends Node's options, so
// every argument reaches Preflight. A `#!/usr/bin/env -S node --` shebang would do the same where
// `env` knows `-S`, but BusyBox's (Alpine) does not. See docs/decisions.md. biome.json does not
// format this file: a formatter puts `;` after the string, and sh then tries to run `//`.

// Thin launcher: the CLI is bundled into one script, dist/cli-bundle/preflight.cjs (scripts/bundle-cli.mjs,
// run by `npm run build`, which `npm ci` runs through the prepare script), and run with a V8 code cache
// (src/launcher/compile-cache.ts), for start-up time. dist/cli/main.js is the same code, unbundled.

// `preflight check … | head` closes the pipe early: that is not an error worth a stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
}
// `--version` alone needs nothing of the bundle (main() answers it the same way), nor the launcher.
if (process.argv.length === 3 && (process.argv[2] === '--version' || process.argv[2] === '-V')) {
  const { VERSION } = await import('../dist/util/version.js');
  process.stdout.write(`${VERSION}\n`);
} else {
  const { cacheLabel, compileCacheDir, loadBundle } = await import('../dist/launcher/compile-cache.js');
  const { checkWorkerStarter, wantsCheckWorker } = await import('../dist/launcher/short-run.js');
  const { fileURLToPath } = await import('node:url');
  const label = cacheLabel(process.argv);
  // `check -r`: a worker thread starts now, to be ready when the main thread has found the projects.
  const workers = checkWorkerStarter(
    new URL('../dist/launcher/check-worker.js', import.meta.url),
    wantsCheckWorker(process.argv, label),
  );
  const bundle = loadBundle(fileURLToPath(new URL('../dist/cli-bundle/preflight.cjs', import.meta.url)), {
    cacheDir: compileCacheDir(),
    label,
    importModule: (specifier) => import(specifier),
  });
  workers.launched(!bundle.shouldSave);
  const keepV8Flags = bundle.shouldSave || workers.early;
  bundle.exports.main(process.argv, { keepV8Flags, startCheckWorker: workers.start }).then((code) => {
    process.exitCode = code;
    // A run that stopped at a usage error compiled little of the command: leave the cache to the next.
    if (bundle.shouldSave && code <= 1) bundle.save();
  });
}
