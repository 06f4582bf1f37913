/**
 * What an on-chain KMS must allow before an upgrade goes on (the HTTP 465 answer), registered on
 * the app contract with `@phala/cloud`'s own actions: `addComposeHash` for the new compose hash,
 * `addDevice` for a node the contract does not allow yet. The SDK builds, signs and sends the
 * transaction with viem; the transport it is given here hands every signed transaction to
 * `beforeSend` before it leaves, so the caller journals its hash (and its signed bytes, public
 * once sent) first: a process killed after sending resumes by waiting for that same transaction
 * (re-broadcasting those bytes if the node never saw them), never by signing a second one.
 *
 * The key only reaches viem's `privateKeyToAccount`; no message built here holds it, or the RPC
 * URL (which often carries a provider's API key): errors name the RPC's host only.
 */
import type { Chain, Hex } from 'viem';
import { InputError, UsageError } from '../util/errors.js';

/** Who signs, and through which node. */
export interface SignerOptions {
  /** 0x and 64 hex digits. */
  privateKey: string;
  /** JSON-RPC endpoint; default: the chain's public RPC as viem lists it. */
  rpcUrl?: string;
  /** How long to wait for a transaction's receipt (default 120 s, the SDK's). */
  receiptTimeoutMs?: number;
}

export type ChainAction = { kind: 'compose-hash'; composeHash: string } | { kind: 'device'; deviceId: string };

/** A signed transaction: its hash and its raw bytes (what `eth_sendRawTransaction` carries). */
export interface SignedTransaction {
  hash: string;
  raw: string;
}

/** Why a registration failed, for the finding. */
export type OnChainFailure = 'rpc' | 'balance' | 'owner' | 'chain' | 'reverted' | 'replaced' | 'other';

export class OnChainError extends InputError {
  readonly kind: OnChainFailure;
  constructor(message: string, kind: OnChainFailure) {
    super(message);
    this.name = 'OnChainError';
    this.kind = kind;
  }
}

/**
 * The chains `@phala/cloud` 0.2.9 knows (its `SUPPORTED_CHAINS`, src/types/supported_chains.ts:
 * Ethereum, Base, Anvil): the 465's `kms_info.chain_id` picks one. Loaded with viem when needed.
 */
const CHAIN_NAMES: Readonly<Record<number, 'mainnet' | 'base' | 'anvil'>> = {
  1: 'mainnet',
  8453: 'base',
  31337: 'anvil',
};

export async function chainFor(chainId: number | null | undefined): Promise<Chain> {
  const name = chainId == null ? undefined : CHAIN_NAMES[chainId];
  if (!name)
    throw new OnChainError(
      `the app's KMS is on chain ${chainId ?? '(none given)'}, which @phala/cloud cannot send to ` +
        `(it knows ${Object.keys(CHAIN_NAMES).join(', ')})`,
      'chain',
    );
  const chains = await import('viem/chains');
  return chains[name];
}

/** A private key as given (from an environment variable); the message never holds the value. */
export function parsePrivateKey(text: string | undefined, source: string): string {
  const t = (text ?? '').trim();
  if (!t) throw new UsageError(`${source} is not set (it must hold the app owner's private key)`);
  const key = /^0x/i.test(t) ? t : `0x${t}`;
  if (!/^0x[0-9a-fA-F]{64}$/.test(key)) throw new UsageError(`${source} does not hold a private key (0x and 64 hex)`);
  return key;
}

interface RegistrarSettings {
  privateKey: string;
  rpcUrl: string;
  receiptTimeoutMs: number;
}

export class OnChainRegistrar {
  readonly address: string;
  /** The RPC's host, for messages (never its whole URL). */
  readonly rpcHost: string;
  readonly #o: RegistrarSettings;
  readonly #chain: Chain;
  readonly #appId: string;
  readonly #viem: typeof import('viem');
  readonly #sdk: typeof import('@phala/cloud');
  #beforeSend: ((tx: SignedTransaction) => void) | undefined;

