/**
 * The outcomes of an upgrade request (`patchCvm`, `confirmCvmPatch`) as types the rollout can
 * branch on, built from what `@phala/cloud` returns: 202 with a correlation id; HTTP 465 when the
 * app's KMS is on chain and the new compose hash must be registered first (the SDK turns that into
 * `{ requiresOnChainHash: true, … }`); 466 / 467 / 468 when a confirmation is refused.
 */
import type { ConfirmCvmPatchResult, PatchCvmAccepted, PatchCvmHashRequired, PatchCvmRequest } from '@phala/cloud';

/** What a PATCH /cvms/{id} may change: the SDK's request without the id fields. */
export type CvmChanges = Omit<PatchCvmRequest, 'id' | 'uuid' | 'app_id' | 'instance_id' | 'name'>;

/** Why the platform refused to go on with an on-chain upgrade. */
export type OnChainRefusal =
  /** 466: the compose hash from the 465 answer expired (or is unknown); start the upgrade again. */
  | 'compose-hash-expired'
  /** 467: the platform could not verify the transaction hash. */
  | 'transaction-not-verified'
  /** 468: the compose hash is not (yet) allowed by the app contract. */
  | 'compose-hash-not-on-chain';

export const ONCHAIN_REFUSALS: Readonly<Record<number, OnChainRefusal>> = {
  466: 'compose-hash-expired',
  467: 'transaction-not-verified',
  468: 'compose-hash-not-on-chain',
};

/** What must be on chain before the upgrade may go on (from the 465 answer). */
export interface OnChainRegistration {
  /** The new compose hash to register (`addComposeHash` on the app contract). */
  composeHash: string;
  /** The app id, which for an on-chain KMS is the app contract's address. */
  appId: string;
  /** The device the CVM runs on; it must be allowed too (`addDevice`) unless the contract allows any. */
  deviceId: string;
  kms: {
    id: string;
    slug: string | null;
    url: string;
    version: string;
    chainId: number | null;
    /** Name of the chain when the SDK knows it (Ethereum, Base, Anvil). */
    chainName?: string;
    kmsContractAddress: string | null;
  };
  /** What the platform read on chain, when it says. */
  onchainStatus?: { composeHashAllowed: boolean; deviceIdAllowed: boolean; isAllowed: boolean };
  /** For the prepare-only (multisig) flow. */
  commitToken?: string;
  commitUrl?: string;
  apiCommitUrl?: string;
  /** The SDK's answer as it returned it. */
  sdk: PatchCvmHashRequired;
}

export type PatchOutcome =
  | { kind: 'accepted'; correlationId: string; sdk: PatchCvmAccepted }
  | { kind: 'onchain-registration-required'; registration: OnChainRegistration }
  | { kind: 'refused'; reason: OnChainRefusal; status: number };

export type ConfirmOutcome =
  | { kind: 'accepted'; correlationId: string; sdk: ConfirmCvmPatchResult }
  | { kind: 'refused'; reason: OnChainRefusal; status: number };

export function registrationFrom(r: PatchCvmHashRequired): OnChainRegistration {
  const kms = r.kmsInfo as PatchCvmHashRequired['kmsInfo'] & { chain?: { name?: string } };
  const status = r.onchainStatus;
  return {
    composeHash: r.composeHash,
    appId: r.appId,
    deviceId: r.deviceId,
    kms: {
      id: kms.id,
      slug: kms.slug,
      url: kms.url,
      version: kms.version,
      chainId: kms.chain_id,
      ...(kms.chain?.name ? { chainName: kms.chain.name } : {}),
      kmsContractAddress: kms.kms_contract_address,
    },
    ...(status
      ? {
          onchainStatus: {
            composeHashAllowed: status.compose_hash_allowed,
            deviceIdAllowed: status.device_id_allowed,
            isAllowed: status.is_allowed,
          },
        }
      : {}),
    ...(r.commitToken ? { commitToken: r.commitToken } : {}),
    ...(r.commitUrl ? { commitUrl: r.commitUrl } : {}),
    ...(r.apiCommitUrl ? { apiCommitUrl: r.apiCommitUrl } : {}),
    sdk: r,
  };
}

/** The typed refusal for a 466/467/468 error thrown by the SDK, else undefined. */
export function refusalOf(err: unknown): { kind: 'refused'; reason: OnChainRefusal; status: number } | undefined {
  const status = (err as { status?: unknown } | null)?.status;
  if (typeof status !== 'number') return undefined;
  const reason = ONCHAIN_REFUSALS[status];
  return reason ? { kind: 'refused', reason, status } : undefined;
}
