import { SECTIONS, type Finding, type Report, type Section, type Severity } from '../findings/types.js';
import { excerptLines, type MaskedSources } from './excerpt.js';
import { checkedSections } from './checked.js';
import { fixText, type MetaLookup } from './rule-meta.js';
import { PLAIN, type Style } from './style.js';

export interface TextOptions {
  style?: Style;
  /** Masked source texts by file name as findings name them, for code excerpts. */
  maskedSources?: MaskedSources;
  /** Lines of context around the finding's line in excerpts. */
  context?: number;
  /** Rule metadata (fix hints). */
  meta: MetaLookup;
}

const DEPLOYMENT_SOURCE_LABEL = {
  'app-compose.json': 'from app-compose.json',
  '.preflight.yml': 'from .preflight.yml',
  'phala-cloud-defaults': 'Phala Cloud defaults (no app-compose.json or .preflight.yml deployment)',
} as const;

/**
 * The terminal report: grouped by checklist section, each finding with an excerpt and its fix hint.
 * With several projects (`-r`), grouped by project first (each with its own sections, or its load
 * error), then one line per section for the whole run.
 */
export function renderFindingsText(report: Report, opts: TextOptions): string {
  const st = opts.style ?? PLAIN;
  const out: string[] = [];
  const checked = checkedSections(report);
  if (report.targets.length > 1) {
    report.targets.forEach((t, i) => {
      out.push(targetHeader(t, true, st));
      if (t.error) {
        out.push(`  ${severityLabel('error', st)} ${t.error.message}`, '');
        return;
      }
      const own = report.findings.filter((f) => f.target === i);
      if (!own.length) out.push(`  ${st.green('✓')} no findings`);
      for (const section of SECTIONS) {
        const inSection = own.filter((f) => f.section === section);
        if (!inSection.length) continue;
        out.push(`  ${st.red('✗')} ${st.bold(section.padEnd(14))}${countLine(inSection)}`);
        for (const f of inSection) out.push(...renderFinding(f, st, opts), '');
      }
      out.push('');
    });
    const elsewhere = report.findings.filter((f) => f.target === undefined || !report.targets[f.target]);
    for (const f of elsewhere) out.push(...renderFinding(f, st, opts), '');
    for (const section of SECTIONS) out.push(sectionLine(report, section, checked, st));
    out.push('');
  } else {
    for (const t of report.targets) {
      out.push(targetHeader(t, false, st));
      if (t.error) out.push(`  ${severityLabel('error', st)} ${t.error.message}`);
    }
    out.push('');
    for (const section of SECTIONS) {
      const inSection = report.findings.filter((f) => f.section === section);
      out.push(sectionLine(report, section, checked, st));
      if (checked.has(section)) for (const f of inSection) out.push(...renderFinding(f, st, opts), '');
    }
  }
  if (report.suppressed.length) {
    out.push(st.bold(`suppressed (${report.suppressed.length})`));
    for (const s of report.suppressed) {
      out.push(
        `  ${st.dim(`${s.file}:${s.line}:${s.column}`)}  ${s.ruleId}${s.service ? ` [${s.service}]` : ''} ` +
          ` ${st.dim(`${s.suppression.kind}: ${s.suppression.reason}`)}`,
      );
    }
    out.push('');
  }
  const all = countLine(report.findings) || 'no findings';
  const failed = report.targets.filter((t) => t.error).length;
  out.push(
    `${st.bold('score')} ${report.score.overall}/100 · ${all}` +
      (report.suppressed.length ? ` · ${report.suppressed.length} suppressed` : '') +
      (failed ? ` · ${failed} project${failed === 1 ? '' : 's'} not loaded` : ''),
  );
  return out.join('\n') + '\n';
}

