/**
 * The 465 answer when the rollout has the app owner's key: register on the app contract what the
 * platform asks for (the device first, when the contract does not allow the node; then the new
 * compose hash), then `confirmCvmPatch` with the transaction hash, and the upgrade goes on as any
 * other. Each transaction is journaled before it leaves (`onchain-tx` `sending`, with its signed
 * bytes) and again once mined, so after a crash the run waits for the transaction it recorded (or
 * broadcasts those same bytes) and never signs a second one. A hash is registered once per
 * fleet: the next replicas' 465s find it in the journal (or allowed on chain) and only confirm.
 */
import type { ChainAction, SignedTransaction } from '../phala/index.js';
import type { OnChainOps, UpgradeStart } from './backend/types.js';
import type { FlowContext } from './flow.js';

type Held = Extract<UpgradeStart, { kind: 'onchain-registration-required' }>;

/** What `confirmCvmPatch` takes when the hash was allowed before this rollout sent anything. */
export const ALREADY_REGISTERED = 'already-registered';

export type OnChainOutcome = UpgradeStart | { kind: 'onchain-failed'; detail: string };

/** `to`: what the held upgrade asked for (the target, or a rollback's version), asked again on a 466. */
export async function registerAndConfirm(
  ctx: FlowContext,
  id: string,
  first: Held,
  to: 'target' | { version: string },
): Promise<OnChainOutcome> {
  const ops = ctx.backend.onChain!;
  let held = first;
  // A 466 (the held compose hash expired while the chain confirmed) asks for the upgrade again;
  // the registration is on chain and in the journal by then, so the second pass only confirms.
  for (let attempt = 1; ; attempt++) {
    let proof: string;
    try {
      proof = await ops.exclusive(() => register(ctx, ops, id, held));
    } catch (e) {
      return { kind: 'onchain-failed', detail: (e as Error).message };
    }
    const out = await ops.confirm(id, held.composeHash, proof, ctx.signal);
    if (out.kind === 'refused' && /compose-hash-expired/.test(out.detail) && attempt < 2) {
      const again = await ctx.backend.upgrade(id, to, ctx.signal);
      if (again.kind !== 'onchain-registration-required') return again;
      held = again;
      continue;
    }
    if (out.kind === 'refused')
      return { kind: 'onchain-failed', detail: `the platform refused the confirmation (${out.detail})` };
    return out;
  }
}

/** The proof `confirmCvmPatch` gets: this rollout's transaction for the hash, or `already-registered`. */
async function register(ctx: FlowContext, ops: OnChainOps, id: string, held: Held): Promise<string> {
  if (held.deviceAllowed === false) await ensure(ctx, ops, id, { kind: 'device', deviceId: held.deviceId });
  const action: ChainAction = { kind: 'compose-hash', composeHash: held.composeHash };
  if (held.composeHashAllowed && !ctx.state().onChainTxs[keyOf(action)]) return ALREADY_REGISTERED;
  return ensure(ctx, ops, id, action);
}

/** Registered by this rollout already (journal), else sent now; returns the transaction hash. */
async function ensure(ctx: FlowContext, ops: OnChainOps, id: string, action: ChainAction): Promise<string> {
  const key = keyOf(action);
  const emit = (phase: 'sending' | 'mined', tx: SignedTransaction | { hash: string; raw?: undefined }) =>
    ctx.emit(
      {
        type: 'onchain-tx',
        key,
        phase,
        txHash: tx.hash,
        ...(tx.raw ? { raw: tx.raw } : {}),
        instance: id,
        at: ctx.clock.now(),
      },
      { sync: true },
    );
  const known = ctx.state().onChainTxs[key];
  if (known?.phase === 'mined') return known.txHash;
  if (known?.raw) {
    await ops.settle(id, { hash: known.txHash, raw: known.raw }, ctx.signal);
    emit('mined', { hash: known.txHash });
    return known.txHash;
  }
  let journaled = '';
  const hash = await ops.send(
    id,
    action,
    (tx) => {
      // A broadcast viem retries carries the same bytes: journaled once.
      if (tx.hash === journaled) return;
      journaled = tx.hash;
      emit('sending', tx);
    },
    ctx.signal,
  );
  emit('mined', { hash });
  return hash;
}

export function keyOf(a: ChainAction): string {
  const hex = (s: string) => s.toLowerCase().replace(/^0x/, '');
  return a.kind === 'compose-hash' ? `compose-hash:${hex(a.composeHash)}` : `device:${hex(a.deviceId)}`;
}
