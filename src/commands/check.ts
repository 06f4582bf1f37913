import { relative } from 'node:path';
import type { DiscoveredProject } from '../compose/discover.js';
import { loadProject, resolveRecursive, resolveTargets, type LoadOptions, type Project } from '../compose/project.js';
import { rel } from '../compose/targets.js';
import type { PreflightConfig } from '../config/index.js';
import type { Catalogue } from '../findings/catalogue.js';
import { compareFindings, inSectionOrder } from '../findings/order.js';
import { score } from '../findings/score.js';
import type { Finding, Report, Section, SuppressedFinding, Target } from '../findings/types.js';
import { runRules } from '../rules/engine.js';
import { RULES } from '../rules/index.js';
import { exemptionFindings, unusedSuppression, type ExemptionUse } from '../rules/platform/unused-suppression.js';
import type { Rule } from '../rules/types.js';
import { InputError } from '../util/errors.js';
import { TOOL_NAME, VERSION } from '../util/version.js';
import { preflightCatalogue } from './catalogue.js';

export interface CheckOptions extends Omit<LoadOptions, 'catalogue'> {
  /** Find every compose project below each directory. */
  recursive?: boolean;
  /** Merge the compose file's `*.override.*` twin (`--with-override`); by default it is not (one file is deployed). */
  withOverride?: boolean;
  /**
   * Report suppressions that suppressed nothing (`--report-unused-suppressions`; the CLI turns it
   * on by default when `CI` is set). Unknown rule ids and services are reported either way.
   */
  reportUnusedSuppressions?: boolean;
  /** Rules to run (default: all). */
  rules?: readonly Rule[];
  /** Opt-in rules to run although .preflight.yml does not turn them on (the ids `fix --rule` names). */
  enableOptIn?: readonly string[];
  /** The rule ids the configuration may name (default: Preflight's whole catalogue). */
  catalogue?: Catalogue;
}

/** The static audit: load each target project, run the rules, and build the report. */
export function check(paths: string[], options: CheckOptions = {}): Report {
  return checkDetailed(paths, options).report;
}

/**
 * `check`, plus the loaded projects (their source texts feed code excerpts in the text report).
 * With several projects (`-r`, or several paths), one that fails to load is that target's `error`
 * and the others are still checked; a single project's input error is thrown as it is.
 */
export function checkDetailed(paths: string[], options: CheckOptions = {}): { report: Report; projects: Project[] } {
  const targets = resolveCheckTargets(paths, options);
  const context = checkContext(targets, options);
  const outcomes = targets.map((target) => checkTarget(target, context));
  return {
    report: assembleReport(outcomes, options),
    projects: outcomes.flatMap((o) => (o.project ? [o.project] : [])),
  };
}

/** The projects a check runs on: every one below the paths with `recursive`, else the paths'. */
export function resolveCheckTargets(paths: string[], options: CheckOptions = {}): DiscoveredProject[] {
  return options.recursive ? resolveRecursive(paths, options) : resolveTargets(paths, options);
}

/** What checking one target needs besides the target: the options and per-run caches. */
export interface CheckContext {
  options: CheckOptions;
  cwd: string;
  /** Several targets (or `-r`): a target's input error is its summary's `error`, not thrown. */
  collectErrors: boolean;
  catalogue: Catalogue;
  rules: readonly Rule[];
  configFolders: Map<string, string | undefined>;
}

export function checkContext(targets: readonly DiscoveredProject[], options: CheckOptions): CheckContext {
  return {
    options,
    cwd: options.cwd ?? process.cwd(),
    collectErrors: options.recursive === true || targets.length > 1,
    catalogue: options.catalogue ?? preflightCatalogue(),
    rules: options.rules ?? RULES,
    configFolders: new Map(),
  };
}

/**
 * One target's result, before the report is assembled: plain data apart from `project`, so a worker
 * thread can send it (commands/check-parallel.ts). `exemptions` is what the cross-project judgement
 * of `.preflight.yml` exemptions needs, with the exemptions used named by their index in the file.
 */
export interface TargetOutcome {
  summary: Target;
  findings: Finding[];
  suppressed: SuppressedFinding[];
  /** The sections of the rules this project's configuration leaves on. */
  sections: Section[];
  exemptions?: {
    configFile: string;
    config: PreflightConfig;
    services: Set<string>;
    ran: Set<string>;
    used: number[];
  };
  project?: Project;
}

