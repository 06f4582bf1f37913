import type {
  AnyDrillReport,
  DrillReport,
  DrillTimeline,
  DrillTiming,
  KeyPhase,
  SetCheck,
  UpgradeReport,
} from '../../findings/drill-report.js';
import type { Finding, SuppressedFinding } from '../../findings/types.js';
import { formatMs } from '../../util/format-ms.js';
import type { MetaLookup } from '../rule-meta.js';
import { type ChartInput, chartFigure } from './chart.js';
import { countText, findingList, SEVERITY_ICON, SEVERITY_TONE, severityCounts, suppressedTable } from './findings.js';
import { badge, dataTable, type PageSection, renderPage, type Tone } from './layout.js';
import { html, type SafeHtml } from './safe.js';

/**
 * A drill report (restart or upgrade) as one self-contained HTML page: the result, a timeline of
 * write outcomes per second with the faults (or steps) drawn as bands, the faults or steps, the
 * data check, the keys, and the findings as the check report shows them. Secrets never reach a
 * report, so there is nothing to mask here beyond what the findings already are.
 */
export function renderDrillHtml(drill: AnyDrillReport, opts: { meta: MetaLookup }): string {
  return drill.drill === 'restart' ? restartPage(drill.report, opts.meta) : upgradePage(drill.report, opts.meta);
}

function restartPage(r: DrillReport, meta: MetaLookup): string {
  const sections: PageSection[] = [
    { id: 'timeline', heading: 'Timeline', body: timelineChart(r.timeline, 'Faults') },
    {
      id: 'faults',
      heading: 'Faults',
      badge: statusBadge(
        r.faults.every((f) => f.ready) ? 'good' : 'bad',
        `${r.faults.filter((f) => f.ready).length} of ${r.faults.length} ready ` +
          `again${r.faults.length < r.plan.length ? `, ${r.plan.length - r.faults.length} not run` : ''}`,
      ),
      body: r.faults.length
        ? dataTable({
            caption: `Faults in the order injected (seed ${r.seed})`,
            headers: ['#', 'Fault', 'Service', 'Injected in', 'Ready again in', 'State', 'Writes ok / fail / unknown'],
            rowHeaders: true,
            rows: r.faults.map((f) => [
              f.index + 1,
              f.kind,
              f.service ?? 'all',
              formatMs(f.injectMs),
              f.ready ? formatMs(f.recoverMs) : '—',
              f.ready ? 'ready again' : html`<strong>not ready</strong> (${(f.notReady ?? []).join(', ')})`,
              `${f.writes.ok} / ${f.writes.fail} / ${f.writes.unknown}`,
            ]),
          })
        : html`<p class="muted">No fault ran.</p>`,
    },
    { id: 'data', heading: 'Data', badge: dataBadge(r.check), body: dataBody(r.check, r.finalRead, r.historyFile) },
    ...keysSection(r.keys),
    ...findingSections(r.findings, r.suppressed, meta),
    { id: 'time', heading: 'Time', body: timingBody(r.timing, r.cleanup) },
  ];
  return renderPage({
    title: 'Preflight drill restart',
    subtitle: html`${r.tool.name} ${r.tool.version} · ${r.files.join(' + ')} \
· Compose ${r.compose.kind} ${r.compose.version} · seed <code>${r.seed}</code> · run <code>${r.drillId}</code>`,
    summary: summary(r, [
      {
        text: `${r.faults.filter((f) => f.ready).length} of ${r.faults.length} faults recovered`,
        tone: r.faults.every((f) => f.ready) ? 'good' : 'bad',
        icon: '↻',
      },
      ...writeCounts(r.check),
    ]),
    sections,
    footer: html`Rebuilt from the run's journal (<code>preflight drill report ${r.drillId}</code> gives the same \
page). This file is self-contained: it loads nothing.`,
  });
}

