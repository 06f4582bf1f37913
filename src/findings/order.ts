import { SECTIONS, SEVERITIES, type Finding, type Section, type Severity } from './types.js';

/**
 * `localeCompare`'s order (the default locale's collation) for file names, built on first use and asked only
 * about two different names: the first collator of a process loads ICU's collation data, ~20 ms of CPU, and
 * most single-file checks never compare two files (docs/decisions.md "Start-up: no collator unless two files").
 */
let byLocale: Intl.Collator | undefined;
function compareFiles(a: string, b: string): number {
  if (a === b) return 0;
  byLocale ??= new Intl.Collator();
  return byLocale.compare(a, b);
}

/**
 * Rule ids are `[a-z0-9-]` identifiers, not text: code-unit order, which for that alphabet is the order the
 * locale collation gave them in English and the root locale (`-` before digits before letters).
 */
function compareRuleIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Report order: checklist section, then file, line, column, rule. */
export function compareFindings(a: Finding, b: Finding): number {
  return (
    SECTIONS.indexOf(a.section) - SECTIONS.indexOf(b.section) ||
    compareFiles(a.file, b.file) ||
    a.line - b.line ||
    a.column - b.column ||
    compareRuleIds(a.ruleId, b.ruleId)
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
