#!/bin/sh
':' //; exec node -- "$0" "$@"
// The line above is read by sh and skipped by JavaScript (a string, then a comment). It is there
// because Node 20 scans the WHOLE command line for its own `--env-file` (nodejs/node#54232) and
// applies it before any script runs: `preflight check --env-file .env` would let Node load the
// user's env file, NODE_OPTIONS included, i.e. run code from it. `node --` ends Node's options, so
// every argument reaches Preflight. A `#!/usr/bin/env -S node --` shebang would do the same where
// `env` knows `-S`, but BusyBox's (Alpine) does not. See docs/decisions.md. biome.json does not
// format this file: a formatter puts `;` after the string, and sh then tries to run `//`.

// Thin launcher: the CLI is bundled into dist/cli-bundle/ (scripts/bundle-cli.mjs, run by `npm run
// build`, which `npm ci` runs through the prepare script): one file per command instead of ~150
// modules to resolve, for start-up time. dist/cli/main.js is the same code, unbundled.
import { main } from '../dist/cli-bundle/main.js';

// `preflight check … | head` closes the pipe early: that is not an error worth a stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
}
main(process.argv).then((code) => {
  process.exitCode = code;
});
