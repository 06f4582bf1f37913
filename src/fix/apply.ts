import { locate, locateValue, type Project } from '../compose/project.js';
import type { Finding } from '../findings/types.js';
import { deploymentLocation, runRuleCheck } from '../rules/engine.js';
import type { FixTarget } from '../rules/fix-types.js';
import type { Rule, RuleContext, RuleReport } from '../rules/types.js';
import type { Location } from '../yaml/located.js';
import { fixContext, ProjectEdits } from './context.js';
import { Refusal } from './editor.js';

/** A fix made: which finding, what the edit does, and how it changes the app when it does. */
export interface AppliedFix {
  ruleId: string;
  service?: string;
  file: string;
  line: number;
  description: string;
  changesBehaviour?: string;
  /** The files the edit touches. */
  files: string[];
  /** The pass of `fix` that made it (1 for the first; a later one fixes what an earlier fix made apply). */
  pass?: number;
}

/** A finding whose fix was refused, and why (nothing of it was applied). */
export interface RefusedFix {
  ruleId: string;
  service?: string;
  file: string;
  line: number;
  reason: string;
}

export interface ProjectFixes {
  edits: ProjectEdits;
  applied: AppliedFix[];
  refused: RefusedFix[];
}

/**
 * Stage the fixes of every finding check kept for which the rule has a `fix`. Each fix runs as a
 * transaction over the project's editors: refused, everything it staged is rolled back.
 */
export function planProjectFixes(
  project: Project,
  findings: readonly Finding[],
  rules: readonly Rule[],
  opts: { cwd: string; digests: ReadonlyMap<string, string>; overlay?: ReadonlyMap<string, string> },
): ProjectFixes {
  const edits = new ProjectEdits(project, opts.cwd, opts.overlay);
  const ctx = fixContext(edits, opts.digests);
  const applied: AppliedFix[] = [];
  const refused: RefusedFix[] = [];
  for (const rule of rules) {
    if (!rule.fix || project.config.rules[rule.id] === 'off') continue;
    const mine = findings.filter((f) => f.ruleId === rule.id);
    if (!mine.length) continue;
    for (const target of targetsOf(project, rule, mine)) {
      const saved = edits.snapshot();
      const before = signatures(edits);
      const where = { ruleId: rule.id, service: target.report.service, file: target.loc.file, line: target.loc.line };
      try {
        const outcome = rule.fix(ctx, target);
        const after = signatures(edits);
        const files = [...after].filter(([file, sig]) => before.get(file) !== sig).map(([file]) => file);
        applied.push({ ...where, ...outcome, files });
      } catch (err) {
        // As check treats a rule a wrong-typed value trips (rules/engine.ts runRuleCheck): on a file
        // compose-invalid reports, the fix is refused; on a valid file it is our bug.
        const wrongTyped = project.schemaProblems.length > 0 || project.semanticProblems.length > 0;
        if (!(err instanceof Refusal) && !wrongTyped) throw err;
        edits.restore(saved);
        refused.push({
          ...where,
          reason: err instanceof Refusal ? err.message : 'the file has values of the wrong type (see compose-invalid)',
        });
      }
    }
  }
  return { edits, applied, refused };
}

/** What each editor has staged, as text: tells which files a fix touched. */
function signatures(edits: ProjectEdits): Map<string, string> {
  return new Map([...edits.editors].map(([file, e]) => [file, JSON.stringify(e.edits())]));
}

/** The rule's reports that became the kept findings (several per finding when services were merged into one). */
function targetsOf(project: Project, rule: Rule, findings: readonly Finding[]): FixTarget[] {
  const reports: RuleReport[] = [];
  const ctx: RuleContext = {
    project,
    model: project.model,
    services: Object.entries(project.model.services ?? {}),
    deployment: project.deployment.settings,
    report: (r) => reports.push(r),
    deploymentLocation: (field) => deploymentLocation(project, field),
  };
  // As check runs it, so a rule a wrong-typed value trips fixes what check reported, and no more.
  runRuleCheck(project, rule, ctx);
  const out: FixTarget[] = [];
  const seen = new Set<string>();
  for (const report of reports) {
    const loc = reportLocation(project, report);
    const finding = findings.find(
      (f) =>
        f.file === loc.file &&
        f.line === loc.line &&
        f.column === loc.column &&
        (report.service === undefined ||
          f.service === report.service ||
          f.related?.some((r) => r.service === report.service)),
    );
    const key = `${loc.file}:${loc.offset}:${report.service ?? ''}:${report.messageId ?? ''}`;
    if (!finding || seen.has(key)) continue;
    seen.add(key);
    out.push({ finding, report, loc });
  }
  return out;
}

/**
 * Where the engine puts a report (rules/engine.ts toDraft): an explicit location, the value, the key, the deployment.
 */
function reportLocation(project: Project, r: RuleReport): Location {
  return (
    r.loc ??
    (r.valuePath ? locateValue(project, r.valuePath) : r.path ? locate(project, r.path) : deploymentLocation(project))
  );
}
