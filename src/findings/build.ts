import type { Location } from '../yaml/located.js';
import type { Finding, Fix, RelatedLocation, Section, Severity } from './types.js';

/** A finding at a location: the one place a Finding object is assembled (check, diff, drills). */
export function findingAt(
  rule: { id: string; section: Section; severity: Severity },
  loc: Pick<Location, 'file' | 'line' | 'column'> & Partial<Pick<Location, 'endLine' | 'endColumn'>>,
  message: string,
  extra: { service?: string; fix?: Fix; related?: readonly RelatedLocation[]; messageId?: string } = {},
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
  if (extra.messageId !== undefined) f.messageId = extra.messageId;
  if (loc.endLine !== undefined) f.endLine = loc.endLine;
  if (loc.endColumn !== undefined) f.endColumn = loc.endColumn;
  if (extra.service !== undefined) f.service = extra.service;
  if (extra.related?.length) f.related = [...extra.related];
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

/**
 * One service's view of a problem, before grouping. A value written once and inherited by several
 * services (anchor, `<<` merge, `extends`, `x-` block) is reached once per service; drafts with
 * the same `key` are that one problem and become one finding.
 */
export interface FindingDraft<F extends Finding = Finding> {
  /** The finding as it reads for this draft's service alone. */
  finding: F;
  /** Same key, same problem: rule, severity, written location and the message with its services left out. */
  key: string;
  /** The message naming several services; absent when the message names none (it is kept as is). */
  messageFor?: (services: readonly string[]) => string;
  /** Where this draft's service takes the problem from (its alias, `<<` or `extends` line, or its key). */
  via?: RelatedLocation;
}

/**
 * One finding per problem: drafts with the same key merge into the first one, whose message then
 * names every affected service and whose `related` lists where each of them takes the problem from
 * (plus whatever related locations the drafts carried). A problem only one service has is left
 * as it was reported. Order: the order of each problem's first draft.
 */
export function groupDrafts<F extends Finding>(drafts: readonly FindingDraft<F>[]): F[] {
  const groups = new Map<string, FindingDraft<F>[]>();
  for (const d of drafts) {
    const list = groups.get(d.key);
    if (list) list.push(d);
    else groups.set(d.key, [d]);
  }
  const out: F[] = [];
  for (const list of groups.values()) {
    const first = list[0]!;
    const services = unique(list.map((d) => d.finding.service).filter((s): s is string => s !== undefined));
    if (list.length === 1 || services.length < 2) {
      out.push(
        withRelated(
          first.finding,
          list.flatMap((d) => d.finding.related ?? []),
        ),
      );
      continue;
    }
    const related = [...list.flatMap((d) => (d.via ? [d.via] : [])), ...list.flatMap((d) => d.finding.related ?? [])];
    const message = first.messageFor ? first.messageFor(services) : first.finding.message;
    out.push(withRelated({ ...first.finding, message }, related));
  }
  return out;
}

function withRelated<F extends Finding>(f: F, related: readonly RelatedLocation[]): F {
  const seen = new Set<string>();
  const list = related.filter((r) => {
    const k = `${r.file}|${r.line}|${r.column}|${r.service ?? ''}`;
    if (seen.has(k) || (r.file === f.file && r.line === f.line && r.column === f.column && r.service === f.service))
      return false;
    seen.add(k);
    return true;
  });
  const { related: _, ...rest } = f;
  return (list.length ? { ...rest, related: list } : rest) as F;
}

function unique<T>(items: T[]): T[] {
  return [...new Set(items)];
}
