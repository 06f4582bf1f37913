import { discoverRecursive, type DiscoveredProject } from '../compose/discover.js';
import { loadProject, resolveTargets, type LoadOptions, type Project } from '../compose/project.js';
import { compareFindings, inSectionOrder } from '../findings/order.js';
import { score } from '../findings/score.js';
import type { Finding, Report, Section, SuppressedFinding, Target } from '../findings/types.js';
import { runRules } from '../rules/engine.js';
import { RULES } from '../rules/index.js';
import type { Catalogue } from '../findings/catalogue.js';
import { preflightCatalogue } from './catalogue.js';
import type { Rule } from '../rules/types.js';
import { TOOL_NAME, VERSION } from '../util/version.js';
import { relative, resolve } from 'node:path';
import { InputError } from '../util/errors.js';
import { isDir } from '../compose/discover.js';

export interface CheckOptions extends Omit<LoadOptions, 'catalogue'> {
  /** Find every compose project below each directory. */
  recursive?: boolean;
  /** Rules to run (default: all). */
  rules?: readonly Rule[];
  /** The rule ids the configuration may name (default: Preflight's whole catalogue). */
  catalogue?: Catalogue;
}

/** The static audit: load each target project, run the rules, and build the report. */
export function check(paths: string[], options: CheckOptions = {}): Report {
  return checkDetailed(paths, options).report;
}

/** `check`, plus the loaded projects (their source texts feed code excerpts in the text report). */
export function checkDetailed(paths: string[], options: CheckOptions = {}): { report: Report; projects: Project[] } {
  const targets = discoverTargets(paths, options);
  const findings: Finding[] = [];
  const suppressed: SuppressedFinding[] = [];
  const summaries: Target[] = [];
  const projects: Project[] = [];
  const checked = new Set<Section>();
  for (const target of targets) {
    const project = loadProject(target, { ...options, catalogue: options.catalogue ?? preflightCatalogue() });
    const rules = options.rules ?? RULES;
    for (const r of rules) if (project.config.rules[r.id] !== 'off') checked.add(r.section);
    const result = checkProject(project, rules);
    findings.push(...result.findings);
    suppressed.push(...result.suppressed);
    summaries.push({ ...targetSummary(project, options.cwd ?? process.cwd()), score: score(result.findings).overall });
    projects.push(project);
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

function discoverTargets(paths: string[], options: CheckOptions): DiscoveredProject[] {
  if (!options.recursive || options.files?.length) return resolveTargets(paths, options);
  const cwd = options.cwd ?? process.cwd();
  const out: DiscoveredProject[] = [];
  for (const p of paths.length ? paths : ['.']) {
    const abs = resolve(cwd, p);
    if (!isDir(abs)) {
      out.push(...resolveTargets([p], options));
      continue;
    }
    const found = discoverRecursive(abs);
    if (!found.length) throw new InputError('no compose project found below this directory', { file: p });
    out.push(...found);
  }
  return out;
}

function targetSummary(project: Project, cwd: string): Target {
  return {
    dir: relative(cwd, project.dir) || '.',
    files: project.composeFiles,
    deploymentSource: project.deployment.source,
    services: Object.keys(project.model.services ?? {}).length,
  };
}
