import type { Project } from '../compose/project.js';
import type { Exemption } from '../config/index.js';
import { exemptionFor } from '../findings/policy.js';
import type { Finding, SuppressedFinding, Suppression } from '../findings/types.js';

/** `# preflight-ignore <rule-id>[,<rule-id>…] -- <reason>` on the finding's line or the line above. */
const INLINE = /#\s*preflight-ignore\s+([\w,\s-]+?)\s*(?:--\s*(.*))?$/;

export interface InlineDirective {
  rules: string[];
  reason?: string;
  file: string;
  line: number;
  /** Column of the `#` that starts the directive. */
  column: number;
}

export function inlineDirectives(project: Pick<Project, 'sources'>): Map<string, InlineDirective[]> {
  const out = new Map<string, InlineDirective[]>();
  for (const [file, source] of project.sources) {
    // Most files hold no directive: one search of the text spares a regex per line.
    if (!source.text.includes('preflight-ignore')) continue;
    const list: InlineDirective[] = [];
    source.text.split('\n').forEach((text, i) => {
      const m = INLINE.exec(text);
      if (!m) return;
      list.push({
        rules: m[1]!.split(/[\s,]+/).filter(Boolean),
        reason: m[2]?.trim() || undefined,
        file,
        line: i + 1,
        column: m.index + 1,
      });
    });
    if (list.length) out.set(file, list);
  }
  return out;
}

/** Which suppressions silenced something: per inline directive the rule ids it matched, and the exemptions used. */
export interface SuppressionUse {
  directives: InlineDirective[];
  inline: Map<InlineDirective, Set<string>>;
  exemptions: Set<Exemption>;
}

export function suppressionUse(directives: Map<string, InlineDirective[]>): SuppressionUse {
  return { directives: [...directives.values()].flat(), inline: new Map(), exemptions: new Set() };
}

/**
 * Move findings covered by an exemption in `.preflight.yml` or an inline directive to `suppressed`,
 * keeping the reason. An inline directive without a reason suppresses nothing (rule
 * `suppression-without-reason` reports it), so a silenced finding always says why.
 */
export function applySuppressions(
  project: Project,
  findings: Finding[],
): { findings: Finding[]; suppressed: SuppressedFinding[]; use: SuppressionUse } {
  const directives = inlineDirectives(project);
  const use = suppressionUse(directives);
  const kept: Finding[] = [];
  const suppressed: SuppressedFinding[] = [];
  for (const f of findings) {
    const suppression = suppressionOf(project, directives, f, use);
    if (suppression) suppressed.push({ ...f, suppression });
    else kept.push(f);
  }
  return { findings: kept, suppressed, use };
}

/**
 * What suppresses one finding (an exemption, or an inline directive with a reason on its line or
 * the line above); with `use`, what matched is recorded (for `--report-unused-suppressions`).
 */
export function suppressionOf(
  project: Project,
  directives: Map<string, InlineDirective[]>,
  f: Finding,
  use?: SuppressionUse,
): Suppression | undefined {
  const exemption = exemptionFor(project.config, f);
  if (exemption) {
    use?.exemptions.add(exemption);
    return { kind: 'config', reason: exemption.reason };
  }
  const inline = (directives.get(f.file) ?? []).find(
    (d) => (d.line === f.line || d.line === f.line - 1) && d.rules.includes(f.ruleId) && d.reason,
  );
  if (!inline) return undefined;
  if (use) {
    const ids = use.inline.get(inline) ?? new Set<string>();
    ids.add(f.ruleId);
    use.inline.set(inline, ids);
  }
  return { kind: 'inline', reason: inline.reason! };
}
