import { ruleMeta } from '../findings/catalog.js';
import { SECTIONS, type Finding, type Report, type Severity } from '../findings/types.js';
import { PLAIN, type Style } from './style.js';
import { redactSourceLine } from '../knowledge/redact-source.js';

export interface TextOptions {
  style?: Style;
  /** Source texts by file name as findings name them, for code excerpts. */
  sources?: ReadonlyMap<string, string>;
  /** Lines of context around the finding's line in excerpts. */
  context?: number;
}

const DEPLOYMENT_SOURCE_LABEL = {
  'app-compose.json': 'from app-compose.json',
  '.preflight.yml': 'from .preflight.yml',
  'phala-cloud-defaults': 'Phala Cloud defaults (no app-compose.json or .preflight.yml deployment)',
} as const;

/** The terminal report: grouped by checklist section, each finding with an excerpt and its fix hint. */
export function renderText(report: Report, opts: TextOptions = {}): string {
  const st = opts.style ?? PLAIN;
  const out: string[] = [];
  for (const t of report.targets) {
    const own = report.targets.length > 1 && t.score !== undefined ? `; score ${t.score}/100` : '';
    out.push(
      st.bold(t.files.join(' + ')) +
        st.dim(
          `  ${t.services} service${t.services === 1 ? '' : 's'}; deployment settings: ${DEPLOYMENT_SOURCE_LABEL[t.deploymentSource]}${own}`,
        ),
    );
  }
  out.push('');
  for (const section of SECTIONS) {
    const inSection = report.findings.filter((f) => f.section === section);
    const scoreText = `${report.score.sections[section]}/100`;
    if (!inSection.length) {
      out.push(`${st.green('✓')} ${st.bold(section.padEnd(14))}${st.dim(scoreText)}`);
      continue;
    }
    out.push(`${st.red('✗')} ${st.bold(section.padEnd(14))}${st.dim(scoreText)}  ${countLine(inSection)}`);
    for (const f of inSection) out.push(...renderFinding(f, st, opts), '');
  }
  if (report.suppressed.length) {
    out.push(st.bold(`suppressed (${report.suppressed.length})`));
    for (const s of report.suppressed) {
      out.push(
        `  ${st.dim(`${s.file}:${s.line}:${s.column}`)}  ${s.ruleId}${s.service ? ` [${s.service}]` : ''}  ${st.dim(`${s.suppression.kind}: ${s.suppression.reason}`)}`,
      );
    }
    out.push('');
  }
  const all = countLine(report.findings) || 'no findings';
  out.push(
    `${st.bold('score')} ${report.score.overall}/100 · ${all}${report.suppressed.length ? ` · ${report.suppressed.length} suppressed` : ''}`,
  );
  return out.join('\n') + '\n';
}

function renderFinding(f: Finding, st: Style, opts: TextOptions): string[] {
  const sev = severityLabel(f.severity, st);
  const where = `${f.file}:${f.line}:${f.column}`;
  const lines = [
    `  ${sev} ${st.dim(where)}  ${f.service ? st.bold(f.service) + '  ' : ''}${st.dim(f.ruleId)}`,
    `    ${f.message}`,
  ];
  const text = opts.sources?.get(f.file);
  if (text) lines.push(...excerpt(text, f.line, f.column, opts.context ?? 1, st));
  const meta = ruleMeta(f.ruleId);
  if (f.fix) lines.push(`    ${st.blue('fix:')} ${f.fix.description}`);
  else if (meta) lines.push(`    ${st.blue('fix:')} ${meta.fixHint}`);
  return lines;
}

function excerpt(text: string, line: number, column: number, context: number, st: Style): string[] {
  const all = text.split('\n');
  const from = Math.max(1, line - context);
  const to = Math.min(all.length, line + context);
  const width = String(to).length;
  const out: string[] = [];
  for (let n = from; n <= to; n++) {
    const marker = n === line ? '>' : ' ';
    const body = (all[n - 1] ?? '').replace(/\r$/, '');
    // Excerpts show source lines, which may hold the very secret a finding is about.
    out.push(st.dim(`    ${marker} ${String(n).padStart(width)} | `) + clip(redactSourceLine(body)));
    if (n === line)
      out.push(st.dim(`      ${' '.repeat(width)} | `) + ' '.repeat(Math.max(0, column - 1)) + st.red('^'));
  }
  return out;
}

function clip(s: string): string {
  return s.length > 160 ? s.slice(0, 157) + '...' : s;
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
