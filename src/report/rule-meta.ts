import type { Catalogue, RuleMeta } from '../findings/catalogue.js';

/**
 * How renderers read rule metadata (title, rationale, fix hint): one function, passed in the render
 * options, made from the catalogue the caller passes (there is no global registry).
 */
export type MetaLookup = (id: string) => RuleMeta | undefined;

export function catalogueLookup(catalogue: Catalogue): MetaLookup {
  return (id) => catalogue.get(id);
}

/** The fix text a reader sees for a finding: its own automatic fix if any, else the rule's hint. */
export function fixText(f: { ruleId: string; fix?: { description: string } }, meta: MetaLookup): string | undefined {
  return f.fix?.description ?? meta(f.ruleId)?.fixHint;
}
