export { CONFIG_FILE_NAMES, configError, emptyConfig, findConfig, loadConfig } from './load.js';
export type { ActionSettings, DrillSettings, Duration, Exemption, PreflightConfig } from './types.js';
export { CONFIG_SCHEMA_FILE } from './validator.js';
