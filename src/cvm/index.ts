/**
 * The local CVM: an app run on the local Docker engine exactly as a dstack guest boots it
 * (docs/platform.md#boot-sequence). Used by the drills and by the rollout's local fleet backend.
 */
export {
  agentMounters,
  CvmApp,
  type CvmAppExtras,
  isAgentMount,
  mapDstackPath,
  type UnshippedBind,
  type Where,
} from './app.js';
export type { BootOptions, BootResult } from './boot.js';
export { guestEnv, type GuestEnv } from './env.js';
export { CvmImageStore } from './image-store.js';
export { containerVolumes, isAnonymousVolume, LocalCvm, type LocalCvmOptions, SERVICE_LABEL } from './local-cvm.js';
export { maskSecrets, worthScanning } from './mask.js';
export {
  type ContainerVolumes,
  type MixedVersionInput,
  type MixedVersionWindow,
  mixedVersionWindow,
  type VersionOverlap,
} from './mixed-version.js';
export { type ContainerSpan, ContainerWatch, spansOf } from './timeline.js';
export { restoredByEngine } from './restore.js';
export type { PreLaunchOutcome } from './sandbox/index.js';
export {
  BOOT_STEP_TITLES,
  BOOT_STEPS,
  type BootContainer,
  type BootEvent,
  type BootListener,
  type BootStep,
  CVM_OS_VERSIONS,
  type CvmDisk,
  type CvmOs,
  DEFAULT_CVM_OS,
  type ScriptLine,
  type StopMode,
  type StopOutcome,
} from './types.js';
