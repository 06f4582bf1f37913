import type { DeploymentSource } from '../findings/types.js';
import type { Location } from '../yaml/located.js';

/**
 * The deployment settings of a CVM (the app-compose.json fields that change what the rules say).
 * Names are app-compose.json's own.
 */
export interface DeploymentSettings {
  manifest_version?: number | string;
  name?: string;
  runner: string;
  public_logs: boolean;
  public_sysinfo: boolean;
  kms_enabled: boolean;
  gateway_enabled: boolean;
  local_key_provider_enabled: boolean;
  /** `kms`, `local`, `tpm` or `none`; derived from the flags when not given. */
  key_provider?: string;
  /** Undefined: not known (Phala Cloud sets it from the keys you send). */
  allowed_envs?: string[];
  no_instance_id: boolean;
  secure_time: boolean;
  pre_launch_script?: string;
  init_script?: string;
  storage_fs: string;
}

/** Phala Cloud's defaults (platform-facts.md), used when neither app-compose.json nor .preflight.yml says. */
export const PHALA_CLOUD_DEFAULTS: DeploymentSettings = {
  manifest_version: 2,
  runner: 'docker-compose',
  public_logs: true,
  public_sysinfo: true,
  kms_enabled: true,
  gateway_enabled: true,
  local_key_provider_enabled: false,
  no_instance_id: false,
  secure_time: false,
  storage_fs: 'zfs',
};

/** dstack's own defaults: what an app-compose.json that omits a field gets. */
export const DSTACK_DEFAULTS: DeploymentSettings = {
  runner: 'docker-compose',
  public_logs: false,
  public_sysinfo: false,
  kms_enabled: false,
  gateway_enabled: false,
  local_key_provider_enabled: false,
  allowed_envs: [],
  no_instance_id: false,
  secure_time: true,
  storage_fs: 'zfs',
};

export const DEPLOYMENT_KEYS = [
  'manifest_version',
  'name',
  'runner',
  'public_logs',
  'public_sysinfo',
  'kms_enabled',
  'gateway_enabled',
  'tproxy_enabled',
  'local_key_provider_enabled',
  'key_provider',
  'allowed_envs',
  'no_instance_id',
  'secure_time',
  'pre_launch_script',
  'init_script',
  'storage_fs',
] as const;

export interface Deployment {
  settings: DeploymentSettings;
  source: DeploymentSource;
  /** The file the settings came from (app-compose.json or .preflight.yml). */
  file?: string;
  /** Where each given field was written, for findings about the deployment. */
  locations: Partial<Record<string, Location>>;
}

/** Overlay the given fields (app-compose.json or .preflight.yml `deployment:`) on a base. */
export function deploymentFrom(base: DeploymentSettings, given: Record<string, unknown>): DeploymentSettings {
  const s: DeploymentSettings = { ...base };
  const bool = (k: string) => (typeof given[k] === 'boolean' ? (given[k] as boolean) : undefined);
  for (const k of [
    'public_logs',
    'public_sysinfo',
    'kms_enabled',
    'gateway_enabled',
    'local_key_provider_enabled',
    'no_instance_id',
    'secure_time',
  ] as const) {
    const v = bool(k);
    if (v !== undefined) s[k] = v;
  }
  if (typeof given.tproxy_enabled === 'boolean' && typeof given.gateway_enabled !== 'boolean')
    s.gateway_enabled = given.tproxy_enabled;
  for (const k of ['name', 'runner', 'key_provider', 'pre_launch_script', 'init_script', 'storage_fs'] as const) {
    if (typeof given[k] === 'string') s[k] = given[k] as string;
  }
  if (typeof given.manifest_version === 'number' || typeof given.manifest_version === 'string')
    s.manifest_version = given.manifest_version;
  if (Array.isArray(given.allowed_envs)) s.allowed_envs = given.allowed_envs.map(String);
  return s;
}

/** Which key provider the guest would use: only `kms` gives keys that are stable per app across instances. */
export function effectiveKeyProvider(s: DeploymentSettings): 'kms' | 'local' | 'tpm' | 'none' {
  if (s.key_provider === 'kms' || s.key_provider === 'local' || s.key_provider === 'tpm' || s.key_provider === 'none')
    return s.key_provider;
  if (s.kms_enabled) return 'kms';
  if (s.local_key_provider_enabled) return 'local';
  return 'none';
}
