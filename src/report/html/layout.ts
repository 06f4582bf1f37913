import { STYLESHEET } from './css.js';
import { type HtmlValue, html, type SafeHtml, token, trusted } from './safe.js';
import { HTML_GENERATOR_META } from '../../util/output-marker.js';

/**
 * The page every HTML report is laid out in (check, diff, and the drill and rollout reports): a
 * header, an overview, a contents list, then one `<section>` per part, each with an `<h2>`. Drill
 * and rollout reports build their own `PageSpec` from these components and `chartFigure`.
 */
export type Tone = 'good' | 'fair' | 'bad' | 'neutral';

export interface PageSpec {
  /** The document title and the `<h1>`. */
  title: string;
  /** A line under the title (tool and version, what was checked). */
  subtitle?: HtmlValue;
  /** The overview under the header (score, counts): see `scoreSummary`. */
  summary?: SafeHtml;
  sections: PageSection[];
  /** The page's footer line. */
  footer?: HtmlValue;
}

export interface PageSection {
  /** Fragment id (any text: made into `[a-z0-9-]`). */
  id: string;
  heading: string;
  /** Beside the heading: a score, a status. */
  badge?: Badge;
  body: HtmlValue;
}

export interface Badge {
  text: string;
  tone: Tone;
  /** Read out instead of `text` where the text alone is terse (`18/100` → `score 18 of 100, poor`). */
  label?: string;
}

/** One self-contained HTML document: inline CSS, no script, no external resource of any kind. */
export function renderPage(spec: PageSpec): string {
  const doc = html`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="referrer" content="no-referrer">
${trusted(HTML_GENERATOR_META)}
<title>${spec.title}</title>
<style>${trusted(STYLESHEET)}</style>
</head>
<body>
<a class="skip" href="#main">Skip to the report</a>
<header class="page-header">
<h1>${spec.title}</h1>
${spec.subtitle !== undefined ? html`<p class="subtitle">${spec.subtitle}</p>` : ''}
</header>
<main id="main">
${spec.summary ?? ''}
${spec.sections.length > 1 ? contents(spec.sections) : ''}
${spec.sections.map(section)}
</main>
${spec.footer !== undefined ? html`<footer class="page-footer">${spec.footer}</footer>` : ''}
</body>
</html>
`;
  return doc.value;
}

function contents(sections: PageSection[]): SafeHtml {
  return html`<nav class="contents" aria-label="Contents"><h2 class="sr-only">Contents</h2><ol>${sections.map(
    (s) => html`<li><a href="#${sectionId(s.id)}">${s.heading}</a></li>`,
  )}</ol></nav>`;
}

export function sectionId(id: string): string {
  return `s-${token(id)}`;
}

function section(s: PageSection): SafeHtml {
  const id = sectionId(s.id);
  return html`<section class="part" id="${id}" aria-labelledby="${id}-h">
<h2 id="${id}-h">${s.heading}${s.badge ? html` ${badge(s.badge)}` : ''}</h2>
${s.body}
</section>`;
}

const TONE_WORD: Record<Tone, string> = { good: 'good', fair: 'fair', bad: 'poor', neutral: '' };

export function badge(b: Badge): SafeHtml {
  return html`<span class="badge ${b.tone}"${
    b.label
      ? html` aria-label="${b.label}" \
title="${b.label}"`
      : ''
  }>${b.text}</span>`;
}

/** The tone of a 0–100 score: good from 90, fair from 60, poor below. */
export function scoreTone(score: number): Tone {
  return score >= 90 ? 'good' : score >= 60 ? 'fair' : 'bad';
}

export function scoreBadge(score: number | null): Badge {
  if (score === null)
    return { text: 'not checked', tone: 'neutral', label: 'not checked: no rule covers this section' };
  const tone = scoreTone(score);
  return { text: `${score}/100`, tone, label: `score ${score} of 100, ${TONE_WORD[tone]}` };
}

