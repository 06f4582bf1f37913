import { SECTIONS, type Finding, type Section, type SectionScores, type Severity } from './types.js';

/**
 * Score 0–100, per checklist section and overall (documented in docs/scoring.md):
 * each finding costs points by severity, per section and, for overall, across all sections;
 * a section or overall score never drops below 0. Suppressed findings cost nothing.
 */
export const PENALTY: Record<Severity, number> = { error: 25, warning: 8, info: 2 };
export const OVERALL_PENALTY: Record<Severity, number> = { error: 15, warning: 4, info: 1 };

export function score(findings: readonly Finding[]): SectionScores {
  const sections = Object.fromEntries(SECTIONS.map((s) => [s, 100])) as Record<Section, number>;
  let overall = 100;
  for (const f of findings) {
    sections[f.section] = Math.max(0, sections[f.section] - PENALTY[f.severity]);
    overall = Math.max(0, overall - OVERALL_PENALTY[f.severity]);
  }
  return { overall, sections };
}
