import { InputError } from '../util/errors.js';
import { dedupeFindings } from '../findings/build.js';
import { relative } from 'node:path';
import { loadProject, resolveTargets, type Project } from '../compose/project.js';
import type { Catalogue } from '../findings/catalogue.js';
import { compareFindings, inSectionOrder } from '../findings/order.js';
import { score } from '../findings/score.js';
import type { Finding, Report, Target } from '../findings/types.js';
import { applySuppressions } from '../rules/suppress.js';
import { TOOL_NAME, VERSION } from '../util/version.js';
import { toFinding, type DiffContext } from './context.js';
import { checkDeployment } from './deployment.js';
import { planUpgradeSecrets, type SecretSets } from './secrets.js';
import { checkStateful } from './stateful.js';
import { checkProject } from './project.js';
import { checkVolumes } from './volumes.js';
import type { SecretPlan } from '../secrets/plan.js';
import { DIFF_RULE_META } from './rules.js';

export { DIFF_RULE_IDS, DIFF_RULE_META } from './rules.js';
export { composeHashChange } from './deployment.js';

export interface DiffOptions extends SecretSets {
  cwd?: string;
  /** Rule ids `.preflight.yml` may name (every command's): see src/commands/catalogue.ts. */
  catalogue?: Catalogue;
}

export interface DiffResult {
  report: Report;
  old: Project;
  new: Project;
  /** The secrets plan the secret findings come from, when a new secret set was known. */
  secretPlan?: SecretPlan;
  /** Things the diff could not check, for the person reading (no values). */
  notes: string[];
}

/** `preflight diff OLD NEW`: load both sides (compose project or app-compose.json) and compare them. */
export function diffPaths(oldPath: string, newPath: string, opts: DiffOptions = {}): DiffResult {
  const cwd = opts.cwd ?? process.cwd();
  const [oldTarget] = resolveTargets([oldPath], { cwd });
  const [newTarget] = resolveTargets([newPath], { cwd });
  // Each side is interpolated with its own secret set, as the CVM does before and after the upgrade.
  const { catalogue } = opts;
  const oldP = loadProject(oldTarget!, { cwd, catalogue, envFiles: opts.oldEnvFile ? [opts.oldEnvFile] : undefined });
  const newP = loadProject(newTarget!, { cwd, catalogue, envFiles: opts.newEnvFile ? [opts.newEnvFile] : undefined });
  return diffProjects(oldP, newP, opts);
}

/** Compare two loaded projects: findings point at NEW's lines, or OLD's for what NEW no longer has. */
export function diffProjects(oldP: Project, newP: Project, opts: DiffOptions = {}): DiffResult {
  refuseInvalid(oldP, newP);
  const cwd = opts.cwd ?? process.cwd();
  const raw: Finding[] = [];
  const ctx: DiffContext = { old: oldP, new: newP, report: (r) => raw.push(toFinding(ctx, r)) };
  checkProject(ctx);
  checkVolumes(ctx);
  checkStateful(ctx);
  checkDeployment(ctx);
  const secrets = planUpgradeSecrets(oldP, newP, opts, cwd);
  raw.push(...secrets.findings.map((f) => withConfiguredSeverity(newP, f)));

  const enabled = raw.filter((f) => newP.config.rules[f.ruleId] !== 'off');
  const { findings, suppressed } = applySuppressions(newP, dedupeFindings(enabled));
  findings.sort(compareFindings);
  suppressed.sort(compareFindings);
  const report: Report = {
    tool: { name: TOOL_NAME, version: VERSION },
    targets: [targetOf(oldP, cwd), targetOf(newP, cwd)],
    score: score(findings),
    findings,
    suppressed,
    // The secrets section is checked only when a new secret set was known to plan against.
    checkedSections: inSectionOrder([
      ...DIFF_RULE_META.filter((r) => newP.config.rules[r.id] !== 'off').map((r) => r.section),
      ...(secrets.plan ? (['secrets'] as const) : []),
    ]),
  };
  return {
    report,
    old: oldP,
    new: newP,
    ...(secrets.plan ? { secretPlan: secrets.plan } : {}),
    notes: secrets.note ? [secrets.note] : [],
  };
}

function withConfiguredSeverity(p: Project, f: Finding): Finding {
  const c = p.config.rules[f.ruleId];
  return c && c !== 'off' ? { ...f, severity: c } : f;
}

function targetOf(p: Project, cwd: string): Target {
  return {
    dir: relative(cwd, p.dir) || '.',
    files: p.composeFiles,
    deploymentSource: p.deployment.source,
    services: Object.keys(p.model.services ?? {}).length,
  };
}

/**
 * The diff rules read the model as the compose spec types it; a side that breaks the schema
 * (`volumes: 5`) would be read as something else. `check` reports such a file as findings
 * (`compose-invalid`); `diff` refuses it as an input error, each problem on its own line.
 */
function refuseInvalid(...sides: Project[]): void {
  const problems = sides.flatMap((p) =>
    p.schemaProblems.slice(0, 10).map(
      (sp) =>
        new InputError(`not a valid compose file: ${sp.message} (preflight check lists every problem)`, {
          file: sp.loc.file,
          line: sp.loc.line,
          column: sp.loc.column,
        }),
    ),
  );
  if (problems.length) throw InputError.several(problems);
}