  private constructor(
    viem: typeof import('viem'),
    sdk: typeof import('@phala/cloud'),
    address: string,
    chain: Chain,
    appId: string,
    o: RegistrarSettings,
  ) {
    this.#viem = viem;
    this.#sdk = sdk;
    this.address = address;
    this.#chain = chain;
    this.#appId = appId;
    this.#o = o;
    this.rpcHost = hostOf(o.rpcUrl);
  }

  /** For the app contract `appId` (the app id of an on-chain KMS app is its address) on `chainId`. */
  static async open(o: SignerOptions & { chainId: number | null; appId: string }): Promise<OnChainRegistrar> {
    const chain = await chainFor(o.chainId);
    const rpcUrl = o.rpcUrl ?? chain.rpcUrls.default.http[0];
    if (!rpcUrl || !/^https?:\/\//.test(rpcUrl)) throw new UsageError('the RPC URL must be an http(s) URL');
    if (!/^(0x)?[0-9a-fA-F]{40}$/.test(o.appId))
      throw new OnChainError(`the app id ${o.appId} is not a contract address`, 'other');
    const [viem, accounts, sdk] = await Promise.all([import('viem'), import('viem/accounts'), import('@phala/cloud')]);
    const address = accounts.privateKeyToAccount(o.privateKey as Hex).address;
    const opts = { privateKey: o.privateKey, rpcUrl, receiptTimeoutMs: o.receiptTimeoutMs ?? 120_000 };
    return new OnChainRegistrar(viem, sdk, address, chain, o.appId, opts);
  }

  /**
   * Sign and send one registration with the SDK, and wait for its receipt (one confirmation).
   * `beforeSend` gets the signed transaction before each broadcast (a retried broadcast repeats
   * the same bytes). Returns the transaction hash.
   */
  async send(action: ChainAction, beforeSend: (tx: SignedTransaction) => void, signal?: AbortSignal): Promise<string> {
    const { walletClient, publicClient } = await this.#clients();
    const common = {
      chain: this.#chain,
      walletClient,
      publicClient,
      timeout: this.#o.receiptTimeoutMs,
      ...(signal ? { signal } : {}),
    };
    this.#beforeSend = beforeSend;
    try {
      const out = await quietly<{ transactionHash: string }>(() =>
        action.kind === 'compose-hash'
          ? this.#sdk.addComposeHash({ ...common, appId: this.#appId, composeHash: action.composeHash } as never)
          : this.#sdk.addDevice({ ...common, appAddress: this.#appId, deviceId: action.deviceId } as never),
      );
      return out.transactionHash;
    } catch (e) {
      throw this.#failure(e);
    } finally {
      this.#beforeSend = undefined;
    }
  }

  /**
   * A transaction sent before a crash: wait for its receipt; when the node does not know it (the
   * process died between journaling and sending), broadcast the same signed bytes again.
   */
  async settle(tx: SignedTransaction, signal?: AbortSignal): Promise<void> {
    const { publicClient } = await this.#clients();
    const hash = tx.hash as Hex;
    try {
      let receipt = await publicClient.getTransactionReceipt({ hash }).catch((e: unknown) => {
        if (isNotFound(e)) return undefined;
        throw e;
      });
      if (!receipt) {
        const known = await publicClient.getTransaction({ hash }).catch((e: unknown) => {
          if (isNotFound(e)) return undefined;
          throw e;
        });
        if (!known) await publicClient.sendRawTransaction({ serializedTransaction: tx.raw as Hex });
        if (signal?.aborted) throw new OnChainError('aborted', 'other');
        receipt = await publicClient.waitForTransactionReceipt({ hash, timeout: this.#o.receiptTimeoutMs });
      }
      if (receipt.status !== 'success') throw new OnChainError(`transaction ${tx.hash} reverted on chain`, 'reverted');
    } catch (e) {
      throw this.#failure(e);
    }
  }

  async #clients() {
    const v = this.#viem;
    const { privateKeyToAccount } = await import('viem/accounts');
    const inner = v.http(this.#o.rpcUrl)({ chain: this.#chain });
    // The one place a signed transaction leaves: the caller sees it first. The inner http
    // transport retries (viem's default: 3, with backoff); this wrapper does not retry again.
    const transport = v.custom(
      {
        request: async ({ method, params }: { method: string; params?: unknown }) => {
          if (method === 'eth_sendRawTransaction' && this.#beforeSend) {
            const raw = (params as [Hex])[0];
            this.#beforeSend({ hash: v.keccak256(raw), raw });
          }
          return inner.request({ method, params } as never);
        },
      },
      { retryCount: 0 },
    );
    const account = privateKeyToAccount(this.#o.privateKey as Hex);
    const walletClient = v.createWalletClient({ account, chain: this.#chain, transport });
    const publicClient = v.createPublicClient({ chain: this.#chain, transport });
    return { walletClient, publicClient };
  }

  /** One line, naming the RPC's host only and never the key. */
  #failure(e: unknown): OnChainError {
    if (e instanceof OnChainError) return e;
    const text = clean(messageOf(e), this.#o);
    if (unreachable(e)) return new OnChainError(`the RPC at ${this.rpcHost} did not answer (${text})`, 'rpc');
    if (/^Insufficient balance/i.test(text)) return new OnChainError(text, 'balance');
    if (/is not the owner of contract/i.test(text)) return new OnChainError(text, 'owner');
    if (/^Network mismatch/i.test(text)) return new OnChainError(`${text} (RPC at ${this.rpcHost})`, 'chain');
    if (/nonce too low|replacement transaction/i.test(text))
      return new OnChainError(`the transaction's nonce was used by another transaction (${text})`, 'replaced');
    if (/reverted|failed on-chain/i.test(text)) return new OnChainError(text, 'reverted');
    return new OnChainError(text, 'other');
  }
}

/**
 * The SDK prints `receipt.logs` with console.log after `addComposeHash` (parseComposeHashResult):
 * on stdout, where a `--format json` report goes. Muted for the call (the receipt is public and
 * the transaction hash is journaled anyway).
 */
let muted = 0;
let kept: { log: typeof console.log; warn: typeof console.warn } | undefined;
async function quietly<T>(fn: () => Promise<T>): Promise<T> {
  if (muted++ === 0) {
    kept = { log: console.log, warn: console.warn };
    console.log = () => {};
    console.warn = () => {};
  }
  try {
    return await fn();
  } finally {
    if (--muted === 0 && kept) {
      console.log = kept.log;
      console.warn = kept.warn;
      kept = undefined;
    }
  }
}

function messageOf(e: unknown): string {
  const x = e as { shortMessage?: unknown; message?: unknown } | null;
  const m = typeof x?.shortMessage === 'string' ? x.shortMessage : typeof x?.message === 'string' ? x.message : '';
  return m || String(e);
}

/** First line, the URL cut to its host, the key (with or without 0x) removed; bounded. */
function clean(text: string, o: { privateKey: string; rpcUrl: string }): string {
  let t = text.split('\n')[0]!.trim();
  for (const k of [o.privateKey, o.privateKey.slice(2)]) t = t.split(k).join('[private key]');
  t = t.split(o.rpcUrl).join(hostOf(o.rpcUrl));
  t = t.replace(/https?:\/\/[^\s"')]+/g, (u) => hostOf(u));
  return t.length > 300 ? `${t.slice(0, 297)}...` : t;
}

/** No answer from the node: viem's HTTP or timeout error, under the SDK's wrappers (`details`) or viem's (`cause`). */
function unreachable(e: unknown): boolean {
  type Link = { name?: string; cause?: unknown; details?: unknown } | undefined;
  for (let c = e as Link, n = 0; c && typeof c === 'object' && n < 8; n++) {
    if (c.name === 'HttpRequestError' || c.name === 'TimeoutError' || c.name === 'NetworkError') return true;
    c = (c.details ?? c.cause) as Link;
  }
  return false;
}

function isNotFound(e: unknown): boolean {
  const name = (e as { name?: string } | null)?.name ?? '';
  return name === 'TransactionReceiptNotFoundError' || name === 'TransactionNotFoundError';
}

export function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return 'the RPC';
  }
}
