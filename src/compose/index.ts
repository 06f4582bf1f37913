export {
  loadProject,
  resolveTargets,
  resolveRecursive,
  locate,
  locateValue,
  type LoadOptions,
  type Project,
} from './project.js';
export { discoverInDir, discoverRecursive, COMPOSE_FILE_NAMES, type DiscoveredProject } from './discover.js';
export { interpolateString, type VarRef, type VarModifier } from './interpolate.js';
export { parseDotenv, dotenvToMap } from './dotenv.js';
export { parseShortVolume, parseShortPort } from './normalize.js';
export {
  PHALA_CLOUD_DEFAULTS,
  DSTACK_DEFAULTS,
  effectiveKeyProvider,
  type Deployment,
  type DeploymentSettings,
} from './deployment.js';
export { parseAppCompose, EMBEDDED_COMPOSE_SUFFIX, type AppComposeManifest } from './app-compose.js';
export type { Location, LNode, LMap, Path, SourceText } from '../yaml/located.js';
export type * from './types.js';
export { parseDuration, parseComposeDuration } from './duration.js';
export type { LocalFileReference } from './include.js';