export function checkTarget(target: DiscoveredProject, context: CheckContext): TargetOutcome {
  const { options, catalogue, rules, cwd } = context;
  let project: Project;
  try {
    project = loadProject(target, { ...options, catalogue, configFolders: context.configFolders });
  } catch (err) {
    if (!context.collectErrors || !(err instanceof InputError)) throw err;
    return { summary: failedTarget(target, err, cwd), findings: [], suppressed: [], sections: [] };
  }
  const sections = new Set<Section>();
  for (const r of rules) if (project.config.rules[r.id] !== 'off') sections.add(r.section);
  const result = runRules(project, rules, {
    reportUnusedSuppressions: options.reportUnusedSuppressions,
    ...(options.enableOptIn && { enableOptIn: options.enableOptIn }),
  });
  const outcome: TargetOutcome = {
    summary: { ...targetSummary(project, cwd), score: score(result.findings).overall },
    findings: result.findings,
    suppressed: result.suppressed,
    sections: [...sections],
    project,
  };
  const { config } = project;
  if (config.file && result.ran.has(unusedSuppression.id)) {
    outcome.exemptions = {
      configFile: config.file,
      config,
      services: serviceNames(project),
      ran: new Set(result.ran),
      used: config.exemptions.flatMap((e, i) => (result.use.exemptions.has(e) ? [i] : [])),
    };
  }
  return outcome;
}

/** The report of the targets' outcomes, in target order; exemptions are judged across the projects. */
export function assembleReport(outcomes: readonly TargetOutcome[], options: CheckOptions = {}): Report {
  const findings: Finding[] = [];
  const suppressed: SuppressedFinding[] = [];
  const summaries: Target[] = [];
  const checked = new Set<Section>();
  const byConfig = new Map<string, { config: PreflightConfig; target: number; uses: ExemptionUse[] }>();
  outcomes.forEach((outcome, index) => {
    summaries.push(outcome.summary);
    for (const f of outcome.findings) findings.push({ ...f, target: index });
    for (const f of outcome.suppressed) suppressed.push({ ...f, target: index });
    for (const s of outcome.sections) checked.add(s);
    const ex = outcome.exemptions;
    if (!ex) return;
    const entry = byConfig.get(ex.configFile) ?? { config: ex.config, target: index, uses: [] };
    // Every project reading one file parsed the same exemptions: name them by index in the first's.
    const exemptions = new Set(ex.used.map((i) => entry.config.exemptions[i]!));
    entry.uses.push({ services: ex.services, ran: ex.ran, use: { directives: [], inline: new Map(), exemptions } });
    byConfig.set(ex.configFile, entry);
  });
  // Exemptions are judged across every project that reads the same .preflight.yml.
  for (const { config, target, uses } of byConfig.values()) {
    const severity = config.rules[unusedSuppression.id];
    if (severity === 'off') continue;
    const found = exemptionFindings(config, uses, {
      reportUnused: options.reportUnusedSuppressions === true,
      severity: severity ?? unusedSuppression.severity,
    });
    findings.push(...found.map((f) => ({ ...f, target })));
    if (found.length) {
      const t = summaries[target]!;
      t.score = score(findings.filter((f) => f.target === target)).overall;
    }
  }
  findings.sort(compareFindings);
  suppressed.sort(compareFindings);
  return {
    tool: { name: TOOL_NAME, version: VERSION },
    targets: summaries,
    score: score(findings),
    findings,
    suppressed,
    checkedSections: inSectionOrder(checked),
  };
}

export function checkProject(project: Project, rules: readonly Rule[] = RULES) {
  return runRules(project, rules);
}

/** Whether the report holds a project that could not be loaded (the CLI then exits 2). */
export function hasLoadErrors(report: Report): boolean {
  return report.targets.some((t) => t.error !== undefined);
}

function targetSummary(project: Project, cwd: string): Target {
  const t: Target = {
    dir: relative(cwd, project.dir) || '.',
    files: project.composeFiles,
    deploymentSource: project.deployment.source,
    services: Object.keys(project.model.services ?? {}).length,
  };
  if (project.override) t.override = project.override;
  if (project.manifest) t.composeHash = project.manifest.composeHash;
  return t;
}

function failedTarget(target: DiscoveredProject, err: InputError, cwd: string): Target {
  const error: Target['error'] = { message: err.message };
  if (err.file !== undefined) error.file = err.file;
  if (err.line !== undefined) error.line = err.line;
  if (err.column !== undefined) error.column = err.column;
  return {
    dir: relative(cwd, target.dir) || '.',
    files: target.files.map((f) => rel(cwd, f)),
    services: 0,
    error,
  };
}

/** Every service the compose files define, those under an inactive profile included. */
function serviceNames(project: Project): Set<string> {
  return new Set([...Object.keys(project.model.services ?? {}), ...project.inactiveServices.map((s) => s.name)]);
}
