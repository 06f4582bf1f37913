import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, it } from 'node:test';
import { REPO_ROOT } from './cli.js';

/**
 * The shared corpus (real compose apps: awesome-compose, dstack-examples) lies beside the repository
 * (`../shared/corpus`) in development and in CI, never inside it. PREFLIGHT_CORPUS=DIR points
 * elsewhere (a git worktree has no `../shared`). A fresh clone has none: corpus suites then skip
 * with one visible line, unless PREFLIGHT_REQUIRE_CORPUS=1 (CI), where a missing corpus is a failure.
 */
export const CORPUS_DIR = resolve(
  REPO_ROOT,
  process.env.PREFLIGHT_CORPUS || resolve(REPO_ROOT, '..', 'shared', 'corpus'),
);

export function corpusAvailable(): boolean {
  return existsSync(CORPUS_DIR) && statSync(CORPUS_DIR).isDirectory();
}

export function corpusRequired(): boolean {
  return process.env.PREFLIGHT_REQUIRE_CORPUS === '1';
}

type SuiteFn = () => void | Promise<void>;

/** `describe` that runs only when the corpus is there; the counterpart of `describeDocker`. */
export function describeCorpus(name: string, options: { timeout?: number }, fn: SuiteFn): void {
  if (corpusAvailable()) {
    describe(name, options, fn);
    return;
  }
  const why = `no corpus at ${CORPUS_DIR}`;
  if (corpusRequired()) {
    // A failing test, not only a failing suite, so the runner's own count says so.
    describe(name, () => {
      it('needs the shared corpus', () => {
        throw new Error(`PREFLIGHT_REQUIRE_CORPUS=1 but there is ${why} (set PREFLIGHT_CORPUS=DIR to point elsewhere)`);
      });
    });
    return;
  }
  process.stderr.write(`\n# SKIPPED (${why}): ${name} — set PREFLIGHT_REQUIRE_CORPUS=1 to make this a failure\n`);
  describe(name, () => {
    it('needs the shared corpus', { skip: why }, () => {});
  });
}
