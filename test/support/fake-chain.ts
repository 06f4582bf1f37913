/**
 * A stand-in for an Ethereum JSON-RPC node on 127.0.0.1 (port 0) holding one dstack app contract
 * (owner, allowed compose hashes, allowed devices), answering what viem asks when @phala/cloud's
 * `addComposeHash` / `addDevice` run: eth_chainId, eth_getBalance, eth_call of `owner()`,
 * eth_getTransactionCount, eth_getBlockByNumber, eth_maxPriorityFeePerGas, eth_estimateGas,
 * eth_sendRawTransaction, eth_getTransactionReceipt (eth_fillTransaction is "method not found",
 * as on most nodes, and viem falls back).
 *
 * It is no accept-anything stub: a raw transaction is decoded (viem's parseTransaction) and its
 * signer recovered, and it is refused unless it is an EIP-1559 transaction for this chain id, to
 * the app contract, calling `addComposeHash(bytes32)` or `addDevice(bytes32)`, from the owner,
 * with the account's next nonce and enough balance for its gas. An accepted one is mined at once
 * (a block of its own) with the contract's event in its receipt, and updates the contract state,
 * which the fake Phala API (fake-phala/) shares to answer 465s and confirmations.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  decodeFunctionData,
  encodeAbiParameters,
  type Hex,
  keccak256,
  parseTransaction,
  recoverTransactionAddress,
  toEventSelector,
  toHex,
} from 'viem';

const APP_ABI = [
  {
    type: 'function',
    name: 'addComposeHash',
    inputs: [{ name: 'composeHash', type: 'bytes32' }],
    outputs: [],
    stateMutability: 'nonpayable',
  },
  {
    type: 'function',
    name: 'addDevice',
    inputs: [{ name: 'deviceId', type: 'bytes32' }],
    outputs: [],
    stateMutability: 'nonpayable',
  },
] as const;
const OWNER_SELECTOR = '0x8da5cb5b';
const EVENTS = {
  addComposeHash: toEventSelector('ComposeHashAdded(bytes32)'),
  addDevice: toEventSelector('DeviceAdded(bytes32)'),
};
const GAS = 50_000n;
const BASE_FEE = 1_000_000_000n;
const TIP = 1_000_000n;

export interface FakeChainOptions {
  chainId?: number;
  /** The app contract's address (the on-chain KMS app's id). */
  contract: string;
  owner: string;
  /** Wei per address (lowercase); default 1 ETH for the owner. */
  balances?: Record<string, bigint>;
  /** Shared with the fake Phala fleet: hex without 0x, lowercase. */
  allowedHashes: Set<string>;
  allowedDevices?: Set<string>;
}

export interface MinedTransaction {
  hash: string;
  raw: string;
  from: string;
  to: string;
  chainId: number;
  nonce: number;
  functionName: 'addComposeHash' | 'addDevice';
  arg: string;
  block: number;
}

export class FakeChain {
  readonly chainId: number;
  readonly contract: string;
  owner: string;
  readonly balances = new Map<string, bigint>();
  readonly allowedHashes: Set<string>;
  readonly allowedDevices: Set<string>;
  readonly nonces = new Map<string, number>();
  /** Methods in the order asked. */
  readonly log: string[] = [];
  readonly mined: MinedTransaction[] = [];
  /** Every eth_sendRawTransaction, accepted or not (its bytes' hash and the error given). */
  readonly broadcasts: { hash: string; error?: string }[] = [];
  /** Answer eth_getTransactionReceipt with null this many times after a send (a transaction still pending). */
  pendingReceipts = 0;
  /** Called when a transaction is accepted (a test may kill the sender there). */
  onAccepted?: (tx: MinedTransaction) => void;
  #block = 100;
  #server!: http.Server;
  url = '';

  private constructor(o: FakeChainOptions) {
    this.chainId = o.chainId ?? 8453;
    this.contract = o.contract.toLowerCase().startsWith('0x')
      ? o.contract.toLowerCase()
      : `0x${o.contract}`.toLowerCase();
    this.owner = o.owner;
    this.allowedHashes = o.allowedHashes;
    this.allowedDevices = o.allowedDevices ?? new Set();
    this.balances.set(o.owner.toLowerCase(), 10n ** 18n);
    for (const [a, b] of Object.entries(o.balances ?? {})) this.balances.set(a.toLowerCase(), b);
  }

