import type { Finding, SuppressedFinding } from './types.js';

/**
 * The drill reports as every renderer reads them (text and JSON in src/drills, HTML in
 * src/report/html/drill.ts): types only, at a layer report/ may import. Built from a run's journal
 * by src/drills/report.ts and src/drills/upgrade/report.ts.
 */

export type DrillRunStatus = 'passed' | 'failed' | 'error' | 'interrupted' | 'aborted' | 'running';

export type FaultKindName = 'restart' | 'kill' | 'kill-all' | 'reboot' | 'kill-midwrite';

export interface PlannedFault {
  index: number;
  kind: FaultKindName;
  /** Target service for single-service faults. */
  service?: string;
}

/** The outcome of Jepsen's set checker on a history and a final read. */
export interface SetCheck {
  attempted: number;
  acknowledged: number;
  failed: number;
  unknown: number;
  read: number;
  /** Acknowledged but not read back: data loss. */
  lost: string[];
  /** Read back but never attempted: corruption or a foreign writer. */
  unexpected: string[];
  /** Outcome unknown, yet present: the write took effect. */
  recovered: string[];
  /** Outcome unknown and absent: fine either way. */
  unknownAbsent: number;
  valid: boolean;
}

/** One distinct key the guest-agent stand-in served during a phase (public key only). */
export interface KeyRecord {
  endpoint: string;
  path: string;
  purpose: string;
  algorithm: string;
  publicKeyHex: string;
  /** False for keys fresh by design (per-call TLS keys), never compared. */
  stable: boolean;
  /** How many times it was requested in the phase. */
  requests: number;
}

/** The keys served during one phase of a run: from its start to the start of the next. */
export interface KeyPhase {
  phase: string;
  /** The fault that opened this phase (restart drill). */
  fault?: number;
  /** How the agent gave keys in this phase (the deployment's key provider). */
  provider: 'kms' | 'local' | 'tpm' | 'none';
  keys: KeyRecord[];
}

/** Seconds from the start of the run: write outcomes per second and the spans drawn behind them. */
export interface DrillTimeline {
  writes: { t: number; ok: number; fail: number; unknown: number }[];
  spans: {
    kind: 'fault' | 'step' | 'gap';
    label: string;
    start: number;
    /** A fault: when the injection ended (recovery starts). */
    injected?: number;
    end?: number;
    ok?: boolean;
  }[];
}

export interface DrillTiming {
  wallMs: number;
  /** The drill's own time: wall time minus time spent waiting on the engine and the containers. */
  overheadMs: number;
  waitMs: number;
  composeOps: number;
  composeMs: number;
  dockerOps: number;
  dockerMs: number;
  /** Processes that drove the run (more than 1 after `drill resume`). */
  segments: number;
}

export interface FaultResult {
  index: number;
  kind: string;
  service?: string;
  injectMs: number;
  recoverMs: number;
  ready: boolean;
  notReady?: string[];
  /** Writes during this fault: acknowledged, failed, unknown. */
  writes: { ok: number; fail: number; unknown: number };
}

/** One boot of the local CVM (src/cvm): its steps with their wall time and what they did. */
export interface BootSummary {
  boot: number;
  /** The version booted (`app`, `old`, `new`). */
  version: string;
  /** dstack version whose boot scripts ran (`v0.5.11`, `main`). */
  os: string;
  /** What stopped the CVM before: `graceful`, `forced`, or `nothing` (a first boot). */
  after: string;
  ok: boolean;
  ms: number;
  steps: { step: string; ok: boolean; ms: number; detail: string }[];
  /** Variables of the env file the deployment's allowed_envs lacks: the guest dropped them. */
  droppedEnv: string[];
  /** Containers dockerd brought back with their old config before `compose up`. */
  restored: string[];
  orphans: string[];
  failed?: { step: string; reason: string };
}

/** `preflight drill restart`'s report. */
export interface DrillReport {
  tool: { name: string; version: string };
  drill: string;
  drillId: string;
  status: DrillRunStatus;
  error?: string;
  project: string;
  dir: string;
  files: string[];
  compose: { kind: string; version: string };
  seed: string;
  plan: PlannedFault[];
  services: string[];
  faults: FaultResult[];
  /** Jepsen set-checker result; absent without a workload or when the final read failed. */
  check?: SetCheck;
  finalRead?: { ok: boolean; error?: string };
  historyFile: string;
  /** Keys the app asked the guest agent for, per phase (when a service mounts the agent socket). */
  keys?: KeyPhase[];
  /** The local CVM's boots (first start, reboots, upgrade, rollback). */
  boots?: BootSummary[];
  findings: Finding[];
  /** Findings `.preflight.yml` exempts, with the reason. */
  suppressed: SuppressedFinding[];
  timing: DrillTiming;
  cleanup?: { containers: number; volumes: number; networks: number };
  timeline: DrillTimeline;
}

/** What the upgrade did to one volume's files, OLD's fingerprint against the one after NEW ran. */
export interface VolumeDiff {
  volume: string;
  key: string;
  before: { files: number; bytes: number };
  after?: { files: number; bytes: number };
  /** NEW does not mount this volume at all: its data is orphaned. */
  orphaned: boolean;
  deleted: string[];
  /** Smaller than before, content differs (truncated, or rows removed). */
  shrunk: string[];
  /** Same or larger size, content before the old end differs. */
  rewritten: string[];
  /** Changes the allow-list (`drill.upgrade.expect_changes`) expects. */
  expected: { path: string; change: 'deleted' | 'shrunk' | 'rewritten'; pattern: string }[];
  /** Only appended to. */
  grown: number;
  added: number;
  unchanged: number;
  incomplete?: string;
}

export type UpgradeStepName = 'plan' | 'start-old' | 'seed' | 'fingerprint' | 'upgrade' | 'verify' | 'rollback';

export interface UpgradeStepOutcome {
  step: UpgradeStepName;
  title: string;
  status: 'ok' | 'failed' | 'skipped' | 'not reached';
  ms: number;
  detail: string;
}

/** `preflight drill upgrade`'s report. */
export interface UpgradeReport {
  tool: { name: string; version: string };
  drill: 'upgrade';
  drillId: string;
  status: DrillRunStatus;
  error?: string;
  /** The step where the drill could not go on (e.g. NEW never ready), if any. */
  stoppedAt?: { step: UpgradeStepName; detail: string };
  project: string;
  from: { dir: string; files: string[] };
  to: { dir: string; files: string[] };
  compose: { kind: string; version: string };
  steps: UpgradeStepOutcome[];
  /** Findings of the static diff, run first (informational: they do not fail the drill). */
  diff: Finding[];
  volumes: VolumeDiff[];
  check?: SetCheck;
  rollbackCheck?: SetCheck;
  historyFile: string;
  /** Keys the app asked the guest agent for: OLD, after the upgrade, after the rollback. */
  keys?: KeyPhase[];
  /** The local CVM's boots (first start, reboots, upgrade, rollback). */
  boots?: BootSummary[];
  findings: Finding[];
  /** Findings `.preflight.yml` exempts, with the reason. */
  suppressed: SuppressedFinding[];
  timing: DrillTiming;
  cleanup?: { containers: number; volumes: number; networks: number };
  timeline: DrillTimeline;
}

/** Either drill's report, tagged with its drill (`drill report RUN` and the HTML page take both). */
export type AnyDrillReport = { drill: 'restart'; report: DrillReport } | { drill: 'upgrade'; report: UpgradeReport };