function upgradePage(r: UpgradeReport, meta: MetaLookup): string {
  const stepTone = (s: UpgradeReport['steps'][number]['status']): Tone =>
    s === 'ok' ? 'good' : s === 'failed' ? 'bad' : 'neutral';
  const sections: PageSection[] = [
    { id: 'timeline', heading: 'Timeline', body: timelineChart(r.timeline, 'Steps') },
    {
      id: 'steps',
      heading: 'Steps',
      ...(r.stoppedAt ? { badge: statusBadge('bad', `stopped at ${r.stoppedAt.step}`) } : {}),
      body: dataTable({
        caption: 'The upgrade as the CVM does it, step by step',
        headers: ['#', 'Step', 'Status', 'Time', 'What', 'Outcome'],
        rowHeaders: true,
        rows: r.steps.map((s, i) => [
          i + 1,
          s.step,
          badge({ text: s.status, tone: stepTone(s.status) }),
          s.status === 'not reached' ? '—' : formatMs(s.ms),
          s.title,
          s.detail || '—',
        ]),
      }),
    },
    {
      id: 'diff',
      heading: 'Static diff (preflight diff OLD NEW)',
      body: r.diff.length
        ? findingList(r.diff, { meta })
        : html`<p class="clean"><span aria-hidden="true">✓</span> No findings.</p>`,
    },
    {
      id: 'volumes',
      heading: 'Volumes',
      body: r.volumes.length
        ? dataTable({
            caption: 'Fingerprint before the upgrade → after NEW ran',
            headers: [
              'Volume',
              'Before',
              'After',
              'Deleted',
              'Shrunk',
              'Rewritten',
              'Expected',
              'Grown',
              'Added',
              'Unchanged',
            ],
            rowHeaders: true,
            rows: r.volumes.map((v) => [
              html`<code>${v.key}</code> <span class="muted">${v.volume}</span>${
                v.orphaned
                  ? html` <strong>\
not mounted by NEW</strong>`
                  : ''
              }`,
              `${v.before.files} files, ${v.before.bytes} B`,
              v.after ? `${v.after.files} files, ${v.after.bytes} B` : '—',
              v.deleted.length,
              v.shrunk.length,
              v.rewritten.length,
              v.expected.length,
              v.grown,
              v.added,
              v.unchanged,
            ]),
          })
        : html`<p class="muted">No fingerprint comparison.</p>`,
    },
    {
      id: 'data',
      heading: 'Data',
      badge: dataBadge(r.rollbackCheck ?? r.check),
      body: html`${dataBody(r.check, undefined, r.historyFile, 'after the upgrade')}${
        r.rollbackCheck ? dataBody(r.rollbackCheck, undefined, undefined, 'after the rollback') : ''
      }`,
    },
    ...keysSection(r.keys),
    ...findingSections(r.findings, r.suppressed, meta),
    { id: 'time', heading: 'Time', body: timingBody(r.timing, r.cleanup) },
  ];
  return renderPage({
    title: 'Preflight drill upgrade',
    subtitle: html`${r.tool.name} ${r.tool.version} · ${r.from.files.join(' + ')} → ${r.to.files.join(' + ')} \
· Compose ${r.compose.kind} ${r.compose.version} · run <code>${r.drillId}</code>`,
    summary: summary(r, [
      {
        text: `${r.steps.filter((s) => s.status === 'ok').length} of ${r.steps.length} steps ok`,
        tone: r.steps.some((s) => s.status === 'failed') ? 'bad' : 'good',
        icon: '▸',
      },
      ...writeCounts(r.check),
    ]),
    sections,
    footer: html`Rebuilt from the run's journal (<code>preflight drill report ${r.drillId}</code> gives the same \
page). This file is self-contained: it loads nothing.`,
  });
}

const RESULT_TONE: Record<string, Tone> = {
  passed: 'good',
  failed: 'bad',
  error: 'bad',
  interrupted: 'fair',
  aborted: 'fair',
  running: 'neutral',
};

function summary(
  r: { status: string; findings: readonly Finding[]; suppressed: readonly SuppressedFinding[]; error?: string },
  extra: { text: string; tone: Tone; icon: string }[],
): SafeHtml {
  const failing = r.findings.some((f) => f.severity !== 'info');
  const word = r.status === 'passed' ? (failing ? 'failed' : 'passed') : r.status;
  const n = severityCounts(r.findings);
  const counts = [
    ...extra,
    { text: countText(n.error, 'error'), tone: n.error ? SEVERITY_TONE.error : 'good', icon: SEVERITY_ICON.error },
    {
      text: countText(n.warning, 'warning'),
      tone: n.warning ? SEVERITY_TONE.warning : 'good',
      icon: SEVERITY_ICON.warning,
    },
    { text: `${r.suppressed.length} suppressed`, tone: 'neutral' as Tone, icon: '⊘' },
  ];
  const resultBadge = badge({ text: word.toUpperCase(), tone: RESULT_TONE[word] ?? 'neutral' });
  return html`<section class="overview" aria-labelledby="overview-h">
<h2 id="overview-h" class="sr-only">Overview</h2>
<div class="overall ${RESULT_TONE[word] ?? 'neutral'}">
<div><p class="overall-label" data-result="${word}">Result: \
${resultBadge}${r.error ? html` <span class="muted">${r.error}</span>` : ''}</p>
<ul class="counts">${counts.map(
    (c) => html`<li class="${c.tone}">\
<span aria-hidden="true">${c.icon}</span> ${c.text}</li>`,
  )}</ul></div>
</div>
</section>`;
}

function statusBadge(tone: Tone, text: string) {
  return { text, tone };
}

function writeCounts(c: SetCheck | undefined): { text: string; tone: Tone; icon: string }[] {
  if (!c) return [];
  return [
    { text: `${c.acknowledged} writes acknowledged, ${c.lost.length} lost`, tone: c.valid ? 'good' : 'bad', icon: '✎' },
  ];
}

function dataBadge(c: SetCheck | undefined) {
  if (!c) return statusBadge('neutral', 'not checked');
  return c.valid ? statusBadge('good', 'no write lost') : statusBadge('bad', 'writes lost');
}

