import type { Section, Severity } from './types.js';

/**
 * Metadata of every rule id that can appear in a report: the static rules, and the checks of
 * drills, diff and secrets plans, which register theirs when their module loads. Renderers (text
 * fix hints, SARIF rule descriptors, generated docs) read it from here.
 */
export interface RuleMeta {
  id: string;
  section: Section;
  severity: Severity;
  title: string;
  rationale: string;
  fixHint: string;
  docsUrl?: string;
  /** Which command produces it. */
  source: 'check' | 'drill' | 'diff' | 'secrets';
}

const catalog = new Map<string, RuleMeta>();

export function registerRuleMeta(metas: readonly RuleMeta[]): void {
  for (const m of metas) catalog.set(m.id, m);
}

export function ruleMeta(id: string): RuleMeta | undefined {
  return catalog.get(id);
}

export function allRuleMeta(): RuleMeta[] {
  return [...catalog.values()];
}
