export {
  restartDrillDefinition,
  resumeRestartDrill,
  runRestartDrill,
  type RestartDrillOptions,
  type RestartDrillResult,
} from './restart.js';
export { newDrillId, DrillSession } from './lifecycle.js';
export {
  drillConfigFrom,
  DRILL_DEFAULTS,
  type Action,
  type DrillConfig,
  type ReadyConfig,
  type ReadyProbe,
  type WorkloadConfig,
} from './config.js';
export {
  FAULT_KINDS,
  FAULT_DESCRIPTIONS,
  planFaults,
  seededRandom,
  type FaultKind,
  type PlannedFault,
} from './faults.js';
export { checkSet, type HistoryOp, type SetCheck } from './history.js';
export { HISTORY_FILE, JOURNAL_FILE, type DrillEvent, type DrillJournalEvent } from './journal.js';
export { buildReport, renderRestartText, drillFailed, type DrillReport, type FaultResult } from './report.js';
export { Writer } from './writer.js';
export { perform, parseReadIds, substitute, type ActionContext, type ActionResult, type Outcome } from './actions.js';
export { waitReady, type ReadyResult } from './probes.js';
export { createProgress, type Progress } from './progress.js';
export {
  drillKeyProvider,
  startDrillAgent,
  type RestartableAgent,
  type RestartableAgentOptions,
} from './agent-socket.js';
export { keyChanges, keyFindings, keyProviderSource, type KeyPhase, type KeyRecord } from './keys.js';
export { DRILL_RULES, type DrillRuleId } from './checks.js';
export { cleanDrills, type CleanDrillsResult } from './clean.js';
