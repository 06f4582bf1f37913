import type { Finding, Report } from '../findings/types.js';
import { reportedScore } from './checked.js';
import { ruleDocsUrl } from './docs-url.js';
import { fixText, type MetaLookup } from './rule-meta.js';

export interface JsonOptions {
  meta: MetaLookup;
}

/**
 * DESIGN.md's object: `{ tool, targets, score, findings, suppressed }` (and `checkedSections`).
 * Each finding also carries its `fixHint` (its own when it has one, else its rule's) and `docsUrl`
 * (`docs/rules.md#<id>`, absolute) when the catalogue knows the rule. A section that was not
 * checked scores `null`.
 */
export function renderJson(report: Report, opts: JsonOptions): string {
  const meta = opts.meta;
  const withDocs = <F extends Finding>(f: F): F & { fixHint?: string; docsUrl?: string } => {
    const m = meta(f.ruleId);
    return m ? { ...f, fixHint: fixText(f, meta), docsUrl: ruleDocsUrl(f.ruleId) } : f;
  };
  const out = {
    ...report,
    score: reportedScore(report),
    findings: report.findings.map(withDocs),
    suppressed: report.suppressed.map(withDocs),
  };
  return JSON.stringify(out, null, 2) + '\n';
}
