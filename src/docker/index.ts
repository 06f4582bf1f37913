export { Engine, type ContainerInfo, type LayerChange, type VolumeInfo } from './engine.js';
export { ComposeRunner, detectCompose, engineEnv, type ComposeCli, type ComposeProjectSpec } from './compose.js';
export { execFileCapture, EngineError, type ExecResult, type OpListener, type OpRecord } from './exec.js';
export { cleanup, drillLeftovers, type CleanupOptions, type CleanupResult } from './cleanup.js';
export {
  COMPOSE_PROJECT_LABEL,
  CVM_LABEL,
  DRILL_LABEL,
  LAUNCHER_LABEL,
  OWNER_LABEL,
  RUN_DIR_LABEL,
  labelOverride,
  ownerValue,
  projectName,
  type OverrideInput,
} from './labels.js';