function dataBody(
  c: SetCheck | undefined,
  finalRead: { ok: boolean; error?: string } | undefined,
  historyFile: string | undefined,
  when = 'after the faults',
): SafeHtml {
  const history = historyFile ? html`<p class="muted">History: <code>${historyFile}</code></p>` : '';
  if (!c) {
    const why =
      finalRead && !finalRead.ok
        ? `The final read failed (${finalRead.error ?? 'error'}).`
        : 'No workload configured (drill.workload in .preflight.yml): data not checked.';
    return html`<p>${why}</p>${history}`;
  }
  return html`${dataTable({
    caption: `Writes and the read ${when} (Jepsen's set checker)`,
    headers: ['Attempted', 'Acknowledged', 'Failed', 'Unknown', 'Read back', 'Lost', 'Unexpected', 'Recovered'],
    rows: [
      [
        c.attempted,
        c.acknowledged,
        c.failed,
        c.unknown,
        c.read,
        c.lost.length,
        c.unexpected.length,
        c.recovered.length,
      ],
    ],
  })}${
    c.lost.length
      ? html`<p>Lost (acknowledged, not read back): \
<code>${c.lost.slice(0, 10).join(', ')}</code>${c.lost.length > 10 ? ' …' : ''}</p>`
      : ''
  }${history}`;
}

/**
 * Write outcomes per second: the value is the acknowledged writes, the mark says whether any failed or went unanswered.
 */
function timelineChart(t: DrillTimeline, what: 'Faults' | 'Steps'): SafeHtml {
  const input: ChartInput = {
    title: 'Acknowledged writes per second',
    unit: 'writes/s',
    description: `${what} are shaded from injection to recovery; marks show seconds with failed or unanswered writes`,
    kinds: {
      clean: { label: 'all acknowledged', tone: 'good' },
      unknown: { label: 'some unanswered (outcome unknown)', tone: 'fair' },
      failed: { label: 'some failed', tone: 'bad' },
    },
    points: t.writes.map((w) => ({
      t: w.t,
      value: w.ok,
      kind: w.fail ? 'failed' : w.unknown ? 'unknown' : 'clean',
    })),
    events: t.spans.map((s) => ({
      t: s.start,
      ...(s.end !== undefined ? { until: s.end } : {}),
      label:
        s.label +
        (s.injected !== undefined ? ` (injected by ${s.injected} s)` : '') +
        (s.ok === false ? ' — not ready' : ''),
    })),
  };
  return chartFigure(input, 'chart-writes');
}

function keysSection(keys: readonly KeyPhase[] | undefined): PageSection[] {
  if (!keys?.length) return [];
  const providers = [...new Set(keys.map((p) => p.provider))].join(' → ');
  return [
    {
      id: 'keys',
      heading: 'Keys from the agent',
      body: dataTable({
        caption: `Keys the app derived, per phase (key provider ${providers})`,
        headers: ['Phase', 'Provider', 'Key path', 'Purpose', 'Public key', 'Requests'],
        rows: keys.flatMap((p) =>
          p.keys.filter((k) => k.stable).length
            ? p.keys
                .filter((k) => k.stable)
                .map((k) => [
                  p.phase,
                  p.provider,
                  html`<code>${k.path}</code>`,
                  k.purpose,
                  html`<code>${short(k.publicKeyHex)}</code>`,
                  k.requests,
                ])
            : [[p.phase, p.provider, html`<span class="muted">no key requested</span>`, '', '', 0]],
        ),
      }),
    },
  ];
}

function findingSections(
  findings: readonly Finding[],
  suppressed: readonly SuppressedFinding[],
  meta: MetaLookup,
): PageSection[] {
  return [
    {
      id: 'findings',
      heading: 'Findings',
      body: findings.length
        ? findingList(findings, { meta })
        : html`<p class="clean"><span aria-hidden="true">✓</span> No findings.</p>`,
    },
    ...(suppressed.length
      ? [{ id: 'suppressed', heading: 'Suppressed findings', body: suppressedTable(suppressed, meta) }]
      : []),
  ];
}

function timingBody(
  t: DrillTiming,
  cleanup: { containers: number; volumes: number; networks: number } | undefined,
): SafeHtml {
  return dataTable({
    caption: `Where the time went${t.segments > 1 ? ` (${t.segments} processes: the run was resumed)` : ''}`,
    headers: ['Wall', 'Drill overhead', 'Compose', 'Docker', 'Removed at the end'],
    rows: [
      [
        formatMs(t.wallMs),
        formatMs(t.overheadMs),
        `${t.composeOps} ops, ${formatMs(t.composeMs)}`,
        `${t.dockerOps} ops, ${formatMs(t.dockerMs)}`,
        cleanup ? `${cleanup.containers} containers, ${cleanup.volumes} volumes, ${cleanup.networks} networks` : '—',
      ],
    ],
  });
}

function short(hex: string): string {
  return hex.length > 20 ? `${hex.slice(0, 10)}…${hex.slice(-6)}` : hex;
}
