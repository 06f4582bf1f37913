import { join, resolve } from 'node:path';
import { APP_COMPOSE_FILE_NAME, COMPOSE_FILE_NAMES, isDir } from '../compose/discover.js';
import type { Project } from '../compose/project.js';
import { maskSourceText, type MaskedText } from '../knowledge/redact-source.js';
import { classifyValue, isSecretLikeName } from '../knowledge/secret-detect.js';
import type { MaskedSources } from '../report/excerpt.js';

/**
 * Every file a loaded project was read from (compose files, `extends` files, app-compose.json, env
 * files, `.preflight.yml`), as absolute paths: what a report written by the same run must never
 * replace.
 */
export function projectInputs(projects: readonly Project[], cwd = process.cwd()): string[] {
  const out = new Set<string>();
  for (const p of projects) {
    for (const file of p.sources.keys()) if (!file.includes('#')) out.add(resolve(cwd, file));
    for (const file of p.envFiles) out.add(resolve(cwd, file));
    if (p.config.file) out.add(resolve(cwd, p.config.file));
  }
  return [...out];
}

/**
 * The files a command will read for path arguments, before it has loaded anything (a drill checks
 * its `--output` before it runs): a file itself, or a directory's compose files, app-compose.json,
 * `.env` and `.preflight.yml`.
 */
export function argumentInputs(paths: readonly (string | undefined)[], cwd = process.cwd()): string[] {
  const out: string[] = [];
  for (const p of paths) {
    if (!p) continue;
    const abs = resolve(cwd, p);
    if (!isDir(abs)) {
      out.push(abs);
      continue;
    }
    for (const name of [...COMPOSE_FILE_NAMES, APP_COMPOSE_FILE_NAME, '.env', '.preflight.yml', '.preflight.yaml'])
      out.push(join(abs, name), join(abs, name.replace(/\.(ya?ml)$/, '.override.$1')));
  }
  return out;
}

/**
 * The source texts of the projects for code excerpts, each masked on first use
 * (knowledge/redact-source.ts): the report layer receives only masked text. Known secrets are the
 * values of the env files' credential-named or secret-looking variables; an app-compose.json is
 * masked with the secrets found in its embedded compose file as well.
 */
export function maskedSources(projects: readonly Project[]): MaskedSources {
  const owner = new Map<string, Project>();
  for (const p of projects) for (const file of p.sources.keys()) if (!owner.has(file)) owner.set(file, p);
  const cache = new Map<string, MaskedText>();
  const mask = (file: string): MaskedText | undefined => {
    const cached = cache.get(file);
    if (cached) return cached;
    const p = owner.get(file);
    const source = p?.sources.get(file);
    if (!p || !source) return undefined;
    const known = knownSecrets(p);
    if (p.manifest?.file === file && p.manifest.compose) {
      const embedded = mask(p.manifest.compose.file);
      if (embedded) for (const s of embedded.secrets) known.push(s);
    }
    const masked = maskSourceText(file, source.text, { knownSecrets: known, parsed: source });
    cache.set(file, masked);
    return masked;
  };
  return { get: (file) => mask(file)?.text };
}

/**
 * A file's text before and after an edit (`preflight fix`), each masked as a report's excerpts are:
 * with the project's known secrets and, for the edited text, every value the original's masking
 * found (an edit that moves a value keeps it masked). Both keep the original's lines.
 */
export function maskedEdit(p: Project, file: string, before: string, after: string): { before: string; after: string } {
  const known = knownSecrets(p);
  const embedded = p.manifest?.compose && p.sources.get(p.manifest.compose.file);
  if (embedded)
    for (const s of maskSourceText(embedded.file, embedded.text, { parsed: embedded }).secrets) known.push(s);
  // The loader's parse serves only a text it was made from (maskSourceText compares); the edited one is parsed.
  const parsed = p.sources.get(file);
  const old = maskSourceText(file, before, { knownSecrets: known, parsed });
  const next = maskSourceText(file, after, { knownSecrets: [...known, ...old.secrets], parsed });
  return { before: old.text, after: next.text };
}

function knownSecrets(p: Project): string[] {
  const out: string[] = [];
  for (const [name, value] of p.env) if (isSecretLikeName(name) || classifyValue(value).looksSecret) out.push(value);
  return out;
}