  static async start(o: FakeChainOptions): Promise<FakeChain> {
    const c = new FakeChain(o);
    c.#server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (b) => {
        body += b;
      });
      req.on('end', async () => {
        let msg: unknown;
        try {
          msg = JSON.parse(body);
        } catch {
          return void res.writeHead(400).end();
        }
        const calls = Array.isArray(msg) ? msg : [msg];
        const out = [];
        for (const m of calls as { id: number; method: string; params?: unknown[] }[])
          out.push(await c.#answer(m).catch((e: Error) => ({ jsonrpc: '2.0', id: m.id, error: rpcError(e) })));
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(Array.isArray(msg) ? out : out[0]));
      });
    });
    await new Promise<void>((r) => c.#server.listen(0, '127.0.0.1', r));
    c.url = `http://127.0.0.1:${(c.#server.address() as AddressInfo).port}`;
    return c;
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise((r) => this.#server.close(r));
  }

  /** Whether a mined transaction registered this compose hash (what the platform verifies on confirm). */
  registered(txHash: string, composeHash: string): boolean {
    const tx = this.mined.find((t) => t.hash === txHash.toLowerCase());
    return !!tx && tx.functionName === 'addComposeHash' && tx.arg === composeHash.toLowerCase().replace(/^0x/, '');
  }

  async #answer(m: { id: number; method: string; params?: unknown[] }) {
    this.log.push(m.method);
    const ok = (result: unknown) => ({ jsonrpc: '2.0', id: m.id, result });
    const p = m.params ?? [];
    switch (m.method) {
      case 'eth_chainId':
        return ok(toHex(this.chainId));
      case 'eth_blockNumber':
        return ok(toHex(this.#block));
      case 'eth_getBalance':
        return ok(toHex(this.balances.get(String(p[0]).toLowerCase()) ?? 0n));
      case 'eth_getTransactionCount':
        return ok(toHex(this.nonces.get(String(p[0]).toLowerCase()) ?? 0));
      case 'eth_maxPriorityFeePerGas':
        return ok(toHex(TIP));
      case 'eth_gasPrice':
        return ok(toHex(BASE_FEE + TIP));
      case 'eth_getBlockByNumber':
        return ok(this.#blockObject(this.#block));
      case 'eth_call': {
        const call = p[0] as { to?: string; data?: string };
        if (call.to?.toLowerCase() !== this.contract || call.data !== OWNER_SELECTOR)
          throw new Error('execution reverted');
        return ok(encodeAbiParameters([{ type: 'address' }], [this.owner as Hex]));
      }
      case 'eth_estimateGas': {
        const call = p[0] as { to?: string; data?: string; from?: string };
        this.#check(call.to, call.data as Hex | undefined, call.from);
        return ok(toHex(GAS));
      }
      case 'eth_sendRawTransaction':
        return ok(await this.#send(String(p[0]) as Hex));
      case 'eth_getTransactionReceipt': {
        const tx = this.mined.find((t) => t.hash === String(p[0]).toLowerCase());
        if (!tx) return ok(null);
        if (this.pendingReceipts > 0) {
          this.pendingReceipts--;
          return ok(null);
        }
        return ok(this.#receipt(tx));
      }
      case 'eth_getTransactionByHash': {
        const tx = this.mined.find((t) => t.hash === String(p[0]).toLowerCase());
        return ok(tx ? { hash: tx.hash, from: tx.from, to: tx.to, nonce: toHex(tx.nonce), blockNumber: null } : null);
      }
      default:
        return { jsonrpc: '2.0', id: m.id, error: { code: -32601, message: `the method ${m.method} does not exist` } };
    }
  }

  /** The call a registration makes: to the contract, one of its two functions, from its owner. */
  #check(to: string | undefined, data: Hex | undefined, from: string | undefined) {
    if (to?.toLowerCase() !== this.contract) throw new Error(`fake-chain: not the app contract (${to})`);
    if (!data) throw new Error('fake-chain: no calldata');
    const call = decodeFunctionData({ abi: APP_ABI, data });
    if (from && from.toLowerCase() !== this.owner.toLowerCase())
      throw new Error('execution reverted: OwnableUnauthorizedAccount');
    return call;
  }

  async #send(raw: Hex): Promise<string> {
    const hash = keccak256(raw);
    try {
      if (this.mined.some((t) => t.hash === hash)) throw new Error('already known');
      const tx = parseTransaction(raw);
      if (tx.type !== 'eip1559') throw new Error(`fake-chain: a ${tx.type} transaction`);
      if (tx.chainId !== this.chainId) throw new Error(`fake-chain: signed for chain ${tx.chainId}`);
      const from = (await recoverTransactionAddress({ serializedTransaction: raw as never })).toLowerCase();
      const call = this.#check(tx.to ?? undefined, tx.data, from);
      const nonce = this.nonces.get(from) ?? 0;
      if (tx.nonce !== nonce) throw new Error(tx.nonce! < nonce ? 'nonce too low' : 'nonce too high');
      const cost = (tx.gas ?? 0n) * (tx.maxFeePerGas ?? 0n) + (tx.value ?? 0n);
      const balance = this.balances.get(from) ?? 0n;
      if (cost > balance) throw new Error('insufficient funds for gas * price + value');
      const arg = String(call.args[0]).toLowerCase().replace(/^0x/, '');
      this.nonces.set(from, nonce + 1);
      this.balances.set(from, balance - GAS * (BASE_FEE + TIP));
      if (call.functionName === 'addComposeHash') this.allowedHashes.add(arg);
      else this.allowedDevices.add(arg);
      const mined: MinedTransaction = {
        hash,
        raw,
        from,
        to: this.contract,
        chainId: tx.chainId,
        nonce,
        functionName: call.functionName,
        arg,
        block: ++this.#block,
      };
      this.mined.push(mined);
      this.broadcasts.push({ hash });
      this.onAccepted?.(mined);
      return hash;
    } catch (e) {
      this.broadcasts.push({ hash, error: (e as Error).message });
      throw e;
    }
  }

  #receipt(tx: MinedTransaction) {
    const blockHash = keccak256(toHex(`block-${tx.block}`));
    return {
      transactionHash: tx.hash,
      transactionIndex: '0x0',
      blockHash,
      blockNumber: toHex(tx.block),
      from: tx.from,
      to: tx.to,
      cumulativeGasUsed: toHex(GAS),
      gasUsed: toHex(GAS),
      effectiveGasPrice: toHex(BASE_FEE + TIP),
      contractAddress: null,
      logs: [
        {
          address: tx.to,
          topics: [EVENTS[tx.functionName]],
          data: `0x${tx.arg}`,
          blockNumber: toHex(tx.block),
          blockHash,
          transactionHash: tx.hash,
          transactionIndex: '0x0',
          logIndex: '0x0',
          removed: false,
        },
      ],
      logsBloom: `0x${'00'.repeat(256)}`,
      status: '0x1',
      type: '0x2',
    };
  }

  #blockObject(n: number) {
    const z = (k: number) => `0x${'00'.repeat(k)}`;
    return {
      number: toHex(n),
      hash: keccak256(toHex(`block-${n}`)),
      parentHash: keccak256(toHex(`block-${n - 1}`)),
      timestamp: toHex(1_700_000_000 + n * 2),
      baseFeePerGas: toHex(BASE_FEE),
      gasLimit: toHex(30_000_000),
      gasUsed: '0x0',
      miner: z(20),
      logsBloom: z(256),
      difficulty: '0x0',
      totalDifficulty: '0x0',
      extraData: '0x',
      nonce: z(8),
      mixHash: z(32),
      sha3Uncles: z(32),
      stateRoot: z(32),
      receiptsRoot: z(32),
      transactionsRoot: z(32),
      size: '0x100',
      transactions: [],
      uncles: [],
    };
  }
}

function rpcError(e: Error) {
  return { code: -32000, message: e.message };
}
