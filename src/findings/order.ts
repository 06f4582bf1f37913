import { SECTIONS, SEVERITIES, type Finding, type Section, type Severity } from './types.js';

/** `localeCompare`'s order (the default locale's collation), without building a collator per comparison. */
const BY_LOCALE = new Intl.Collator();

/** Report order: checklist section, then file, line, column, rule. */
export function compareFindings(a: Finding, b: Finding): number {
  return (
    SECTIONS.indexOf(a.section) - SECTIONS.indexOf(b.section) ||
    BY_LOCALE.compare(a.file, b.file) ||
    a.line - b.line ||
    a.column - b.column ||
    BY_LOCALE.compare(a.ruleId, b.ruleId)
  );
}

export type FailOn = Severity | 'never';

/** Does any finding reach the `--fail-on` threshold? */
export function failsAt(findings: readonly Finding[], failOn: FailOn): boolean {
  if (failOn === 'never') return false;
  const limit = SEVERITIES.indexOf(failOn);
  return findings.some((f) => SEVERITIES.indexOf(f.severity) <= limit);
}

/** The sections among `sections`, in checklist order, each once (a report's `checkedSections`). */
export function inSectionOrder(sections: Iterable<Section>): Section[] {
  const set = new Set(sections);
  return SECTIONS.filter((s) => set.has(s));
}
