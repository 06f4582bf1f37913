import { locate, locateValue, type Project } from '../compose/project.js';
import type { Finding, Severity, SuppressedFinding } from '../findings/types.js';
import { findingAt, groupDrafts, type FindingDraft } from '../findings/build.js';
import { inheritedVia } from './inherited.js';
import { unusedInlineFindings, unusedSuppression } from './platform/unused-suppression.js';
import { inlineDirectives, suppressionOf, suppressionUse, type SuppressionUse } from './suppress.js';
import type { Rule, RuleContext, RuleReport } from './types.js';
import { Who } from './who.js';

export interface RuleRunResult {
  findings: Finding[];
  suppressed: SuppressedFinding[];
  /** Which suppressions matched a finding. */
  use: SuppressionUse;
  /** The ids of the rules that ran (not `off`). */
  ran: Set<string>;
}

export interface RunOptions {
  /** Report inline directives that suppressed nothing (`--report-unused-suppressions`). */
  reportUnusedSuppressions?: boolean;
  /**
   * Opt-in rules to run although the configuration does not name them: `true` for all (the rule
   * tester runs the rule it tests), or the ids the user named (`preflight fix --rule <id>`).
   */
  enableOptIn?: true | readonly string[];
}

function optInEnabled(opts: RunOptions, id: string): boolean {
  return opts.enableOptIn === true || (Array.isArray(opts.enableOptIn) && opts.enableOptIn.includes(id));
}

/**
 * One rule's check, as check and fix run it. A value of the wrong type can trip a rule;
 * compose-invalid already reports it, and one rule must not take the whole report down (Compose would
 * refuse such a file outright, so the rule's other findings matter less than the report): what it
 * reported before it tripped stays. On a valid file a crash is our bug.
 */
export function runRuleCheck(project: Project, rule: Rule, ctx: RuleContext): void {
  try {
    rule.check(ctx);
  } catch (err) {
    if (project.schemaProblems.length || project.semanticProblems.length) return;
    throw new Error(`rule ${rule.id} failed on ${project.composeFiles.join(', ')}: ${(err as Error).message}`);
  }
}

/**
 * Run rules on one project, apply configured severities, exemptions and inline suppressions, and
 * merge what several services inherit from one written value into one finding. Exemptions name a
 * service, so they apply to each service's draft before the merge.
 */
export function runRules(project: Project, rules: readonly Rule[], opts: RunOptions = {}): RuleRunResult {
  const drafts: FindingDraft[] = [];
  const ran = new Set<string>();
  const services = Object.entries(project.model.services ?? {});
  for (const rule of rules) {
    const configured = project.config.rules[rule.id];
    if (configured === 'off') continue;
    if (rule.optIn && configured === undefined && !optInEnabled(opts, rule.id)) continue;
    ran.add(rule.id);
    const severity: Severity | undefined = configured;
    const ctx: RuleContext = {
      project,
      model: project.model,
      services,
      deployment: project.deployment.settings,
      report: (r) => drafts.push(toDraft(project, rule, r, severity)),
      deploymentLocation: (field) => deploymentLocation(project, field),
    };
    runRuleCheck(project, rule, ctx);
  }
  const directives = inlineDirectives(project);
  const use = suppressionUse(directives);
  const kept: FindingDraft[] = [];
  const suppressed: FindingDraft<SuppressedFinding>[] = [];
  const seen = new Set<string>();
  for (const d of drafts) {
    // A rule that reached one value twice for one service said it once.
    const once = `${d.key}|${d.finding.service ?? ''}`;
    if (seen.has(once)) continue;
    seen.add(once);
    const suppression = suppressionOf(project, directives, d.finding, use);
    if (!suppression) kept.push(d);
    else
      suppressed.push({
        ...d,
        finding: { ...d.finding, suppression },
        key: `${d.key}|${suppression.kind}|${suppression.reason}`,
      });
  }
  const findings = groupDrafts(kept);
  const unused = project.config.rules[unusedSuppression.id];
  if (opts.reportUnusedSuppressions && ran.has(unusedSuppression.id) && unused !== 'off')
    findings.push(...unusedInlineFindings(use, ran, unused ?? unusedSuppression.severity));
  return { findings, suppressed: groupDrafts(suppressed), use, ran };
}

/** The key placeholder: messages are compared with their services left out. */
const ANY_SERVICE = new Who(['\u0000']);

function toDraft(project: Project, rule: Rule, r: RuleReport, configured: Severity | undefined): FindingDraft {
  const loc =
    r.loc ??
    (r.valuePath ? locateValue(project, r.valuePath) : r.path ? locate(project, r.path) : deploymentLocation(project));
  const severity = configured ?? r.severity ?? rule.severity;
  const { message } = r;
  const text = typeof message === 'string' ? message : message(new Who(r.service !== undefined ? [r.service] : []));
  const fix = r.fix ?? (r.hint !== undefined ? { description: r.hint, edits: [] } : undefined);
  const finding = findingAt({ ...rule, severity }, loc, text, { ...r, fix });
  const pattern = typeof message === 'string' ? message : message(ANY_SERVICE);
  const where = `${loc.file}:${loc.line}:${loc.column}:${loc.endLine ?? ''}:${loc.endColumn ?? ''}`;
  return {
    finding,
    key: `${rule.id}|${severity}|${where}|${r.messageId ?? ''}|${pattern}`,
    messageFor: typeof message === 'string' ? undefined : (names) => message(new Who(names)),
    via: r.service !== undefined ? inheritedVia(project, r.service, r.valuePath ?? r.path) : undefined,
  };
}

export function deploymentLocation(project: Project, field?: string) {
  const d = project.deployment;
  const at = field ? d.locations[field] : undefined;
  if (at) return at;
  if (d.file && d.source === 'app-compose.json')
    return (
      d.locations.docker_compose_file ?? {
        file: d.file,
        line: 1,
        column: 1,
        endLine: 1,
        endColumn: 1,
        offset: 0,
        endOffset: 0,
      }
    );
  const file = project.composeFiles[0]!;
  return { file, line: 1, column: 1, endLine: 1, endColumn: 1, offset: 0, endOffset: 0 };
}
