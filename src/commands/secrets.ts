import { type EncryptRequest, type EncryptResult, encryptSecrets as encrypt } from '../secrets/encrypt.js';
import { type PlanOutcome, type PlanRequest, runSecretsPlan } from '../secrets/plan-run.js';
import { preflightCatalogue } from './catalogue.js';

export type { EncryptRequest, EncryptResult, PlanOutcome, PlanRequest };

/**
 * `preflight secrets plan`: the new secret set against what is deployed (a lockfile or a CVM):
 * missing, dropped, changed keys and allowed_envs; `.preflight.yml` applies as for every command.
 */
export function planSecrets(req: PlanRequest): Promise<PlanOutcome> {
  return runSecretsPlan({ catalogue: preflightCatalogue(), ...req });
}

/** `preflight secrets encrypt`: the encrypted env a CVM decrypts, byte-compatible with @phala/dstack-sdk. */
export function encryptSecrets(req: EncryptRequest): Promise<EncryptResult> {
  return encrypt(req);
}
