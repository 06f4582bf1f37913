/**
 * The HTML page builder every report uses: check and diff (`renderHtml`), and the drill and rollout
 * reports, which lay out their own `PageSpec` from the same sections, score table, finding cards
 * and `chartFigure` (inline SVG of a `ChartInput`).
 */
export { type ChartEvent, type ChartInput, type ChartPoint, chartFigure } from './chart.js';
export { type FindingContext, findingCard, findingList, prose, suppressedTable } from './findings.js';
export {
  type Badge,
  badge,
  dataTable,
  type PageSection,
  type PageSpec,
  renderPage,
  type ScoreRow,
  scoreBadge,
  scoreSummary,
  type Tone,
} from './layout.js';
export { type HtmlOptions, renderHtml } from './report.js';
export { escapeHtml, type HtmlValue, html, SafeHtml } from './safe.js';
