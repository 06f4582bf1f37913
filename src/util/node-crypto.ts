import { createRequire } from 'node:module';

let loaded: typeof import('node:crypto') | undefined;

/**
 * node:crypto, loaded on first use. `check` loads the modules that hash lockfiles and name
 * temporary files (the secrets rules, output writing) but, as a rule, does neither, and loading
 * node:crypto cost it ~5 ms of a ~180 ms run (issue 14: start-up time).
 */
export function nodeCrypto(): typeof import('node:crypto') {
  loaded ??= createRequire(import.meta.url)('node:crypto') as typeof import('node:crypto');
  return loaded;
}
