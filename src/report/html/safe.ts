/**
 * HTML built from tagged templates: every interpolated value is escaped unless it is already
 * `SafeHtml` (the output of another template). Text from a compose file (service names, images,
 * messages, excerpts) can only ever land in the page as text, never as markup.
 */
export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

export type HtmlValue = SafeHtml | string | number | boolean | null | undefined | readonly HtmlValue[];

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Characters HTML cannot carry (C0 controls other than tab, newline, CR; lone surrogates; noncharacters). */
const INVALID = new RegExp(
  [
    String.raw`[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F\uFFFE\uFFFF]`,
    String.raw`[\uD800-\uDBFF](?![\uDC00-\uDFFF])`, // a high surrogate without its low half
    String.raw`(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]`, // a low surrogate without its high half
  ].join('|'),
  'g',
);

/** Text as HTML text or a quoted attribute value. */
export function escapeHtml(s: string): string {
  return s.replace(INVALID, '\uFFFD').replace(/[&<>"']/g, (c) => ENTITIES[c]!);
}

function render(v: HtmlValue): string {
  if (v instanceof SafeHtml) return v.value;
  if (Array.isArray(v)) return v.map(render).join('');
  if (v === null || v === undefined || v === false) return '';
  return escapeHtml(String(v));
}

export function html(strings: TemplateStringsArray, ...values: HtmlValue[]): SafeHtml {
  let out = strings[0]!;
  for (let i = 0; i < values.length; i++) out += render(values[i]!) + strings[i + 1]!;
  return new SafeHtml(out);
}

/** Markup we wrote ourselves (the stylesheet); never for text that came from input. */
export function trusted(markup: string): SafeHtml {
  return new SafeHtml(markup);
}

/** An id or class token from arbitrary text: `[a-z0-9-]` only, so it needs no escaping anywhere. */
export function token(s: string): string {
  return (
    s
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '') || 'x'
  );
}

/**
 * A link target: only http(s) URLs and in-page anchors (`javascript:` and `data:` never reach an href).
 */
export function safeHref(url: string): string | undefined {
  if (url.startsWith('#')) return url;
  return /^https?:\/\//i.test(url) ? url : undefined;
}
