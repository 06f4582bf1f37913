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
  /** One script, or (dstack main, `manifest_version: "3"`) a list of up to 5: see `initScripts`. */
  init_script?: string | string[];
  storage_fs: string;
  /** Pins the key provider's identity (hex); unset: not pinned. */
  key_provider_id?: string;
  public_tcbinfo?: boolean;
  /** Gateway port policy (dstack v0.5.11+): PROXY protocol per port, refuse unlisted ports. */
  port_policy?: PortPolicy;
  /** Launch requirements (dstack main; need `manifest_version: "3"`). */
  requirements?: Requirements;
  swap_size?: number | string;
  /** dstack main: dm-verity volumes; kept as written. */
  verity_volumes?: unknown;
  /** nerdctl runner only (dstack main). */
  snapshotter?: string;
  event_log_version?: number;
}

/** `port_policy` of app-compose.json (docs/platform.md#newer-manifest-fields). */
export interface PortPolicy {
  restrict_mode?: boolean;
  ports?: { port: number; pp?: boolean }[];
}

/** `requirements` of app-compose.json; dstack main refuses to boot when they are not met. */
export interface Requirements {
  os_version?: string;
  platforms?: string[];
  tdx_measure_acpi_tables?: boolean;
  launch_token_hash?: string;
  gpu_policy?: unknown;
  [key: string]: unknown;
}

/** Phala Cloud's defaults (docs/platform.md#manifest), used when neither app-compose.json nor .preflight.yml says. */
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
  'key_provider_id',
  'public_tcbinfo',
  'port_policy',
  'requirements',
  'swap_size',
  'verity_volumes',
  'snapshotter',
  'event_log_version',
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
    'public_tcbinfo',
  ] as const) {
    const v = bool(k);
    if (v !== undefined) s[k] = v;
  }
  if (typeof given.tproxy_enabled === 'boolean' && typeof given.gateway_enabled !== 'boolean')
    s.gateway_enabled = given.tproxy_enabled;
  for (const k of [
    'name',
    'runner',
    'key_provider',
    'pre_launch_script',
    'storage_fs',
    'key_provider_id',
    'snapshotter',
  ] as const) {
    if (typeof given[k] === 'string') s[k] = given[k] as string;
  }
  const init = given.init_script;
  if (typeof init === 'string') s.init_script = init;
  else if (Array.isArray(init) && init.every((x) => typeof x === 'string')) s.init_script = [...(init as string[])];
  if (isObject(given.port_policy)) s.port_policy = portPolicyFrom(given.port_policy);
  if (isObject(given.requirements)) s.requirements = { ...given.requirements } as Requirements;
  if (typeof given.swap_size === 'number' || typeof given.swap_size === 'string') s.swap_size = given.swap_size;
  if (given.verity_volumes !== undefined) s.verity_volumes = given.verity_volumes;
  if (typeof given.event_log_version === 'number') s.event_log_version = given.event_log_version;
  if (typeof given.manifest_version === 'number' || typeof given.manifest_version === 'string')
    s.manifest_version = given.manifest_version;
  if (Array.isArray(given.allowed_envs)) s.allowed_envs = given.allowed_envs.map(String);
  return s;
}

/** The init scripts as a list, whichever form app-compose.json used. */
export function initScripts(s: DeploymentSettings): string[] {
  const v = s.init_script;
  return v === undefined ? [] : typeof v === 'string' ? [v] : v;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The well-formed part of a `port_policy` (the schema check reports the rest). */
function portPolicyFrom(v: Record<string, unknown>): PortPolicy {
  const out: PortPolicy = {};
  if (typeof v.restrict_mode === 'boolean') out.restrict_mode = v.restrict_mode;
  if (Array.isArray(v.ports))
    out.ports = v.ports
      .filter((p): p is Record<string, unknown> => isObject(p) && typeof p.port === 'number')
      .map((p) => ({ port: p.port as number, ...(typeof p.pp === 'boolean' ? { pp: p.pp } : {}) }));
  return out;
}

/** Which key provider the guest would use: only `kms` gives keys that are stable per app across instances. */
export function effectiveKeyProvider(s: DeploymentSettings): 'kms' | 'local' | 'tpm' | 'none' {
  if (s.key_provider === 'kms' || s.key_provider === 'local' || s.key_provider === 'tpm' || s.key_provider === 'none')
    return s.key_provider;
  if (s.kms_enabled) return 'kms';
  if (s.local_key_provider_enabled) return 'local';
  return 'none';
}
