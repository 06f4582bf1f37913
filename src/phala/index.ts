/**
 * Phala Cloud API client for rollouts, on `@phala/cloud` 0.2.9. See docs/decisions.md
 * ("Phala Cloud client: …") for the retry policy, the id forms and the credential lookup.
 *
 *   const phala = await connectPhala();               // PHALA_CLOUD_API_KEY, else `phala login`
 *   const replicas = await phala.listReplicas(appId);
 *   const out = await phala.patchCvm(replicas[0].vmUuid!, { docker_compose_file });
 *   if (out.kind === 'onchain-registration-required') … register out.registration, then confirmCvmPatch
 *   const wait = await phala.waitForStatuses([vmUuid], { timeoutMs: 300_000 });
 *
 * The SDK itself is loaded by `connectPhala`, not by importing this module.
 */
export {
  connectPhala,
  type CallOptions,
  type CvmSummary,
  instanceUrls,
  PhalaClient,
  type PhalaClientOptions,
  type Replica,
} from './client.js';
export {
  type Credentials,
  type CredentialLookup,
  type CredentialSource,
  phalaCliDir,
  resolveCredentials,
} from './credentials.js';
export { PhalaApiError, type PhalaErrorKind } from './errors.js';
export {
  type ChainAction,
  chainFor,
  hostOf,
  OnChainError,
  type OnChainFailure,
  OnChainRegistrar,
  parsePrivateKey,
  type SignedTransaction,
  type SignerOptions,
} from './onchain.js';
export {
  type CvmIdForm,
  type CvmRef,
  isCvmName,
  parseAppId,
  parseCvmId,
  parseKmsId,
  parseRevisionId,
  parseVmUuid,
  pathSegment,
} from './ids.js';
export {
  type Backoff,
  type Clock,
  DEFAULT_RETRY_POLICY,
  type MeterSnapshot,
  RequestMeter,
  type RetryPolicy,
  type RetryPolicyInput,
  systemClock,
} from './retry.js';
export { DEFAULT_BASE_URL, type TransportOptions } from './transport.js';
export type { ConfirmOutcome, CvmChanges, OnChainRefusal, OnChainRegistration, PatchOutcome } from './updates.js';
export { isSettled, type PollOptions, type PollResult, type WatchOptions } from './watch.js';
