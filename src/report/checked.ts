import { SECTIONS, type Report, type Section } from '../findings/types.js';

/**
 * The checklist sections the report's producer ran at least one rule for. A section no rule covers
 * has no findings, and so a score of 100 in `score.sections`; reports say "not checked" for it
 * rather than show a perfect score. A report that does not say (`checkedSections` absent) is taken
 * to cover every section; a section with findings is checked whatever the list says.
 */
export function checkedSections(report: Pick<Report, 'checkedSections' | 'findings' | 'suppressed'>): Set<Section> {
  const out = new Set<Section>(report.checkedSections ?? SECTIONS);
  for (const f of [...report.findings, ...report.suppressed]) out.add(f.section);
  return out;
}
