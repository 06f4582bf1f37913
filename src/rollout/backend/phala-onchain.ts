/**
 * The Phala backend's on-chain part, when the rollout has the app owner's key: what a 465 asked
 * for is registered on the app contract (src/phala/onchain.ts, the SDK's `addComposeHash` /
 * `addDevice`), then the held upgrade goes on with `confirmCvmPatch`. The journal is kept by the
 * caller (rollout/onchain.ts); this only talks to the chain and the API.
 */
import {
  type ChainAction,
  OnChainRegistrar,
  type OnChainRegistration,
  type PhalaClient,
  type SignedTransaction,
  type SignerOptions,
} from '../../phala/index.js';
import type { OnChainOps, UpgradeStart } from './types.js';

export class PhalaOnChain implements OnChainOps {
  readonly #client: PhalaClient;
  readonly #signer: SignerOptions;
  /** The newest 465 per instance (its chain and app contract). */
  readonly #held: Map<string, OnChainRegistration>;
  /** One registrar per chain and contract (a fleet is one app: one, in practice). */
  readonly #registrars = new Map<string, Promise<OnChainRegistrar>>();
  #queue: Promise<unknown> = Promise.resolve();
  readonly signer: string;

  private constructor(
    client: PhalaClient,
    signer: SignerOptions,
    held: Map<string, OnChainRegistration>,
    address: string,
  ) {
    this.#client = client;
    this.#signer = signer;
    this.#held = held;
    this.signer = address;
  }

  static async create(
    client: PhalaClient,
    signer: SignerOptions,
    held: Map<string, OnChainRegistration>,
  ): Promise<PhalaOnChain> {
    const { privateKeyToAccount } = await import('viem/accounts');
    return new PhalaOnChain(client, signer, held, privateKeyToAccount(signer.privateKey as `0x${string}`).address);
  }

  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(fn, fn);
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async send(
    instance: string,
    action: ChainAction,
    beforeSend: (tx: SignedTransaction) => void,
    signal: AbortSignal,
  ): Promise<string> {
    return (await this.#registrar(instance)).send(action, beforeSend, signal);
  }

  async settle(instance: string, tx: SignedTransaction, signal: AbortSignal): Promise<void> {
    return (await this.#registrar(instance)).settle(tx, signal);
  }

  async confirm(
    instance: string,
    composeHash: string,
    transactionHash: string,
    signal: AbortSignal,
  ): Promise<UpgradeStart> {
    const out = await this.#client.confirmCvmPatch(instance, { composeHash, transactionHash }, { signal });
    if (out.kind === 'accepted') return { kind: 'started', operation: out.correlationId };
    return { kind: 'refused', detail: `HTTP ${out.status}: ${out.reason}` };
  }

  #registrar(instance: string): Promise<OnChainRegistrar> {
    const r = this.#held.get(instance);
    if (!r) throw new Error(`no on-chain registration is pending for ${instance}`);
    const key = `${r.kms.chainId}:${r.appId.toLowerCase()}`;
    let p = this.#registrars.get(key);
    if (!p) {
      p = OnChainRegistrar.open({ ...this.#signer, chainId: r.kms.chainId, appId: r.appId });
      p.catch(() => this.#registrars.delete(key));
      this.#registrars.set(key, p);
    }
    return p;
  }
}
