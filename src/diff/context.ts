import { findingAt } from '../findings/build.js';
import { locate, locateValue, type Project } from '../compose/project.js';
import type { Location, Path } from '../yaml/located.js';
import type { Finding, Severity } from '../findings/types.js';
import { diffRule, type DiffRuleId } from './rules.js';

/** The two sides of an upgrade, and how a check reports what it found. */
export interface DiffContext {
  old: Project;
  new: Project;
  report(r: DiffReport): void;
}

export interface DiffReport {
  ruleId: DiffRuleId;
  message: string;
  /** Which file the finding points at: NEW's, or OLD's for things NEW no longer has. */
  side: 'old' | 'new';
  /** Model path whose key the finding points at. */
  path?: Path;
  /** Model path whose value the finding points at. */
  valuePath?: Path;
  loc?: Location;
  service?: string;
  severity?: Severity;
}

export function toFinding(ctx: Pick<DiffContext, 'old' | 'new'>, r: DiffReport): Finding {
  const project = r.side === 'old' ? ctx.old : ctx.new;
  const loc = r.loc ?? (r.valuePath ? locateValue(project, r.valuePath) : locate(project, r.path ?? []));
  const rule = diffRule(r.ruleId);
  const configured = ctx.new.config.rules[r.ruleId];
  const severity = configured && configured !== 'off' ? configured : (r.severity ?? rule.severity);
  return findingAt({ id: r.ruleId, section: rule.section, severity }, loc, r.message, r);
}
