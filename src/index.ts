/**
 * Library entry point: one function per command, the same ones the CLI runs (it only parses flags
 * and prints), plus the models and renderers they return and take.
 */
export { check, checkDetailed, checkProject, type CheckOptions } from './commands/check.js';
export {
  checkInParallel,
  type CheckRun,
  type Concurrency,
  type ParallelCheckOptions,
} from './commands/check-parallel.js';
export { diff, diffCvm, type DiffOptions, type DiffResult } from './commands/diff.js';
export {
  encryptSecrets,
  planSecrets,
  type EncryptRequest,
  type EncryptResult,
  type PlanOutcome,
  type PlanRequest,
} from './commands/secrets.js';
export {
  cleanDrillRuns,
  runDrill,
  type DrillRequest,
  type RestartDrillRequest,
  type RestartDrillResult,
  type UpgradeDrillRequest,
  type UpgradeDrillResult,
} from './commands/drill.js';
export { fix, FIXABLE_RULES, type FixOptions, type FixResult } from './commands/fix.js';
export { startAgent, type AgentHandle, type AgentOptions } from './commands/agent.js';
export { preflightCatalogue } from './commands/catalogue.js';
export { maskedSources, projectInputs } from './commands/sources.js';
export * from './compose/index.js';
export { loadConfig, findConfig, type PreflightConfig, type Exemption } from './config/index.js';
export { RULES, ruleById } from './rules/index.js';
export type { Rule, RuleContext, RuleReport } from './rules/types.js';
export { renderReport, REPORT_FORMATS, type ReportFormat, type RenderOptions } from './report/index.js';
export { score } from './findings/score.js';
export { Catalogue, type RuleMeta, type RuleSource } from './findings/catalogue.js';
export { applyPolicy, type FindingPolicy } from './findings/policy.js';
export * from './findings/types.js';
export { InputError, UsageError } from './util/errors.js';
