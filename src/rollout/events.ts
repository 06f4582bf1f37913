/**
 * The rollout's own journal events and the state they fold into. The state IS the fold of the
 * journal: resume, `status` and the report read nothing else (plus the world, on resume).
 * No event carries a secret value: versions are compose hashes, the encrypted env is referred to
 * by its sha256 only.
 */
import type { Finding } from '../findings/types.js';
import type { LoadSummary } from './load/index.js';

export type InstancePhase =
  | 'pending'
  | 'draining'
  | 'drained'
  /** Written (fsync'd) before the upgrade request is sent: on resume the world says whether it went. */
  | 'upgrade-requesting'
  | 'upgrade-requested'
  | 'booted'
  | 'healthy'
  | 'enabled'
  | 'done'
  | 'rolling-back'
  | 'rolled-back'
  | 'failed';

export type RolloutEvent =
  /** The fleet as found at the start: the versions each instance ran (rollback targets). */
  | { type: 'fleet'; instances: { id: string; name: string; version: string }[]; targetVersion: string }
  | { type: 'instance'; instance: string; phase: InstancePhase; detail?: string; version?: string; at: number }
  | ({ type: 'gate-verdict'; instance: string } & GateVerdictRecord)
  | { type: 'paused'; reason: string; at: number }
  | { type: 'unpaused'; at: number; pausedMs: number }
  | { type: 'finding'; finding: Finding }
  | { type: 'load'; summary: LoadSummary }
  | OnChainTxEvent;

/**
 * A registration on an on-chain KMS's app contract (rollout/onchain.ts): `sending` is journaled
 * (fsync'd) with the signed transaction before it leaves; `mined` once its receipt says success.
 * The raw transaction is signed, public once broadcast, and holds no key.
 */
export type OnChainTxEvent = {
  type: 'onchain-tx';
  /** `compose-hash:<hex>` or `device:<hex>`: registered once per fleet, whichever instance asked. */
  key: string;
  phase: 'sending' | 'mined';
  txHash: string;
  raw?: string;
  /** The instance whose 465 asked for it. */
  instance: string;
  at: number;
};

export interface OnChainTxState {
  txHash: string;
  raw?: string;
  phase: 'sending' | 'mined';
}

/** How the gates judged one boot of an instance (the report's `gates` column); `gate` names the one that decided. */
export type GateVerdictRecord = {
  outcome: 'pass' | 'fail' | 'inconclusive';
  gate?: string;
  detail?: string;
  phase?: string;
  afterHealthyMs?: number;
  at: number;
};

export interface InstanceState {
  id: string;
  name: string;
  /** What it ran when the rollout found it. */
  versionBefore: string;
  phase: InstancePhase;
  /** Clock time the upgrade request was sent (its healthy deadline runs from here). */
  requestedAt?: number;
  /** What it runs as far as the journal knows. */
  version: string;
  /** Upgrade requests about to be sent (`upgrade-requesting`, journaled first): 1 per instance, rollbacks aside. */
  upgradeRequests: number;
  detail?: string;
  history: { phase: InstancePhase; at: number; detail?: string }[];
  /** Every gate verdict, in order (a retried instance has one per boot). */
  verdicts: GateVerdictRecord[];
}

export interface RolloutState {
  targetVersion: string;
  instances: Record<string, InstanceState>;
  order: string[];
  paused?: { reason: string; at: number };
  pausedMs: number;
  findings: Finding[];
  loads: LoadSummary[];
  /** On-chain registrations this rollout sent, by key (see OnChainTxEvent). */
  onChainTxs: Record<string, OnChainTxState>;
}

export function initialRolloutState(): RolloutState {
  return { targetVersion: '', instances: {}, order: [], pausedMs: 0, findings: [], loads: [], onChainTxs: {} };
}

export function reduceRollout(s: RolloutState, e: { type: string } & Record<string, unknown>): RolloutState {
  const ev = e as unknown as RolloutEvent;
  switch (ev.type) {
    case 'fleet': {
      const instances: Record<string, InstanceState> = {};
      for (const i of ev.instances)
        instances[i.id] = s.instances[i.id] ?? {
          id: i.id,
          name: i.name,
          versionBefore: i.version,
          version: i.version,
          phase: 'pending',
          upgradeRequests: 0,
          history: [],
          verdicts: [],
        };
      return { ...s, targetVersion: ev.targetVersion, instances, order: ev.instances.map((i) => i.id) };
    }
    case 'instance': {
      const prev = s.instances[ev.instance];
      if (!prev) return s;
      const next: InstanceState = {
        ...prev,
        phase: ev.phase,
        detail: ev.detail,
        version: ev.version ?? prev.version,
        history: [...prev.history, { phase: ev.phase, at: ev.at, ...(ev.detail ? { detail: ev.detail } : {}) }],
      };
      // Again after a crash at `upgrade-requesting`: the platform showed that request never went, so
      // this one takes its place (its healthy deadline runs from now) and is not a second request.
      if (ev.phase === 'upgrade-requesting') {
        next.requestedAt = ev.at;
        if (prev.phase !== 'upgrade-requesting') next.upgradeRequests = prev.upgradeRequests + 1;
      }
      return { ...s, instances: { ...s.instances, [ev.instance]: next } };
    }
    case 'gate-verdict': {
      const prev = s.instances[ev.instance];
      if (!prev) return s;
      const { type: _type, instance: _instance, ...verdict } = ev;
      return { ...s, instances: { ...s.instances, [ev.instance]: { ...prev, verdicts: [...prev.verdicts, verdict] } } };
    }
    case 'paused':
      return { ...s, paused: { reason: ev.reason, at: ev.at } };
    case 'unpaused':
      return { ...s, paused: undefined, pausedMs: s.pausedMs + ev.pausedMs };
    case 'finding':
      return { ...s, findings: [...s.findings, ev.finding] };
    case 'load':
      return { ...s, loads: [...s.loads, ev.summary] };
    case 'onchain-tx': {
      const prev = s.onChainTxs?.[ev.key];
      const raw = ev.raw ?? prev?.raw;
      const tx: OnChainTxState = { txHash: ev.txHash, phase: ev.phase, ...(raw ? { raw } : {}) };
      return { ...s, onChainTxs: { ...s.onChainTxs, [ev.key]: tx } };
    }
    default:
      return s;
  }
}

/** Never below what the strategy allows: how many instances are out of rotation in a state. */
export function outOfRotation(s: RolloutState): string[] {
  const out: InstancePhase[] = ['draining', 'drained', 'upgrade-requesting', 'upgrade-requested', 'booted', 'healthy'];
  return s.order.filter((id) => out.includes(s.instances[id]!.phase) || s.instances[id]!.phase === 'rolling-back');
}
