/** Library entry point: the same functions the commands use. */
export { check, checkDetailed, checkProject, type CheckOptions } from './commands/check.js';
export * from './compose/index.js';
export { RULES, ruleById } from './rules/index.js';
export type { Rule, RuleContext, RuleReport } from './rules/types.js';
export { renderReport, REPORT_FORMATS, type ReportFormat } from './report/index.js';
export { score } from './findings/score.js';
export { ruleMeta, allRuleMeta, type RuleMeta } from './findings/catalog.js';
export * from './findings/types.js';
export { InputError, UsageError } from './util/errors.js';
