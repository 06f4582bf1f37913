/**
 * The HTML report of a rollout: status and counts, the per-instance table, the load through the
 * balancer drawn as two charts (availability and p99 latency per second, with each instance's
 * drain → enable span as an event band), and the findings. Same page builder as every report.
 */
import { gatesColumn, type RolloutReport } from '../../findings/rollout.js';
import type { MetaLookup } from '../rule-meta.js';
import { type ChartEvent, chartFigure } from './chart.js';
import { findingList } from './findings.js';
import { badge, dataTable, type PageSection, renderPage, type Tone } from './layout.js';
import { html } from './safe.js';

const STATUS_TONE: Record<string, Tone> = {
  passed: 'good',
  running: 'neutral',
  failed: 'bad',
  error: 'bad',
  aborted: 'fair',
  interrupted: 'fair',
};

export function renderRolloutHtml(r: RolloutReport, opts: { meta: MetaLookup }): string {
  const short = (v: string) => v.slice(0, 12);
  const events: ChartEvent[] = r.instances.flatMap((i) => {
    const start = i.phases.find((p) => p.phase === 'draining' || p.phase === 'upgrade-requesting');
    const end = [...i.phases].reverse().find((p) => ['enabled', 'done', 'rolled-back', 'failed'].includes(p.phase));
    return start
      ? [{ t: start.t, until: end?.t ?? start.t, label: `${i.name}: ${start.phase} → ${end?.phase ?? 'in flight'}` }]
      : [];
  });
  const sections: PageSection[] = [
    {
      id: 'instances',
      heading: 'Instances',
      body: dataTable({
        caption:
          `Every instance, the version it ran, the version it runs, upgrade requests sent and the gates' ` +
          `verdicts (most out of rotation at once: ${r.maxOutOfRotation} of ${r.strategy.maxUnavailable} allowed)`,
        headers: ['instance', 'result', 'before', 'now', 'requests', 'gates'],
        rowHeaders: true,
        rows: r.instances.map((i) => [
          i.name,
          i.phase,
          short(i.versionBefore),
          short(i.version),
          String(i.upgradeRequests),
          gatesColumn(i),
        ]),
      }),
    },
  ];
  if (r.load) {
    const l = r.load;
    sections.push({
      id: 'load',
      heading: 'Load through the balancer',
      badge: { text: `${l.failed} failed`, tone: l.failed ? 'bad' : 'good' },
      body: html`<p>${l.rate} requests/s for the whole rollout: ${l.scheduled} requests, ${l.failed} \
failed, availability ${(l.availability * 100).toFixed(3)}%, p50 ${fmt(l.latencyMs.p50)}, p99 ${fmt(l.latencyMs.p99)}.\
</p>
${chartFigure(
  {
    title: 'Availability per second',
    unit: '%',
    yMin: 0,
    yMax: 100,
    description: 'share of the requests due in each second that succeeded; bands: each instance out of rotation',
    points: l.timeline.map((s) => ({
      t: s.second,
      value: s.availability === null ? null : s.availability * 100,
      kind: s.failed ? 'failed' : 'ok',
    })),
    kinds: { ok: { label: 'no failed request', tone: 'good' }, failed: { label: 'failed requests', tone: 'bad' } },
    events,
  },
  'chart-availability',
)}
${chartFigure(
  {
    title: 'p99 latency per second',
    unit: 'ms',
    description: 'of the successful requests due in each second',
    points: l.timeline.map((s) => ({ t: s.second, value: s.p99Ms })),
    events,
  },
  'chart-latency',
)}`,
    });
  }
  sections.push({
    id: 'findings',
    heading: 'Findings',
    badge: {
      text: String(r.findings.length),
      tone: r.findings.some((f) => f.severity === 'error') ? 'bad' : r.findings.length ? 'fair' : 'good',
    },
    body: r.findings.length ? findingList(r.findings, { meta: opts.meta }) : html`<p>No findings.</p>`,
  });
  const statusBadge = badge({ text: r.status, tone: STATUS_TONE[r.status] ?? 'neutral' });
  return renderPage({
    title: `Rollout ${r.runId}`,
    subtitle: html`${r.tool.name} ${r.tool.version} · ${r.backend} · plan ${r.planId} \
· target ${short(r.targetVersion)} · ${statusBadge}${r.paused ? html` · paused: ${r.paused}` : ''}`,
    sections,
    footer:
      `max_unavailable ${r.strategy.maxUnavailable}, min_healthy_time ${r.strategy.minHealthyTimeMs / 1000} s, ` +
      `healthy_deadline ${r.strategy.healthyDeadlineMs / 1000} s, on_failure ${r.strategy.onFailure}; ` +
      `started ${r.startedAt}, ${(r.durationMs / 1000).toFixed(1)} s`,
  });
}

function fmt(v: number | null): string {
  return v === null ? '–' : `${v.toFixed(1)} ms`;
}
