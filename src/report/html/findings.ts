import type { Finding, Severity, SuppressedFinding } from '../../findings/types.js';
import { ruleDocsUrl } from '../docs-url.js';
import { excerptLines, type MaskedSources } from '../excerpt.js';
import { fixText, type MetaLookup } from '../rule-meta.js';
import { dataTable, type Tone } from './layout.js';
import { type HtmlValue, html, type SafeHtml } from './safe.js';

/** What a finding card needs besides the finding: rule metadata and the source texts for excerpts. */
export interface FindingContext {
  meta: MetaLookup;
  /** Masked source texts by file name as findings name them. */
  maskedSources?: MaskedSources;
  /** Lines of context around the finding's line (default 1). */
  context?: number;
}

export const SEVERITY_ICON: Record<Severity, string> = { error: '✖', warning: '▲', info: 'ℹ' };
export const SEVERITY_TONE: Record<Severity, Tone> = { error: 'bad', warning: 'fair', info: 'neutral' };

/** Backtick spans as `<code>` (messages and fix hints are written that way); everything else text. */
export function prose(s: string): SafeHtml {
  const parts = s.split('`');
  if (parts.length % 2 === 0) return html`${s}`; // unbalanced: leave it as it is
  return html`${parts.map((p, i) => (i % 2 ? html`<code>${p}</code>` : p))}`;
}

export function ruleLink(id: string, meta: MetaLookup): SafeHtml {
  return meta(id)
    ? html`<a class="rule" href="${ruleDocsUrl(id)}"><code>${id}</code></a>`
    : html`<code class="rule">${id}</code>`;
}

export function where(f: Pick<Finding, 'file' | 'line' | 'column'>): string {
  return `${f.file}:${f.line}:${f.column}`;
}

/** A list of finding cards (rule, severity, service, location, message, masked excerpt, fix). */
export function findingList(findings: readonly Finding[], ctx: FindingContext): SafeHtml {
  return html`<ol class="findings">${findings.map((f) => findingCard(f, ctx))}</ol>`;
}

export function findingCard(f: Finding, ctx: FindingContext): SafeHtml {
  const meta = ctx.meta(f.ruleId);
  const fix = fixText(f, ctx.meta);
  const source = ctx.maskedSources?.get(f.file);
  return html`<li class="finding ${f.severity}" data-rule="${f.ruleId}" data-severity="${f.severity}" \
data-section="${f.section}" data-line="${f.line}">
<div class="finding-head">
<h3><span class="sev ${f.severity}"><span aria-hidden="true">${SEVERITY_ICON[f.severity]}</span> ${f.severity}</span> \
${ruleLink(f.ruleId, ctx.meta)}</h3>
${f.service !== undefined ? html`<span class="service">service <code>${f.service}</code></span>` : ''}
<span class="where mono" data-where>${where(f)}</span>
</div>
${meta ? html`<p class="rule-title">${prose(meta.title)}</p>` : ''}
<p class="message">${prose(f.message)}</p>
${source !== undefined ? excerpt(f, source, ctx.context ?? 1) : ''}
${f.related?.length ? relatedList(f) : ''}
${fix ? html`<p class="fix"><strong>Fix:</strong> ${prose(fix)}</p>` : ''}
</li>`;
}

/** The other places the problem shows: each service that shares it, each other reference. */
function relatedList(f: Finding): SafeHtml {
  return html`<div class="related"><span>Also at</span><ul>${(f.related ?? []).map(
    (r) =>
      html`<li><span class="mono">${where(r)}</span>${
        r.service !== undefined
          ? html` service \
<code>${r.service}</code>`
          : ''
      }</li>`,
  )}</ul></div>`;
}

/** Source lines around the finding, secrets masked (`excerptLines`), its line marked by more than colour. */
function excerpt(f: Finding, source: string, context: number): SafeHtml | string {
  const lines = excerptLines(source, f.line, context);
  if (!lines.length) return '';
  const width = String(lines.at(-1)!.n).length;
  const rows: HtmlValue[] = lines.map((l) =>
    l.hit
      ? html`<mark class="l hit"><span class="n">› ${String(l.n).padStart(width)}</span>${l.text}</mark>\
<span class="l caret-row" aria-hidden="true"><span class="n"> </span>\
<span class="caret">${' '.repeat(Math.max(0, f.column - 1))}^</span></span>`
      : html`<span class="l"><span class="n">${String(l.n).padStart(width)}</span>${l.text}</span>`,
  );
  const label = `${f.file} lines ${lines[0]!.n}–${lines.at(-1)!.n}, line ${f.line} marked`;
  return html`<pre class="excerpt" aria-label="${label}"><code>${rows}</code></pre>`;
}

export function suppressedTable(suppressed: readonly SuppressedFinding[], meta: MetaLookup): SafeHtml {
  return dataTable({
    caption: `${suppressed.length} suppressed finding${suppressed.length === 1 ? '' : 's'} (they cost no points)`,
    headers: ['Rule', 'Section', 'Service', 'Location', 'Suppressed by', 'Reason'],
    rows: suppressed.map((s) => [
      ruleLink(s.ruleId, meta),
      s.section,
      s.service ?? '—',
      html`<span class="mono">${where(s)}</span>`,
      s.suppression.kind === 'inline' ? 'inline comment' : '.preflight.yml',
      s.suppression.reason,
    ]),
  });
}

export function severityCounts(findings: readonly Finding[]): Record<Severity, number> {
  const n = { error: 0, warning: 0, info: 0 };
  for (const f of findings) n[f.severity]++;
  return n;
}

export function countText(n: number, word: string): string {
  return `${n} ${word}${n === 1 || word === 'info' ? '' : 's'}`;
}
