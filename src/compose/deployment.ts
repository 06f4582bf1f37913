import { configValidator } from '../config/validator.js';
import type { DeploymentSource } from '../findings/types.js';
import type { LNode, Location } from '../yaml/located.js';
import { explainErrors, type SchemaProblem } from '../yaml/schema-errors.js';

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

export interface Deployment {
  settings: DeploymentSettings;
  source: DeploymentSource;
  /** The file the settings came from (app-compose.json or .preflight.yml). */
  file?: string;
  /** Where each given field was written, for findings about the deployment. */
  locations: Partial<Record<string, Location>>;
}

/**
 * Overlay the given fields (app-compose.json or .preflight.yml `deployment:`) on a base. The fields
 * were validated against the schema's `deployment` definition first (`deploymentProblems`, and the
 * configuration loader), so a value is taken as written: nothing is coerced or silently dropped.
 */
export function deploymentFrom(base: DeploymentSettings, given: Record<string, unknown>): DeploymentSettings {
  const s: DeploymentSettings = { ...base };
  const known = s as unknown as Record<string, unknown>;
  for (const k of SETTING_KEYS) if (given[k] !== undefined && given[k] !== null) known[k] = given[k];
  // dstack: `gateway_enabled || tproxy_enabled` (dstack-types lib.rs, deserialize_gateway_enabled).
  if (given.tproxy_enabled === true && given.gateway_enabled === undefined) s.gateway_enabled = true;
  return s;
}

/** The DeploymentSettings fields, each read from the field of the same name. */
const SETTING_KEYS = [
  'manifest_version',
  'name',
  'runner',
  'public_logs',
  'public_sysinfo',
  'kms_enabled',
  'gateway_enabled',
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

/**
 * Fields dstack reads as optional (`Option<String>` in dstack-types' AppCompose, or read with jq),
 * for which `null` means "not given". Every other field must have its type: serde refuses a `null`
 * boolean, and a string such as "no" or "true" is not read as a boolean by anyone.
 */
const NULLABLE_MANIFEST_FIELDS = new Set([
  'key_provider',
  'storage_fs',
  'pre_launch_script',
  'init_script',
  'bash_script',
]);

/**
 * Type-check the known fields of an app-compose.json with the same schema definition that
 * validates `.preflight.yml`'s `deployment:` (schema/preflight.schema.json, definitions/deployment).
 * A manifest has more fields (docker_compose_file, bash_script, features, …): those are allowed.
 * Each problem names the field's line.
 */
export function deploymentProblems(manifest: Record<string, unknown>, tree: LNode): SchemaProblem[] {
  const fields: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(manifest)) if (!(v === null && NULLABLE_MANIFEST_FIELDS.has(k))) fields[k] = v;
  const validate = configValidator();
  if (validate({ deployment: fields })) return [];
  const errors = (validate.errors ?? [])
    .filter((e) => !(e.keyword === 'additionalProperties' && e.instancePath === '/deployment'))
    .map((e) => ({ ...e, instancePath: e.instancePath.replace(/^\/deployment/, '') }));
  return explainErrors(errors, tree);
}

/** The init scripts as a list, whichever form app-compose.json used. */
export function initScripts(s: DeploymentSettings): string[] {
  const v = s.init_script;
  return v === undefined ? [] : typeof v === 'string' ? [v] : v;
}

/** Which key provider the guest would use: only `kms` gives keys that are stable per app across instances. */
export function effectiveKeyProvider(s: DeploymentSettings): 'kms' | 'local' | 'tpm' | 'none' {
  if (s.key_provider === 'kms' || s.key_provider === 'local' || s.key_provider === 'tpm' || s.key_provider === 'none')
    return s.key_provider;
  if (s.kms_enabled) return 'kms';
  if (s.local_key_provider_enabled) return 'local';
  return 'none';
}
