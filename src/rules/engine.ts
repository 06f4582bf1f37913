import { locate, locateValue, type Project } from '../compose/project.js';
import type { Finding, Severity, SuppressedFinding } from '../findings/types.js';
import { dedupeFindings, findingAt } from '../findings/build.js';
import { applySuppressions } from './suppress.js';
import type { Rule, RuleContext, RuleReport } from './types.js';

export interface RuleRunResult {
  findings: Finding[];
  suppressed: SuppressedFinding[];
}

/** Run rules on one project, apply configured severities, exemptions and inline suppressions. */
export function runRules(project: Project, rules: readonly Rule[]): RuleRunResult {
  const raw: Finding[] = [];
  const services = Object.entries(project.model.services ?? {});
  for (const rule of rules) {
    const configured = project.config.rules[rule.id];
    if (configured === 'off') continue;
    const severity: Severity | undefined = configured;
    const ctx: RuleContext = {
      project,
      model: project.model,
      services,
      deployment: project.deployment.settings,
      report: (r) => raw.push(toFinding(project, rule, r, severity)),
      deploymentLocation: (field) => deploymentLocation(project, field),
    };
    try {
      rule.check(ctx);
    } catch (err) {
      // A value of the wrong type can trip a rule; compose-invalid already reports it, and one
      // rule must not take the whole report down (Compose would refuse such a file outright, so the
      // rule's other findings matter less than the report). On a valid file a crash is our bug.
      if (project.schemaProblems.length) continue;
      throw new Error(`rule ${rule.id} failed on ${project.composeFiles.join(', ')}: ${(err as Error).message}`);
    }
  }
  return applySuppressions(project, dedupeFindings(raw));
}

function toFinding(project: Project, rule: Rule, r: RuleReport, configured: Severity | undefined): Finding {
  const loc =
    r.loc ??
    (r.valuePath ? locateValue(project, r.valuePath) : r.path ? locate(project, r.path) : deploymentLocation(project));
  return findingAt({ ...rule, severity: configured ?? r.severity ?? rule.severity }, loc, r.message, r);
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
