/**
 * What kind of text an inline config (`configs: x: content:`) is, from the file it becomes: its
 * target path or, without one, the config's name. plaintext-secret reads `key: value` / `key = value`
 * lines only in config formats; in source code such a line is an assignment or an object literal
 * (`password = os.environ["DB_PASSWORD"]`, `{ user: "app", password }`), so code is scanned for
 * provider-format credentials only (AWS, GitHub, Stripe, private keys…). Extensions as GitHub
 * Linguist lists them (https://github.com/github-linguist/linguist/blob/main/lib/linguist/languages.yml).
 */
export const SOURCE_CODE_EXTENSIONS: ReadonlySet<string> = new Set([
  // JavaScript / TypeScript
  'js',
  'mjs',
  'cjs',
  'jsx',
  'ts',
  'mts',
  'cts',
  'tsx',
  // Python, Ruby, PHP, Perl, Lua
  'py',
  'rb',
  'php',
  'pl',
  'lua',
  // Shell
  'sh',
  'bash',
  'zsh',
  'ps1',
  // Compiled languages that are sometimes shipped as scripts (go run, java single-file)
  'go',
  'java',
  'kt',
  'rs',
  // SQL init scripts (docker-entrypoint-initdb.d): statements, not settings
  'sql',
]);

/** `code` when the file is source code (by extension, or a `#!` first line); else `config`. */
export function configTextKind(fileNames: readonly string[], text: string): 'code' | 'config' {
  if (text.trimStart().startsWith('#!')) return 'code';
  for (const f of fileNames) {
    const base = f.split('/').pop() ?? f;
    const dot = base.lastIndexOf('.');
    if (dot > 0 && SOURCE_CODE_EXTENSIONS.has(base.slice(dot + 1).toLowerCase())) return 'code';
  }
  return 'config';
}