export interface ScoreRow {
  /** Section id the row links to (`PageSection.id`). */
  id: string;
  name: string;
  /** `null`: not checked. */
  score: number | null;
  /** What the section holds (finding counts, a status). */
  detail: HtmlValue;
}

/** The overview: an overall figure, counts, and a table of scores per part with bars. */
export function scoreSummary(opts: {
  overall: number | null;
  overallLabel: string;
  counts: { text: string; tone: Tone; icon: string }[];
  rows: ScoreRow[];
  caption: string;
}): SafeHtml {
  const tone = opts.overall === null ? 'neutral' : scoreTone(opts.overall);
  return html`<section class="overview" aria-labelledby="overview-h">
<h2 id="overview-h" class="sr-only">Overview</h2>
<div class="overall ${tone}">
${scoreRing(opts.overall)}
<div><p class="overall-label">${opts.overallLabel}${
    opts.overall !== null
      ? html` <span class="muted">\
· ${TONE_WORD[tone]}</span>`
      : ''
  }</p>
<ul class="counts">${opts.counts.map(
    (c) => html`<li class="${c.tone}">\
<span aria-hidden="true">${c.icon}</span> ${c.text}</li>`,
  )}</ul></div>
</div>
<table class="scores">
<caption>${opts.caption}</caption>
<thead><tr><th scope="col">Section</th><th scope="col">Score</th><th scope="col" class="bar-col"><span class="sr-only">\
Score bar</span></th><th scope="col">Findings</th></tr></thead>
<tbody>${opts.rows.map(scoreRow)}</tbody>
</table>
</section>`;
}

function scoreRow(row: ScoreRow): SafeHtml {
  const b = scoreBadge(row.score);
  const bar =
    row.score === null
      ? html`<span class="bar none" aria-hidden="true"></span>`
      : html`<span class="bar" aria-hidden="true"><span class="fill ${b.tone}" \
style="width:${Math.max(0, Math.min(100, row.score))}%"></span></span>`;
  return html`<tr data-section="${row.id}" data-score="${row.score === null ? 'not-checked' : row.score}">
<th scope="row"><a href="#${sectionId(row.id)}">${row.name}</a></th>
<td>${badge(b)}</td><td class="bar-col">${bar}</td><td>${row.detail}</td></tr>`;
}

/** A ring showing a 0–100 figure, drawn in SVG; the figure is also the ring's text. */
export function scoreRing(score: number | null): SafeHtml {
  const c = 2 * Math.PI * 42;
  const filled = score === null ? 0 : (Math.max(0, Math.min(100, score)) / 100) * c;
  return html`<svg class="ring" viewBox="0 0 100 100" width="112" height="112" role="img" \
aria-label="${score === null ? 'overall: not checked' : `overall score ${score} of 100`}">
<circle class="track" cx="50" cy="50" r="42"/>
${
  filled > 0
    ? html`<circle class="value" cx="50" cy="50" r="42" \
stroke-dasharray="${filled.toFixed(1)} ${c.toFixed(1)}" transform="rotate(-90 50 50)"/>`
    : ''
}
<text x="50" y="52" text-anchor="middle" class="figure">${score === null ? '–' : score}</text>
<text x="50" y="68" text-anchor="middle" class="of">/ 100</text>
</svg>`;
}

/** A table with a caption and column headers; `rows` are cells (first cell is the row header when `rowHeaders`). */
export function dataTable(opts: {
  caption: string;
  headers: string[];
  rows: HtmlValue[][];
  rowHeaders?: boolean;
  className?: string;
}): SafeHtml {
  return html`<table class="${opts.className ?? 'data'}"><caption>${opts.caption}</caption>
<thead><tr>${opts.headers.map((h) => html`<th scope="col">${h}</th>`)}</tr></thead>
<tbody>${opts.rows.map(
    (cells) =>
      html`<tr>${cells.map((c, i) =>
        i === 0 && opts.rowHeaders
          ? html`<th \
scope="row">${c}</th>`
          : html`<td>${c}</td>`,
      )}</tr>`,
  )}</tbody></table>`;
}
