import type { BootEvent, CvmOs, StopMode } from '../cvm/index.js';
import type { OpRecord } from '../docker/exec.js';
import type { KeyPhase, PlannedFault } from '../findings/drill-report.js';
import type { Finding, SuppressedFinding } from '../findings/types.js';
import type { EngineEvent, Journaled } from '../steps/index.js';
import type { HistoryOp } from './history.js';
import type { FaultKind } from './faults.js';

/**
 * The events both drills journal beside the step engine's (run-start, step-start/end, run-end,
 * resumed): evidence as it is observed (history ops, files outside volumes, secret names seen in
 * logs, keys per phase, engine operations) and conclusions (findings). The journal is the single
 * source of truth: reports, history.json and a resumed run's state are all derived from it.
 */
export type DrillEvent =
  /** How the app is run, journaled once when the run starts. */
  | { type: 'drill-start'; project: string; compose: { kind: string; version: string }; owner: string }
  | { type: 'op'; op: HistoryOp }
  | { type: 'engine-op'; op: OpRecord }
  /** Files a container wrote outside every mount (seen before containers are removed, and at the end). */
  | { type: 'outside-volume'; service: string; paths: string[] }
  /** Env-file secrets (by name) and credential formats seen in a container's log: never the value. */
  | { type: 'secret-in-log'; service: string; names: string[]; patterns: string[] }
  /** The keys the app asked the agent for during one phase (public keys only); `entries` read from its key log. */
  | { type: 'keys'; keys: KeyPhase; entries: number; next?: NextKeyPhase }
  | { type: 'finding'; finding: Finding }
  /** A finding `.preflight.yml` exempts (`exemptions:`), kept with its reason. */
  | { type: 'suppressed'; finding: SuppressedFinding }
  /** Wall time and time waiting on the engine of the process that drove the run, journaled as it closes. */
  | { type: 'timing'; wallMs: number; waitMs: number }
  | { type: 'cleanup'; containers: number; volumes: number; networks: number }
  // The restart drill.
  /** `bootFailed`: the first boot stopped before `compose up`, so nothing ran (and no data to check). */
  | { type: 'started'; ready: boolean; notReady?: string[]; bootFailed?: true }
  | { type: 'fault-start'; index: number; kind: FaultKind; service?: string }
  | {
      type: 'fault-end';
      index: number;
      kind: FaultKind;
      service?: string;
      injectMs: number;
      recoverMs: number;
      ready: boolean;
      notReady?: string[];
    }
  | { type: 'final-read'; ok: boolean; ids?: string[]; error?: string }
  /** The local CVM's boots: each step and what it did (src/cvm/types.ts). */
  | BootEvent;

export type DrillJournalEvent = Journaled<EngineEvent | DrillEvent>;
/** A line of any drill's journal as read back (each drill adds its own event types). */
export type JournalLine = Journaled<{ type: string }>;

/** The key phase a `keys` event opens: its name, the fault that opened it, the key provider from then on. */
export interface NextKeyPhase {
  phase: string;
  fault?: number;
  provider?: 'kms' | 'local' | 'tpm' | 'none';
}

/** The restart drill's input, as run-start records it (a resume reloads the project from it). */
export interface ProjectRef {
  /** The compose project as found (absolute paths): directory, files, kind. */
  target: { dir: string; files: string[]; kind: 'compose' | 'app-compose' };
  /** Paths in reports and findings are relative to it. */
  cwd: string;
  envFiles?: string[];
  /** Loaded strictly: a `${VAR:?}` the env file lacks is an input error, as it stops the boot. */
  strictRequired: boolean;
  /** sha256 of every source text read and the variable names of the env, to tell on resume that nothing changed. */
  fingerprint: { sources: Record<string, string>; envNames: string[]; config?: string };
}

export const HISTORY_FILE = 'history.json';

export { JOURNAL_FILE } from '../steps/index.js';

/** `drill restart`'s input, as its run-start records it. */
export interface RestartDrillInput {
  project: ProjectRef;
  /** As the report shows them: the project directory, the compose files relative to `project.cwd`. */
  dir: string;
  files: string[];
  seed: string;
  plan: PlannedFault[];
  services: string[];
  /** The service taking the writes (kill-midwrite's target, where data findings point). */
  writeService: string;
  /** Whose boot scripts the local CVM follows (absent in runs from before it was recorded: the default). */
  os?: CvmOs;
  /** How the reboot fault stops the CVM (absent: graceful). */
  stop?: StopMode;
}
