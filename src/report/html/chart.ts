import { html, type SafeHtml, token } from './safe.js';
import type { Tone } from './layout.js';

/**
 * The one chart input every report draws (drill timelines, rollout availability and latency):
 * values over time, point kinds (write outcomes, probe results) and events (faults, drains,
 * recoveries). Drawn as inline SVG by `chartFigure`, with the same data as a table beside it, so
 * the page needs no script and a screen reader gets the numbers.
 */
export interface ChartInput {
  title: string;
  /** Unit of `value` (`ms`, `%`, `writes/s`). */
  unit: string;
  points: ChartPoint[];
  events?: ChartEvent[];
  /** Legend of point kinds; a kind not listed is drawn neutral under its own name. */
  kinds?: Record<string, { label: string; tone: Tone }>;
  /** Unit of `t` (default `s`, seconds from the start of the run). */
  timeUnit?: string;
  /** Fixed value axis (e.g. 0–100 for availability); default: from the data, including 0. */
  yMin?: number;
  yMax?: number;
  /** One line saying what the chart shows, under its title. */
  description?: string;
}

export interface ChartPoint {
  t: number;
  /** `null`: nothing measured at `t` (the line has a gap there). */
  value: number | null;
  kind?: string;
}

export interface ChartEvent {
  t: number;
  label: string;
  /** End of the event's span (a fault from injection to recovery), drawn as a shaded band. */
  until?: number;
}

const W = 720;
const H = 240;
const M = { left: 56, right: 18, top: 26, bottom: 38 };
/** Beyond this many points markers are left out (the line and the table still carry every point). */
const MAX_MARKERS = 400;

export function chartFigure(input: ChartInput, id = `chart-${token(input.title)}`): SafeHtml {
  const timeUnit = input.timeUnit ?? 's';
  const events = [...(input.events ?? [])].sort((a, b) => a.t - b.t);
  const values = input.points.map((p) => p.value).filter((v): v is number => v !== null && Number.isFinite(v));
  const times = [...input.points.map((p) => p.t), ...events.flatMap((e) => [e.t, e.until ?? e.t])].filter(
    Number.isFinite,
  );
  const [t0, t1] = extent(times, 0, 1);
  const [v0, v1] = extent(values, 0, 1);
  const x = scale(t0, t1, M.left, W - M.right);
  const y = scale(input.yMin ?? Math.min(0, v0), input.yMax ?? v1, H - M.bottom, M.top);
  const kinds = kindsOf(input);
  const summary =
    `${input.points.length} point${input.points.length === 1 ? '' : 's'}` +
    (values.length ? `, ${fmt(v0)} to ${fmt(v1)} ${input.unit}` : ', no values') +
    (events.length ? `, ${events.length} event${events.length === 1 ? '' : 's'}` : '');

  const svg = html`<svg class="chart" viewBox="0 0 ${W} ${H}" role="img" aria-labelledby="${id}-t ${id}-d" \
xmlns="http://www.w3.org/2000/svg">
<title id="${id}-t">${input.title}</title><desc id="${id}-d">${summary}</desc>
${axes(x, y, input.unit, timeUnit)}
${events.map((e, i) => eventMark(e, i + 1, x))}
${line(input.points, x, y)}
${input.points.length <= MAX_MARKERS ? input.points.map((p) => marker(p, x, y, kinds)) : ''}
</svg>`;

  return html`<figure class="chart-figure" id="${id}">
<figcaption><strong>${input.title}</strong>${input.description ? html` — ${input.description}` : ''}</figcaption>
${svg}
${legend(input, kinds)}
${
  events.length
    ? html`<ol class="events" aria-label="Events">${events.map(
        (e) => html`<li>\
<span class="num">${fmt(e.t)} ${timeUnit}</span> ${e.label}${
          e.until !== undefined
            ? html` <span class="muted">\
(until ${fmt(e.until)} ${timeUnit})</span>`
            : ''
        }</li>`,
      )}</ol>`
    : ''
}
<details class="chart-data"><summary>Data (${summary})</summary>
<table><caption class="sr-only">${input.title}: data</caption><thead><tr><th scope="col">t (${timeUnit})</th>\
<th scope="col">${input.title} (${input.unit})</th>${kinds.size ? html`<th scope="col">kind</th>` : ''}</tr></thead>
<tbody>${input.points.map(
    (p) => html`<tr><td>${fmt(p.t)}</td>\
<td>${p.value === null ? '—' : fmt(p.value)}</td>\
${kinds.size ? html`<td>${p.kind ? (kinds.get(p.kind)?.label ?? p.kind) : ''}</td>` : ''}</tr>`,
  )}</tbody></table>
</details>
</figure>`;
}

interface Scale {
  (v: number): number;
  ticks: number[];
}

/** Linear map of [d0, d1] onto [r0, r1], widened to round tick values. */
function scale(d0: number, d1: number, r0: number, r1: number): Scale {
  if (d1 <= d0) d1 = d0 + 1;
  const step = niceStep((d1 - d0) / 5);
  const lo = Math.floor(d0 / step) * step;
  const hi = Math.ceil(d1 / step) * step;
  const f = ((v: number) => r0 + ((v - lo) / (hi - lo)) * (r1 - r0)) as Scale;
  f.ticks = [];
  for (let v = lo; v <= hi + step / 2; v += step) f.ticks.push(Number(v.toPrecision(12)));
  return f;
}

function niceStep(raw: number): number {
  const p = 10 ** Math.floor(Math.log10(raw));
  const m = raw / p;
  return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * p;
}

