import type { Severity } from '../findings/types.js';
import type { LNode, Location } from '../yaml/located.js';

/**
 * `.preflight.yml` as validated against schema/preflight.schema.json. The interfaces mirror that
 * schema: the drill settings are as written (durations as strings), the drills turn them into
 * their own typed settings.
 */
export interface PreflightConfig {
  /** Display name of the file, when there is one. */
  file?: string;
  rules: Record<string, Severity | 'off'>;
  exemptions: Exemption[];
  /** The deployment fields given, as written. */
  deployment?: Record<string, unknown>;
  deploymentLocations: Partial<Record<string, Location>>;
  drill?: DrillSettings;
  rollout?: Record<string, unknown>;
  /** The located tree, so later semantic checks can name the line (`configError`). */
  tree?: LNode;
}

export interface Exemption {
  rule: string;
  service?: string;
  reason: string;
}

export type Duration = string | number;

export interface ActionSettings {
  http?: string;
  headers?: Record<string, string | number | boolean>;
  body?: string;
  status?: number;
  timeout?: Duration;
  service?: string;
  exec?: string[] | { service?: string; command: string[] };
}

export interface DrillSettings {
  ready?: Record<string, 'healthcheck' | 'running' | ActionSettings>;
  ready_timeout?: Duration;
  traffic?: Duration;
  workload?: { write: ActionSettings; read: ActionSettings; service?: string; interval?: Duration; timeout?: Duration };
  faults?: string[];
  rounds?: number;
  seed?: string | number;
  /** Whose boot scripts the local CVM follows (src/cvm/types.ts CVM_OS_VERSIONS). */
  os?: 'v0.5.11' | 'main';
  /** How the reboot fault stops the CVM. */
  stop?: 'graceful' | 'forced';
  upgrade?: {
    seed?: ActionSettings;
    seed_writes?: number;
    expect_changes?: (string | { path: string; changes?: string[] })[];
    data_errors?: string[];
    fingerprint?: { max_files?: number; max_bytes?: number | string };
  };
}