/** `compose.yaml  3 services; deployment settings: …` (and the override, the compose hash, the project's score). */
function targetHeader(t: Report['targets'][number], several: boolean, st: Style): string {
  if (t.error) return st.bold(t.files.join(' + ') || t.dir) + st.dim('  not loaded');
  const notes = [
    `${t.services} service${t.services === 1 ? '' : 's'}`,
    `deployment settings: ${t.deploymentSource ? DEPLOYMENT_SOURCE_LABEL[t.deploymentSource] : 'unknown'}`,
  ];
  if (t.override?.merged) notes.push(`${t.override.file} merged: deploy the merged file (docker compose config)`);
  if (t.composeHash) notes.push(`compose hash ${t.composeHash.slice(0, 16)}…`);
  if (several && t.score !== undefined) notes.push(`score ${t.score}/100`);
  return st.bold(t.files.join(' + ')) + st.dim(`  ${notes.join('; ')}`);
}

function sectionLine(report: Report, section: Section, checked: ReadonlySet<Section>, st: Style): string {
  const inSection = report.findings.filter((f) => f.section === section);
  const scoreText = `${report.score.sections[section]}/100`;
  if (!checked.has(section)) return `${st.dim('-')} ${st.bold(section.padEnd(14))}${st.dim('not checked')}`;
  if (!inSection.length) return `${st.green('✓')} ${st.bold(section.padEnd(14))}${st.dim(scoreText)}`;
  return `${st.red('✗')} ${st.bold(section.padEnd(14))}${st.dim(scoreText)}  ${countLine(inSection)}`;
}

function renderFinding(f: Finding, st: Style, opts: TextOptions): string[] {
  const sev = severityLabel(f.severity, st);
  const where = `${f.file}:${f.line}:${f.column}`;
  const lines = [
    `  ${sev} ${st.dim(where)}  ${f.service ? st.bold(f.service) + '  ' : ''}${st.dim(f.ruleId)}`,
    `    ${f.message}`,
  ];
  const text = opts.maskedSources?.get(f.file);
  if (text) lines.push(...excerpt(text, f.line, f.column, opts.context ?? 1, st));
  lines.push(...alsoAt(f, st));
  const fix = fixText(f, opts.meta);
  if (fix) lines.push(`    ${st.blue('fix:')} ${fix}`);
  return lines;
}

/** How many related locations the text report lists before it says how many more there are. */
const RELATED_SHOWN = 10;

/** One line per related location: where each other service that shares the problem takes it from. */
function alsoAt(f: Finding, st: Style): string[] {
  const related = f.related ?? [];
  const shown = related
    .slice(0, RELATED_SHOWN)
    .map(
      (r) =>
        `    ${st.dim('also at')} ${st.dim(`${r.file}:${r.line}:${r.column}`)}${r.service ? `  ${r.service}` : ''}`,
    );
  if (related.length > RELATED_SHOWN) shown.push(`    ${st.dim(`and ${related.length - RELATED_SHOWN} more places`)}`);
  return shown;
}

function excerpt(text: string, line: number, column: number, context: number, st: Style): string[] {
  const shown = excerptLines(text, line, context);
  const width = String(shown.at(-1)?.n ?? line).length;
  const out: string[] = [];
  for (const l of shown) {
    out.push(st.dim(`    ${l.hit ? '>' : ' '} ${String(l.n).padStart(width)} | `) + l.text);
    if (l.hit) out.push(st.dim(`      ${' '.repeat(width)} | `) + ' '.repeat(Math.max(0, column - 1)) + st.red('^'));
  }
  return out;
}

function severityLabel(s: Severity, st: Style): string {
  if (s === 'error') return st.red('error  ');
  if (s === 'warning') return st.yellow('warning');
  return st.blue('info   ');
}

export function countLine(findings: readonly Finding[]): string {
  const n = { error: 0, warning: 0, info: 0 };
  for (const f of findings) n[f.severity]++;
  const parts: string[] = [];
  if (n.error) parts.push(`${n.error} error${n.error === 1 ? '' : 's'}`);
  if (n.warning) parts.push(`${n.warning} warning${n.warning === 1 ? '' : 's'}`);
  if (n.info) parts.push(`${n.info} info`);
  return parts.join(', ');
}
