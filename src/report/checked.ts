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

/**
 * The report's score as JSON and SARIF show it: a section that was not checked is `null`, never
 * the 100 a section without findings would get.
 */
export function reportedScore(report: Pick<Report, 'score' | 'checkedSections' | 'findings' | 'suppressed'>): {
  overall: number;
  sections: Record<Section, number | null>;
} {
  const checked = checkedSections(report);
  const sections = Object.fromEntries(
    SECTIONS.map((s) => [s, checked.has(s) ? report.score.sections[s] : null]),
  ) as Record<Section, number | null>;
  return { overall: report.score.overall, sections };
}
