/**
 * What a rollout needs from the platform its instances run on: Phala Cloud (through its API) or
 * the local Docker engine (a rehearsal fleet). Both answer in the same terms, so the steps, the
 * gates and the reports are one code path.
 */

import type { ChainAction, SignedTransaction } from '../../phala/onchain.js';

/** One instance as the platform reports it now. */
export interface InstanceSnapshot {
  /** Stable id (Phala: the VM's UUID; local: `local-1` …). */
  id: string;
  name: string;
  /** What it runs: the compose hash (of app-compose.json, as the platform computes it). */
  version: string;
  /** The platform's status word (`running`, `starting`, `stopped` …). */
  status: string;
  /** An operation (an upgrade, a restart) is under way. */
  inProgress: boolean;
  bootError?: string;
}

/** What the platform said to an upgrade request. */
export type UpgradeStart =
  | { kind: 'started'; operation?: string }
  /** HTTP 465: the app's KMS is on chain and the compose hash must be allowed first. Nothing changed. */
  | {
      kind: 'onchain-registration-required';
      composeHash: string;
      appId: string;
      deviceId: string;
      chain?: string;
      /** What the platform read on chain, when it says (false: must be registered). */
      composeHashAllowed?: boolean;
      deviceAllowed?: boolean;
    }
  /** The platform refused; nothing changed. */
  | { kind: 'refused'; detail: string };

export type BootOutcome =
  | { ok: true; version: string; detail: string }
  | { ok: false; reason: 'boot-error' | 'images' | 'deadline'; detail: string; version?: string };

export interface WaitOptions {
  /** The version it ran before the request: a record still showing it means the upgrade has not begun. */
  from: string;
  /** The version it must run now, when known (a rollback's, or the predicted target). */
  to?: string;
  /** Clock time at which to give up (the healthy deadline). */
  deadlineAt: number;
  signal: AbortSignal;
}

/**
 * Registering on chain what a 465 asks for, when the rollout was given the app owner's key
 * (Phala backend only). `instance` names the instance whose 465 it answers (its chain, its app).
 */
export interface OnChainOps {
  /** The signer's address (not secret), for messages. */
  readonly signer: string;
  /** One at a time: one account's transactions share its nonce, and a hash is registered once per fleet. */
  exclusive<T>(fn: () => Promise<T>): Promise<T>;
  /** Sign and send, wait for one confirmation; `beforeSend` sees the signed transaction before it leaves. */
  send(
    instance: string,
    action: ChainAction,
    beforeSend: (tx: SignedTransaction) => void,
    signal: AbortSignal,
  ): Promise<string>;
  /** A transaction journaled before a crash: wait for it (sending the same bytes again if the node never saw it). */
  settle(instance: string, tx: SignedTransaction, signal: AbortSignal): Promise<void>;
  /** Go on with the upgrade the 465 held (`confirmCvmPatch`); `transactionHash` may be `already-registered`. */
  confirm(instance: string, composeHash: string, transactionHash: string, signal: AbortSignal): Promise<UpgradeStart>;
}

export interface RolloutBackend {
  /** Set when the backend can register what an on-chain KMS asks for (a key was given). */
  readonly onChain?: OnChainOps;
  readonly kind: 'phala' | 'local';
  /** The fleet now, in rollout order. */
  fleet(signal?: AbortSignal): Promise<InstanceSnapshot[]>;
  /** One instance now (cheaper than the whole fleet: one record). */
  snapshot(id: string, signal?: AbortSignal): Promise<InstanceSnapshot | undefined>;
  /** The version every instance runs once upgraded. */
  readonly targetVersion: string;
  /** The instance's own URL (gates, the balancer's server address). */
  instanceUrl(id: string, signal?: AbortSignal): Promise<string>;
  /**
   * Ask for the instance to run the target, or (rollback) `version`, which it ran before.
   * Returns once the platform accepted or refused; the boot is awaited with `waitBooted`.
   */
  upgrade(id: string, to: 'target' | { version: string }, signal: AbortSignal): Promise<UpgradeStart>;
  /**
   * Wait until the platform says the instance runs a new version and booted: no operation in
   * progress, no boot error, and the containers of that version running.
   */
  waitBooted(id: string, o: WaitOptions): Promise<BootOutcome>;
  close(): Promise<void>;
}
