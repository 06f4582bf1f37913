import { LoadBalancerError } from './types.js';

/**
 * Command templates of the `drain:` / `enable:` hooks. A template is shell text written by the
 * user; `{{placeholder}}`s are replaced by single-quoted values, so a value is always one word and
 * never shell syntax. A placeholder inside quotes would defeat that (`"{{url}}"` becomes
 * `"'http://…'"`, with the quotes in the value; `'{{url}}'` leaves the value unquoted), so such a
 * template is refused: write placeholders bare. An unknown `{{…}}` inside quotes is left as it is
 * (Go templates of `docker inspect -f '{{.Id}}'`); outside quotes it is refused as a likely typo.
 */

export const PLACEHOLDERS = ['instance', 'name', 'url', 'host', 'port'] as const;
export type Placeholder = (typeof PLACEHOLDERS)[number];
export type TemplateValues = Record<Placeholder, string>;

/** A template that does not parse; `column` is 1-based in the template text. */
export class HookTemplateError extends LoadBalancerError {
  constructor(
    readonly hook: string,
    readonly column: number,
    readonly reason: string,
  ) {
    super(`${hook} hook, column ${column}: ${reason}`);
    this.name = 'HookTemplateError';
  }
}

type Part = { text: string } | { placeholder: Placeholder };

export interface HookTemplate {
  source: string;
  parts: Part[];
}

/** Parse and check a template; throws HookTemplateError naming the hook and the column. */
export function parseHookTemplate(hook: string, source: string): HookTemplate {
  if (!source.trim()) throw new HookTemplateError(hook, 1, 'empty command');
  const parts: Part[] = [];
  let text = '';
  let quote: "'" | '"' | undefined;
  for (let i = 0; i < source.length; i++) {
    const c = source[i]!;
    if (c === '{' && source[i + 1] === '{') {
      const end = source.indexOf('}}', i + 2);
      if (end < 0) throw new HookTemplateError(hook, i + 1, "'{{' without a closing '}}'");
      const name = source.slice(i + 2, end).trim();
      const known = (PLACEHOLDERS as readonly string[]).includes(name);
      // In quotes, an unknown `{{…}}` is the command's own text (`docker inspect -f '{{.Id}}'`).
      if (!known && quote) {
        text += source.slice(i, end + 2);
        i = end + 1;
        continue;
      }
      if (!known)
        throw new HookTemplateError(hook, i + 1, `unknown placeholder {{${name}}} (known: ${PLACEHOLDERS.join(', ')})`);
      if (quote)
        throw new HookTemplateError(
          hook,
          i + 1,
          `{{${name}}} inside ${quote === "'" ? 'single' : 'double'} quotes; write it bare, Preflight quotes the value`,
        );
      if (text) parts.push({ text });
      text = '';
      parts.push({ placeholder: name as Placeholder });
      i = end + 1;
      continue;
    }
    text += c;
    if (quote === "'") {
      if (c === "'") quote = undefined;
    } else if (c === '\\') {
      // Outside single quotes a backslash takes the next character literally (in double quotes too, for \" \\ \$).
      if (i + 1 < source.length) text += source[++i];
    } else if (quote === '"') {
      if (c === '"') quote = undefined;
    } else if (c === "'" || c === '"') quote = c;
  }
  if (quote)
    throw new HookTemplateError(hook, source.length, `unterminated ${quote === "'" ? 'single' : 'double'} quote`);
  if (text) parts.push({ text });
  return { source, parts };
}

/** POSIX shell single-quoting: the value becomes exactly one word, whatever it contains. */
export function shellQuote(value: string): string {
  return `'${value.replaceAll("'", "'\\''")}'`;
}

export function renderHookTemplate(template: HookTemplate, values: TemplateValues): string {
  return template.parts.map((p) => ('text' in p ? p.text : shellQuote(values[p.placeholder]))).join('');
}
