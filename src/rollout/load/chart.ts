import type { TimelineSecond } from './types.js';

/**
 * The per-second timeline as a few lines of text for the rollout's text report: one line of
 * block characters for availability, one for p99 latency, a time axis and a legend. Runs longer
 * than `width` seconds are folded, several seconds a column, each column showing its worst second
 * (lowest availability, highest p99), so a short outage is never averaged away.
 */
export interface TimelineChartOptions {
  /** Most columns to draw. Default 60. */
  width?: number;
  /** ASCII characters instead of Unicode blocks (for logs that mangle UTF-8). */
  ascii?: boolean;
}

const BLOCKS = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
const ASCII = ['_', '.', ':', '-', '=', '+', '*', '#'];
// Availability levels, lowest to highest: the scale is steep near 100 %, where rollouts live.
const AVAILABILITY_STEPS: [number, string][] = [
  [1, '100%'],
  [0.999, '≥99.9%'],
  [0.99, '≥99%'],
  [0.95, '≥95%'],
  [0.9, '≥90%'],
  [0.5, '≥50%'],
  [Number.MIN_VALUE, '>0%'],
  [0, '0%'],
];

function availabilityLevel(a: number): number {
  for (let i = 0; i < AVAILABILITY_STEPS.length; i++) if (a >= AVAILABILITY_STEPS[i]![0]) return 7 - i;
  return 0;
}

export function formatMs(ms: number): string {
  if (ms >= 1000) return `${(ms / 1000).toFixed(2)} s`;
  if (ms >= 100) return `${Math.round(ms)} ms`;
  if (ms >= 10) return `${ms.toFixed(1)} ms`;
  return `${ms.toFixed(2)} ms`;
}

function formatPct(a: number): string {
  if (a === 1) return '100%';
  if (a === 0) return '0%';
  // Rounded down: 99.96 % is not "100.0%".
  return `${(Math.floor(a * 1000) / 10).toFixed(1)}%`;
}

export function renderTimeline(timeline: readonly TimelineSecond[], opts: TimelineChartOptions = {}): string {
  if (timeline.length === 0) return '(no requests)';
  const chars = opts.ascii ? ASCII : BLOCKS;
  const idle = opts.ascii ? ' ' : '·';
  const width = Math.max(1, Math.floor(opts.width ?? 60));
  const per = Math.ceil(timeline.length / width);
  const columns: { availability: number | null; p99: number | null }[] = [];
  for (let start = 0; start < timeline.length; start += per) {
    let availability: number | null = null;
    let p99: number | null = null;
    for (const s of timeline.slice(start, start + per)) {
      if (s.availability !== null) availability = Math.min(availability ?? 1, s.availability);
      if (s.p99Ms !== null) p99 = Math.max(p99 ?? 0, s.p99Ms);
    }
    columns.push({ availability, p99 });
  }

  const worst = timeline.reduce<TimelineSecond | undefined>(
    (w, s) => (s.availability !== null && (w === undefined || s.availability < w.availability!) ? s : w),
    undefined,
  );
  const slowest = timeline.reduce<TimelineSecond | undefined>(
    (w, s) => (s.p99Ms !== null && (w === undefined || s.p99Ms > w.p99Ms!) ? s : w),
    undefined,
  );
  const maxP99 = slowest?.p99Ms ?? 0;

  const availabilityLine = columns
    .map((c) => (c.availability === null ? idle : chars[availabilityLevel(c.availability)]))
    .join('');
  const p99Line = columns
    .map((c) => {
      if (c.p99 === null) return idle;
      const level = maxP99 > 0 ? Math.max(1, Math.ceil((c.p99 / maxP99) * 8)) : 1;
      return chars[level - 1];
    })
    .join('');

  const label = (s: string) => s.padEnd(13);
  const lines = [
    `${label('availability')}${availabilityLine} ` +
      ` ${worst ? `min ${formatPct(worst.availability!)} at ${worst.second}s` : 'no requests'}`,
    `${label('p99 latency')}${p99Line} ` +
      ` ${slowest ? `max ${formatMs(maxP99)} at ${slowest.second}s` : 'no successful request'}`,
  ];
  const endLabel = `${timeline.length}s`;
  const gap = columns.length - 2 - endLabel.length;
  lines.push(`${label('')}${gap >= 1 ? `0s${' '.repeat(gap)}${endLabel}` : `0s…${endLabel}`}  (${per} s per column)`);
  const steps = AVAILABILITY_STEPS.map(([, text], i) => `${chars[7 - i]} ${text}`).join(' ');
  lines.push(
    `${label('')}availability: ${steps}; p99: ${chars[0]}…${chars[7]} up ` +
      `to ${formatMs(maxP99)}; ${idle === ' ' ? 'blank' : idle} = no data`,
  );
  const text = lines.join('\n');
  return opts.ascii ? text.replaceAll('≥', '>=').replaceAll('…', '..') : text;
}
