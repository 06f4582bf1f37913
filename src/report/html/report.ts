import { SECTIONS, type Report, type Section } from '../../findings/types.js';
import { checkedSections } from '../checked.js';
import type { MaskedSources } from '../excerpt.js';
import type { MetaLookup } from '../rule-meta.js';
import { countText, findingList, SEVERITY_ICON, SEVERITY_TONE, severityCounts, suppressedTable } from './findings.js';
import { dataTable, type PageSection, renderPage, scoreBadge, scoreSummary } from './layout.js';
import { html } from './safe.js';

export interface HtmlOptions {
  /** Masked source texts by file name as findings name them, for code excerpts. */
  maskedSources?: MaskedSources;
  meta: MetaLookup;
  /** The page title (default `Preflight report`). */
  title?: string;
  /** Lines of context around a finding's line (default 1, as in the text report). */
  context?: number;
}

const DEPLOYMENT_SOURCE = {
  'app-compose.json': 'app-compose.json',
  '.preflight.yml': '.preflight.yml',
  'phala-cloud-defaults': 'Phala Cloud defaults',
} as const;

/** The check or diff report as one self-contained HTML page. */
export function renderHtml(report: Report, opts: HtmlOptions): string {
  const meta = opts.meta;
  const ctx = { meta, maskedSources: opts.maskedSources, context: opts.context };
  const checked = checkedSections(report);
  const scoreOf = (s: Section) => (checked.has(s) ? report.score.sections[s] : null);
  const n = severityCounts(report.findings);

  const sections: PageSection[] = SECTIONS.map((s) => {
    const found = report.findings.filter((f) => f.section === s);
    const body = !checked.has(s)
      ? html`<p class="not-checked">Not checked: no rule that ran covers this section, so it has no score.</p>`
      : found.length
        ? findingList(found, ctx)
        : html`<p class="clean"><span aria-hidden="true">✓</span> No findings.</p>`;
    return { id: s, heading: s, badge: scoreBadge(scoreOf(s)), body };
  });
  sections.push({
    id: 'suppressed',
    heading: 'Suppressed findings',
    body: report.suppressed.length
      ? suppressedTable(report.suppressed, meta)
      : html`<p class="muted">No finding is suppressed.</p>`,
  });
  sections.push({
    id: 'targets',
    heading: 'Targets',
    body: dataTable({
      caption: `${report.targets.length} project${report.targets.length === 1 ? '' : 's'} checked`,
      headers: ['Directory', 'Compose files', 'Services', 'Deployment settings', 'Score'],
      rowHeaders: true,
      rows: report.targets.map((t) => [
        t.dir,
        html`${t.files.map((f, i) => html`${i ? html`<br>` : ''}<code>${f}</code>`)}`,
        t.services,
        t.deploymentSource
          ? (DEPLOYMENT_SOURCE[t.deploymentSource] ?? t.deploymentSource)
          : `not loaded: ${t.error?.message ?? ''}`,
        t.score !== undefined ? `${t.score}/100` : '—',
      ]),
    }),
  });

  const summary = scoreSummary({
    overall: report.score.overall,
    overallLabel: 'Overall score',
    counts: [
      { text: countText(n.error, 'error'), tone: n.error ? SEVERITY_TONE.error : 'good', icon: SEVERITY_ICON.error },
      {
        text: countText(n.warning, 'warning'),
        tone: n.warning ? SEVERITY_TONE.warning : 'good',
        icon: SEVERITY_ICON.warning,
      },
      { text: countText(n.info, 'info'), tone: 'neutral', icon: SEVERITY_ICON.info },
      { text: `${report.suppressed.length} suppressed`, tone: 'neutral', icon: '⊘' },
    ],
    caption: 'Score per checklist section',
    rows: SECTIONS.map((s) => {
      const c = severityCounts(report.findings.filter((f) => f.section === s));
      const parts = [
        c.error && countText(c.error, 'error'),
        c.warning && countText(c.warning, 'warning'),
        c.info && countText(c.info, 'info'),
      ].filter(Boolean);
      return {
        id: s,
        name: s,
        score: scoreOf(s),
        detail: !checked.has(s) ? '—' : parts.length ? parts.join(', ') : 'none',
      };
    }),
  });

  const files = report.targets.flatMap((t) => t.files);
  return renderPage({
    title: opts.title ?? 'Preflight report',
    subtitle: html`${report.tool.name} ${report.tool.version} · ${files.length ? files.join(' + ') : 'no files'}`,
    summary,
    sections,
    footer: html`Scores: 100 minus points per finding by severity (docs/scoring.md). Rule documentation links point at
      <code>docs/rules.md</code>. This file is self-contained: it loads nothing.`,
  });
}