function axes(x: Scale, y: Scale, unit: string, timeUnit: string): SafeHtml {
  const left = M.left;
  const right = W - M.right;
  const bottom = H - M.bottom;
  return html`<g class="axis" aria-hidden="true">
${y.ticks.map(
  (v) => html`<line class="grid" x1="${left}" x2="${right}" y1="${r(y(v))}" y2="${r(y(v))}"/>\
<text x="${left - 6}" y="${r(y(v)) + 4}" text-anchor="end">${fmt(v)}</text>`,
)}
${x.ticks.map(
  (v) => html`<line class="tick" x1="${r(x(v))}" x2="${r(x(v))}" y1="${bottom}" y2="${bottom + 5}"/>\
<text x="${r(x(v))}" y="${bottom + 18}" text-anchor="middle">${fmt(v)}</text>`,
)}
<line class="base" x1="${left}" x2="${right}" y1="${bottom}" y2="${bottom}"/>
<text x="${right}" y="${H - 4}" text-anchor="end">time (${timeUnit})</text>
<text x="${left - 6}" y="${M.top - 12}" text-anchor="end">${unit}</text>
</g>`;
}

function line(points: ChartPoint[], x: Scale, y: Scale): SafeHtml {
  let d = '';
  let pen = false;
  for (const p of [...points].sort((a, b) => a.t - b.t)) {
    if (p.value === null || !Number.isFinite(p.value)) {
      pen = false;
      continue;
    }
    d += `${pen ? 'L' : 'M'}${r(x(p.t))} ${r(y(p.value))}`;
    pen = true;
  }
  return d ? html`<path class="series" d="${d}"/>` : html``;
}

type Kinds = Map<string, { label: string; tone: Tone }>;

function kindsOf(input: ChartInput): Kinds {
  const out: Kinds = new Map(Object.entries(input.kinds ?? {}));
  for (const p of input.points) if (p.kind && !out.has(p.kind)) out.set(p.kind, { label: p.kind, tone: 'neutral' });
  return out;
}

/** Each tone has its own shape, so a point's kind reads without colour. */
function shape(tone: Tone, cx: number, cy: number, size = 4): SafeHtml {
  const s = size;
  switch (tone) {
    case 'good':
      return html`<circle class="mk good" cx="${r(cx)}" cy="${r(cy)}" r="${s}"/>`;
    case 'bad':
      return html`<path class="mk bad" d="M${r(cx - s)} ${r(cy - s)}L${r(cx + s)} ${r(cy + s)}\
M${r(cx + s)} ${r(cy - s)}L${r(cx - s)} ${r(cy + s)}"/>`;
    case 'fair':
      return html`<path class="mk fair" d="M${r(cx)} ${r(cy - s - 1)}\
L${r(cx + s + 1)} ${r(cy + s)}L${r(cx - s - 1)} ${r(cy + s)}Z"/>`;
    default:
      return html`<rect class="mk neutral" x="${r(cx - s + 0.5)}" y="${r(cy - s + 0.5)}" width="${2 * s - 1}" \
height="${2 * s - 1}"/>`;
  }
}

function marker(p: ChartPoint, x: Scale, y: Scale, kinds: Kinds): SafeHtml {
  if (p.value === null || !Number.isFinite(p.value)) return html``;
  const tone = p.kind ? (kinds.get(p.kind)?.tone ?? 'neutral') : 'neutral';
  if (!p.kind) return html`<circle class="dot" cx="${r(x(p.t))}" cy="${r(y(p.value))}" r="2"/>`;
  return shape(tone, x(p.t), y(p.value));
}

function eventMark(e: ChartEvent, n: number, x: Scale): SafeHtml {
  const x0 = r(x(e.t));
  const band =
    e.until !== undefined && e.until > e.t
      ? html`<rect class="span" x="${x0}" y="${M.top}" width="${r(x(e.until)) - x0}" height="${H - M.bottom - M.top}"/>`
      : '';
  return html`<g class="event">${band}<line x1="${x0}" x2="${x0}" y1="${M.top - 4}" y2="${H - M.bottom}"/>\
<circle cx="${x0}" cy="${M.top - 12}" r="8"/><text x="${x0}" y="${M.top - 8}" text-anchor="middle">${n}</text>\
<title>${e.label}</title></g>`;
}

function legend(input: ChartInput, kinds: Kinds): SafeHtml | string {
  if (!kinds.size) return '';
  const count = new Map<string, number>();
  for (const p of input.points) if (p.kind) count.set(p.kind, (count.get(p.kind) ?? 0) + 1);
  return html`<ul class="legend" aria-label="Point kinds">${[...kinds].map(
    ([k, v]) =>
      html`<li><svg viewBox="0 0 12 12" width="12" height="12" \
aria-hidden="true">${shape(v.tone, 6, 6, 4)}</svg> ${v.label} <span class="muted">(${count.get(k) ?? 0})</span></li>`,
  )}</ul>`;
}

/** [min, max] without spreading (a long rollout has more points than a call takes arguments). */
function extent(vs: readonly number[], lo: number, hi: number): [number, number] {
  if (!vs.length) return [lo, hi];
  let min = vs[0]!;
  let max = vs[0]!;
  for (const v of vs) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return [min, max];
}

const r = (v: number) => Math.round(v * 10) / 10;

function fmt(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  return String(a >= 100 ? Math.round(v) : a >= 10 ? Math.round(v * 10) / 10 : Math.round(v * 100) / 100);
}
