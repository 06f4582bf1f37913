import type { RuleMeta } from '../findings/catalogue.js';
import type { Severity } from '../findings/types.js';

/**
 * What a rollout reports, as catalogue entries in section `rollout`: one problem each, so
 * `.preflight.yml` can set a severity or exempt one without touching the others.
 */
const ROLLOUT_RULES: Record<string, { severity: Severity; title: string; rationale: string; fixHint: string }> = {
  'rollout-gate-failed': {
    severity: 'error',
    title: 'An upgraded instance failed a health gate (before it passed, or within min_healthy_time after)',
    rationale:
      'A version that does not pass its gates on one instance would take the whole fleet down if the rollout ' +
      'went on. A gate that passes and then fails within min_healthy_time catches crashes after warm-up, leaks ' +
      'and failing background jobs.',
    fixHint:
      'Read the gate detail and the instance logs; fix the version and roll out again. `rollout undo` puts ' +
      'upgraded instances back on the previous revision.',
  },
  'rollout-boot-failed': {
    severity: 'error',
    title: 'An upgraded instance did not boot: a boot error, or the new images are not running',
    rationale:
      'A CVM upgrade is a reboot: the platform reports `boot_error` when pulling images, decrypting secrets or ' +
      '`docker compose up` fails, and a container of the new version that is not running means the app is not ' +
      'the one deployed.',
    fixHint:
      'Read the boot error (registry login, a missing secret, a compose error); run `preflight drill upgrade` ' +
      'with the same compose and env file to reproduce it locally.',
  },
  'rollout-deadline-exceeded': {
    severity: 'error',
    title:
      'A rollout deadline passed: an instance did not finish booting in healthy_deadline, or the rollout took ' +
      'longer than progress_deadline',
    rationale:
      'A rollout that hangs keeps instances out of rotation and the fleet below its capacity; a deadline turns ' +
      'the hang into a decision (on_failure).',
    fixHint:
      'If the version is merely slow to boot, raise strategy.healthy_deadline or progress_deadline; otherwise ' +
      'see why the instance is stuck (platform status, boot progress).',
  },
  'rollout-gate-inconclusive': {
    severity: 'warning',
    title: 'A gate could not tell whether an instance is healthy; the rollout paused',
    rationale:
      'A metric with no data or an unreachable Prometheus says nothing about the new version; passing on it ' +
      'would be a guess, failing on it would roll back a good version.',
    fixHint:
      'Check the gate source (Prometheus target up, query returns series), then `rollout resume` or `rollout abort`.',
  },
  'rollout-rolled-back': {
    severity: 'info',
    title: 'An instance was rolled back to the version it ran before',
    rationale:
      'on_failure: rollback re-applies the previous compose (and the previous encrypted env only when the ' +
      'rollout changed it); the instance is healthy on the old version again, the rollout stopped.',
    fixHint: 'Fix the version that failed (see the gate or boot finding), then plan and run the rollout again.',
  },
  'rollout-rollback-failed': {
    severity: 'error',
    title: 'A rollback did not bring the instance back to health',
    rationale:
      'The instance is now neither on the new version nor healthy on the old one: the fleet runs below capacity.',
    fixHint:
      'Look at the instance now (platform status, logs); re-apply the previous revision by hand (`rollout ' +
      'undo`) or restore it from the platform console.',
  },
  'rollout-fleet-changed': {
    severity: 'error',
    title: 'The fleet is not the one the plan (or the journal) describes',
    rationale:
      'An instance was upgraded, added or removed by someone else since the plan was made, or since the ' +
      'interrupted rollout last looked: going on would upgrade instances nobody reviewed, or count the wrong ' +
      'ones as available.',
    fixHint: 'Run `rollout plan` again and review it; then `rollout run --plan-id` with the new id.',
  },
  'rollout-onchain-registration-required': {
    severity: 'error',
    title: 'The app uses an on-chain KMS: the new compose hash must be registered on the app contract first',
    rationale:
      'With an on-chain KMS the platform answers HTTP 465 to an upgrade whose compose hash the app contract ' +
      'does not allow; the CVM would not get its keys otherwise.',
    fixHint:
      'Register the compose hash (addComposeHash) — and the device (addDevice) where the contract does not ' +
      'allow it yet — from the app owner’s account, then run the rollout again.',
  },
  'rollout-onchain-registration-failed': {
    severity: 'error',
    title: 'Registering the new compose hash (or the device) on the app contract failed',
    rationale:
      'Given the app owner’s key, the rollout registers what an on-chain KMS asks for and then confirms the ' +
      'upgrade; when the transaction cannot be sent or does not succeed (no funds, another owner, the RPC down) ' +
      'the upgrade is not confirmed and the instance keeps its version.',
    fixHint:
      'Read the reason: fund the signer, use the key of the contract’s owner, or give a reachable `--rpc-url`; ' +
      'then `rollout resume` (a transaction already sent is waited for, not sent again).',
  },
  'rollout-requests-failed': {
    severity: 'warning',
    title: 'Requests through the balancer failed during the rollout',
    rationale:
      'The point of a rolling upgrade is no downtime: a failed request means an instance got traffic while it ' +
      'was not ready, or was drained too late.',
    fixHint:
      'Check that the balancer health-checks the instances and that drain waits for in-flight requests; see the ' +
      'per-second timeline for when the failures happened.',
  },
  'rollout-balancer-failed': {
    severity: 'error',
    title: 'The load balancer did not drain or enable an instance',
    rationale:
      'Upgrading an instance that still gets traffic fails requests; an instance that never comes back into ' +
      'rotation leaves the fleet below capacity.',
    fixHint:
      'Check the runtime API socket (`stats socket … level admin`) and the backend/server names, or the ' +
      'drain/enable hook output.',
  },
};

export const ROLLOUT_RULE_IDS = Object.keys(ROLLOUT_RULES);

export const ROLLOUT_RULE_METAS: RuleMeta[] = Object.entries(ROLLOUT_RULES).map(([id, r]) => ({
  id,
  section: 'rollout' as const,
  ...r,
  docsUrl: 'docs/rollout.md',
  source: 'rollout' as const,
}));
