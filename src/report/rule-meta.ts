import { type RuleMeta, ruleMeta } from '../findings/catalog.js';

/**
 * How renderers read rule metadata (title, rationale, fix hint): one function, passed in the render
 * options. Today it defaults to the global registry; when the catalogue is passed explicitly, only
 * `DEFAULT_META` (or the caller's option) changes.
 */
export type MetaLookup = (id: string) => RuleMeta | undefined;

export const DEFAULT_META: MetaLookup = ruleMeta;

/** The fix text a reader sees for a finding: its own automatic fix if any, else the rule's hint. */
export function fixText(f: { ruleId: string; fix?: { description: string } }, meta: MetaLookup): string | undefined {
  return f.fix?.description ?? meta(f.ruleId)?.fixHint;
}
