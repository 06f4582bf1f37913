/**
 * The local CVM's vocabulary: which guest OS behaviour it follows, how it stops, the steps of one
 * boot (docs/platform.md#boot-sequence) and the typed events a boot reports to its caller, which
 * journals them (the drills' step machine, the rollout's local fleet backend).
 */

/**
 * Whose boot scripts the CVM follows where dstack's release and main differ (docs/platform.md#versions).
 * `v0.5.11`: the latest release, what Phala Cloud's released OS images behave like; `main`: the
 * unreleased branch (`set -euo pipefail` around the pre-launch script, among others).
 */
export const CVM_OS_VERSIONS = ['v0.5.11', 'main'] as const;
export type CvmOs = (typeof CVM_OS_VERSIONS)[number];
export const DEFAULT_CVM_OS: CvmOs = 'v0.5.11';

/**
 * How the CVM goes down before a boot (docs/platform.md#stop-and-power): `graceful` is Phala's
 * `shutdownCvm` / a plain restart (`docker compose stop`: stop signal, grace period, SIGKILL);
 * `forced` is `stopCvm`, a power cut (every process SIGKILLed at once).
 */
export type StopMode = 'graceful' | 'forced';

/** The boot's steps in the order the guest runs them (docs/platform.md#boot-sequence, steps 1–8). */
export const BOOT_STEPS = [
  'volatile',
  'env',
  'remove-orphans',
  'agent',
  'engine-start',
  'pre-launch',
  'compose-up',
  'prune',
] as const;
export type BootStep = (typeof BOOT_STEPS)[number];

export const BOOT_STEP_TITLES: Record<BootStep, string> = {
  volatile: 'the tmpfs work dir /dstack starts empty; the compose file and app-compose.json are written into it',
  env: 'the decrypted env is filtered by allowed_envs and checked against the guest limits',
  'remove-orphans': 'containers of the project whose service is no longer in the compose file are deleted',
  agent: 'the guest agent starts (its sockets exist before dockerd)',
  'engine-start': 'dockerd restores containers by their restart policy, with their old config and image',
  'pre-launch': 'the pre_launch_script is sourced by the boot shell, in a sandbox',
  'compose-up': '`docker compose up --remove-orphans -d --build` (no --wait, no profiles)',
  prune: '`docker image prune -af` and `docker volume prune -f`, on this CVM only',
};

/** A container the boot touched, named the way reports show it. */
export interface BootContainer {
  service: string;
  id: string;
  image?: string;
  policy?: string;
}

/** One line of the pre-launch script, for messages (the text is masked). */
export interface ScriptLine {
  line: number;
  text: string;
}

/**
 * What the boot reports, in order, while it runs. Names of variables only, never values. The boot's
 * step is `bootStep`: the journal puts the drill step's id in `step` of every line.
 */
export type BootEvent =
  | { type: 'boot-start'; boot: number; version: string; os: CvmOs; after: StopMode | 'nothing' }
  | { type: 'boot-step-start'; boot: number; bootStep: BootStep }
  | { type: 'boot-step-end'; boot: number; bootStep: BootStep; ok: boolean; ms: number; detail: string }
  /** Variables of the env file the deployment's allowed_envs lacks: the guest drops them. */
  | { type: 'env-filtered'; boot: number; kept: number; dropped: string[] }
  | { type: 'orphans-removed'; boot: number; containers: BootContainer[] }
  /** Containers dockerd brought back with their old config before the pre-launch script and `up`. */
  | { type: 'engine-restored'; boot: number; containers: BootContainer[]; failed: BootContainer[] }
  /** A `docker` call of the pre-launch script and what the sandbox did with it. */
  | {
      type: 'sandbox-call';
      boot: number;
      method: string;
      path: string;
      verdict: 'forwarded' | 'scoped' | 'modelled' | 'refused';
      status: number;
      note?: string;
    }
  /** `dstack-util notify-host` from the script (boot.progress / boot.error). */
  | { type: 'boot-notify'; boot: number; event: string; detail: string }
  /** A command of the script failed; `fatal` when it ended the boot script. */
  | { type: 'pre-launch-failure'; boot: number; at?: ScriptLine; code: number; fatal: boolean; message: string }
  | { type: 'pre-launch-skipped'; boot: number; reason: string }
  /** An image this boot needs was deleted by an earlier boot's prune: the CVM pulls it again. */
  | { type: 'image-pulled-again'; boot: number; service: string; image: string; prunedAtBoot: number }
  | { type: 'pruned'; boot: number; images: string[]; volumes: string[] }
  | { type: 'boot-failed'; boot: number; bootStep: BootStep; reason: string; at?: ScriptLine }
  /** `disk`: what the CVM remembers between boots, so a resumed drill's CVM starts from it (LocalCvm.restore). */
  | { type: 'boot-end'; boot: number; ok: boolean; ms: number; disk: CvmDisk }
  /** The CVM went down; which containers were running then (a power cut leaves them to dockerd's restore). */
  | { type: 'cvm-stop'; mode: StopMode; running: string[] };

/** The CVM's memory of its disk beyond the engine's own state: the image model and its anonymous volumes. */
export interface CvmDisk {
  /** Image id → refs, for the images on the disk. */
  images: [string, string[]][];
  /** Image id → the boot whose prune deleted it. */
  pruned: [string, number][];
  anonymousVolumes: string[];
}

export type BootListener = (event: BootEvent) => void;

/** How one container answered a graceful stop. */
export interface StopOutcome {
  service: string;
  container: string;
  exitCode: number;
  ms: number;
  graceMs: number;
  /** Still running at the grace deadline and killed by the engine. */
  killed: boolean;
}
