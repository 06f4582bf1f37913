import type { Location } from '../yaml/located.js';
import type { Finding, Fix, Section, Severity } from './types.js';

/** A finding at a location: the one place a Finding object is assembled (check, diff, drills). */
export function findingAt(
  rule: { id: string; section: Section; severity: Severity },
  loc: Pick<Location, 'file' | 'line' | 'column'> & Partial<Pick<Location, 'endLine' | 'endColumn'>>,
  message: string,
  extra: { service?: string; fix?: Fix } = {},
): Finding {
  const f: Finding = {
    ruleId: rule.id,
    severity: rule.severity,
    section: rule.section,
    message,
    file: loc.file,
    line: loc.line,
    column: loc.column,
  };
  if (loc.endLine !== undefined) f.endLine = loc.endLine;
  if (loc.endColumn !== undefined) f.endColumn = loc.endColumn;
  if (extra.service !== undefined) f.service = extra.service;
  if (extra.fix) f.fix = extra.fix;
  return f;
}

/** Drop findings that say the same thing at the same place (a rule reached one value twice). */
export function dedupeFindings(findings: Finding[]): Finding[] {
  const seen = new Set<string>();
  return findings.filter((f) => {
    const k = `${f.ruleId}|${f.file}|${f.line}|${f.column}|${f.service ?? ''}|${f.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
