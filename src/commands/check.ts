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
  const cwd = options.cwd ?? process.cwd();
  const targets = options.recursive ? resolveRecursive(paths, options) : resolveTargets(paths, options);
  const collectErrors = options.recursive === true || targets.length > 1;
  const catalogue = options.catalogue ?? preflightCatalogue();
  const rules = options.rules ?? RULES;
  const findings: Finding[] = [];
  const suppressed: SuppressedFinding[] = [];
  const summaries: Target[] = [];
  const projects: Project[] = [];
  const checked = new Set<Section>();
  const byConfig = new Map<string, { config: PreflightConfig; target: number; uses: ExemptionUse[] }>();
  const configFolders = new Map<string, string | undefined>();
  for (const target of targets) {
    const index = summaries.length;
    let project: Project;
    try {
      project = loadProject(target, { ...options, catalogue, configFolders });
    } catch (err) {
      if (!collectErrors || !(err instanceof InputError)) throw err;
      summaries.push(failedTarget(target, err, cwd));
      continue;
    }
    for (const r of rules) if (project.config.rules[r.id] !== 'off') checked.add(r.section);
    const result = runRules(project, rules, {
      reportUnusedSuppressions: options.reportUnusedSuppressions,
      ...(options.enableOptIn && { enableOptIn: options.enableOptIn }),
    });
    findings.push(...result.findings.map((f) => ({ ...f, target: index })));
    suppressed.push(...result.suppressed.map((f) => ({ ...f, target: index })));
    summaries.push({ ...targetSummary(project, cwd), score: score(result.findings).overall });
    projects.push(project);
    if (project.config.file && result.ran.has(unusedSuppression.id)) {
      const entry = byConfig.get(project.config.file) ?? { config: project.config, target: index, uses: [] };
      entry.uses.push({ services: serviceNames(project), use: result.use, ran: result.ran });
      byConfig.set(project.config.file, entry);
    }
  }
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
  const report: Report = {
    tool: { name: TOOL_NAME, version: VERSION },
    targets: summaries,
    score: score(findings),
    findings,
    suppressed,
    checkedSections: inSectionOrder(checked),
  };
  return { report, projects };
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
