import type { Finding } from '../../src/findings/types.js';
import {
  badge,
  type ChartInput,
  chartFigure,
  dataTable,
  findingList,
  html,
  renderPage,
} from '../../src/report/html/index.js';
import { meta } from '../support/catalogue.js';

/** A value that is in examples/shop/docker-compose.yml in clear (SESSION_SECRET) and must never reach a report. */
export const SHOP_SECRET = '9f8e7d6c5b4a39281706f5e4d3c2b1a0ffeeddcc';

/**
 * A drill-like and a rollout-like page built only from the generic page builder, the way the drill
 * and rollout reports will: a write-latency timeline with faults, and per-second availability and
 * latency with the upgrade steps as events.
 */
export const WRITES: ChartInput = {
  title: 'Writes during the drill',
  unit: 'ms',
  description: 'latency of each write; crosses are writes that failed',
  kinds: {
    ok: { label: 'acknowledged', tone: 'good' },
    fail: { label: 'failed', tone: 'bad' },
    unknown: { label: 'unknown', tone: 'fair' },
  },
  points: Array.from({ length: 60 }, (_, i) => {
    const t = i * 0.5;
    const down = t >= 8 && t < 11.5;
    return { t, value: down ? 0 : 4 + ((i * 7) % 5), kind: down ? (i % 3 ? 'fail' : 'unknown') : 'ok' };
  }),
  events: [
    { t: 8, label: 'kill db (SIGKILL to PID 1)', until: 11.5 },
    { t: 20, label: 'restart the CVM <all services>' },
  ],
};

export const AVAILABILITY: ChartInput = {
  title: 'Availability per second',
  unit: '%',
  yMin: 0,
  yMax: 100,
  points: Array.from({ length: 40 }, (_, t) => ({ t, value: t >= 12 && t < 15 ? 50 : 100 })),
  events: [
    { t: 10, label: 'drain instance 1', until: 16 },
    { t: 25, label: 'drain instance 2', until: 31 },
  ],
};

export const LATENCY: ChartInput = {
  title: 'p95 latency per second',
  unit: 'ms',
  points: Array.from({ length: 40 }, (_, t) => ({ t, value: t === 13 ? null : 20 + ((t * 13) % 17) })),
  events: AVAILABILITY.events,
};

export const CHARTS = [WRITES, AVAILABILITY, LATENCY];

export function drillLikePage(findings: Finding[]): string {
  return renderPage({
    title: 'Preflight drill restart',
    subtitle: 'preflight 0.1.0 · drill d-1 · examples/shop',
    summary: html`<section class="overview"><p>Status: ${badge({ text: 'failed', tone: 'bad' })}</p></section>`,
    sections: [
      { id: 'timeline', heading: 'Timeline', body: chartFigure(WRITES) },
      { id: 'rollout', heading: 'Rollout', body: [chartFigure(AVAILABILITY), chartFigure(LATENCY)] },
      {
        id: 'faults',
        heading: 'Faults',
        body: dataTable({
          caption: 'Faults injected',
          headers: ['#', 'fault', 'recovered in'],
          rowHeaders: true,
          rows: [[1, 'kill db', '3.5 s']],
        }),
      },
      { id: 'checks', heading: 'Checks', body: findingList(findings, { meta }) },
    ],
  });
}
