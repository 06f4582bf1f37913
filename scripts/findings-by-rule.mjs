#!/usr/bin/env node
// Findings per rule in `preflight check --format json` reports, for measuring what a rule change does.
//
//   node scripts/findings-by-rule.mjs REPORT.json            per-rule counts (errors, warnings, info)
//   node scripts/findings-by-rule.mjs BEFORE.json AFTER.json  both counts side by side, and the change
//
// Options: --markdown prints a Markdown table; --suppressed counts suppressed findings too.
// A report file may hold one JSON report or, with -r, one report covering many targets.
import { readFileSync } from 'node:fs';

const args = process.argv.slice(2);
const markdown = args.includes('--markdown');
const withSuppressed = args.includes('--suppressed');
const files = args.filter((a) => !a.startsWith('--'));
if (files.length < 1 || files.length > 2) {
  process.stderr.write('usage: findings-by-rule.mjs [--markdown] [--suppressed] REPORT.json [AFTER.json]\n');
  process.exit(2);
}

/** rule id → {total, error, warning, info} */
function countByRule(file) {
  let report;
  try {
    report = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    process.stderr.write(`${file}: ${err.code === 'ENOENT' ? 'no such file' : `not a JSON report (${err.message})`}\n`);
    process.exit(2);
  }
  if (!Array.isArray(report.findings)) {
    process.stderr.write(`${file}: no "findings" list; is this a preflight JSON report?\n`);
    process.exit(2);
  }
  const list = withSuppressed ? [...report.findings, ...(report.suppressed ?? [])] : report.findings;
  const counts = new Map();
  for (const f of list) {
    const c = counts.get(f.ruleId) ?? { total: 0, error: 0, warning: 0, info: 0 };
    c.total++;
    c[f.severity] = (c[f.severity] ?? 0) + 1;
    counts.set(f.ruleId, c);
  }
  return counts;
}

const bySeverity = (c) => (c ? `${c.error}/${c.warning}/${c.info}` : '-');

function print(rows, headers) {
  if (markdown) {
    const lines = [`| ${headers.join(' | ')} |`, `| ${headers.map((_, i) => (i ? '---:' : '---')).join(' | ')} |`];
    for (const r of rows) lines.push(`| ${r.join(' | ')} |`);
    process.stdout.write(lines.join('\n') + '\n');
    return;
  }
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (r) => r.map((c, i) => (i ? String(c).padStart(widths[i]) : String(c).padEnd(widths[i]))).join('  ');
  process.stdout.write([line(headers), ...rows.map(line)].join('\n') + '\n');
}

const [first, second] = files.map(countByRule);
if (!second) {
  const ids = [...first.keys()].sort((a, b) => first.get(b).total - first.get(a).total || a.localeCompare(b));
  const rows = ids.map((id) => [id, first.get(id).total, bySeverity(first.get(id))]);
  const total = [...first.values()].reduce((n, c) => n + c.total, 0);
  rows.push(['total', total, '']);
  print(rows, ['rule', 'findings', 'err/warn/info']);
} else {
  const ids = [...new Set([...first.keys(), ...second.keys()])].sort((a, b) => a.localeCompare(b));
  const rows = ids.map((id) => {
    const a = first.get(id)?.total ?? 0;
    const b = second.get(id)?.total ?? 0;
    const d = b - a;
    return [id, a, b, d === 0 ? '0' : d > 0 ? `+${d}` : String(d), bySeverity(second.get(id))];
  });
  const sum = (m) => [...m.values()].reduce((n, c) => n + c.total, 0);
  const d = sum(second) - sum(first);
  rows.push(['total', sum(first), sum(second), d === 0 ? '0' : d > 0 ? `+${d}` : String(d), '']);
  print(rows, ['rule', 'before', 'after', 'change', 'after err/warn/info']);
}
