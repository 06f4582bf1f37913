import type { RuleMeta, RuleSource } from '../findings/catalogue.js';
import { SECTIONS, SEVERITIES } from '../findings/types.js';
import { absoluteDocsUrl, ruleDocsUrl } from '../report/docs-url.js';
import { UsageError } from '../util/errors.js';
import { preflightCatalogue } from './catalogue.js';

export const RULE_SOURCES: readonly RuleSource[] = ['check', 'diff', 'secrets', 'drill', 'rollout'];

/** Which rules `preflight rules` lists; an empty or missing list means any. */
export interface RuleFilter {
  sections?: readonly string[];
  sources?: readonly string[];
  severities?: readonly string[];
}

/**
 * One rule as `rules` and `explain` show it: the catalogue entry, its entry in docs/rules.md as
 * `docsUrl` (the same URL JSON and SARIF reports give), a longer document when the rule names one.
 */
export type RuleDescription = RuleMeta & { docsUrl: string; seeAlso?: string };

/** The rules matching every given filter, in catalogue order (checklist section, then rule). */
export function listRules(filter: RuleFilter = {}): RuleDescription[] {
  const sections = known('section', filter.sections, SECTIONS);
  const sources = known('command', filter.sources, RULE_SOURCES);
  const severities = known('severity', filter.severities, SEVERITIES);
  return preflightCatalogue()
    .all()
    .filter(
      (m) =>
        (!sections || sections.has(m.section)) &&
        (!sources || sources.has(m.source)) &&
        (!severities || severities.has(m.severity)),
    )
    .sort((a, b) => SECTIONS.indexOf(a.section) - SECTIONS.indexOf(b.section))
    .map(describe);
}

/** One rule by id; an unknown id is a usage error that names the ids it may have meant. */
export function explainRule(id: string): RuleDescription {
  const meta = preflightCatalogue().get(id);
  if (meta) return describe(meta);
  const near = similarIds(id);
  throw new UsageError(
    `unknown rule id "${id}"${near.length ? `; did you mean ${near.map((n) => `"${n}"`).join(' or ')}?` : ''} ` +
      `(\`preflight rules\` lists them)`,
  );
}

function describe(m: RuleMeta): RuleDescription {
  const { docsUrl: more, ...rest } = m;
  return {
    ...rest,
    docsUrl: ruleDocsUrl(m.id),
    ...(more ? { seeAlso: absoluteDocsUrl(more) } : {}),
  };
}

function known<T extends string>(what: string, given: readonly string[] | undefined, all: readonly T[]) {
  if (!given?.length) return undefined;
  for (const g of given)
    if (!(all as readonly string[]).includes(g))
      throw new UsageError(`unknown ${what} "${g}"; one of: ${all.join(', ')}`);
  return new Set<string>(given);
}

/** Ids sharing a word with the given one (`restart-polcy` → `restart-policy`): the "did you mean" of a typo. */
function similarIds(id: string): string[] {
  const words = new Set(
    id
      .toLowerCase()
      .split(/[^a-z0-9]+/)
      .filter((w) => w.length > 2),
  );
  return preflightCatalogue()
    .all()
    .map((m) => m.id)
    .filter((c) => c.split('-').some((w) => words.has(w)))
    .slice(0, 3);
}
