import type { CvmOs, MixedVersionWindow } from '../../cvm/index.js';
import type { KeyPhase, VolumeDiff } from '../../findings/drill-report.js';
import type { Finding } from '../../findings/types.js';
import type { Journaled } from '../../steps/index.js';
import type { HistoryOp } from '../history.js';
import type { DrillEvent, NextKeyPhase, ProjectRef } from '../journal.js';
import { isDrillEvent } from '../report-common.js';
import type { VolumeFingerprint } from './fingerprint.js';

/** Events of the upgrade drill beside the common ones (op, finding, keys, engine-op, …). */
export type UpgradeOwnEvent =
  | { type: 'diff'; findings: Finding[] }
  /** The seed command ran (once: a resumed seed step does not run it again). */
  | { type: 'seeded'; ok: boolean; error?: string }
  | { type: 'fingerprint'; phase: 'before' | 'after'; volumes: VolumeFingerprint[] }
  | { type: 'volume-diff'; diffs: VolumeDiff[] }
  | { type: 'read'; phase: 'verify' | 'rollback'; ok: boolean; ids?: string[]; error?: string }
  /** How long the old version ran and answered during the upgrade boot (src/cvm/mixed-version.ts). */
  | { type: 'mixed-version'; window: MixedVersionWindow };
export type UpgradeEvent = DrillEvent | UpgradeOwnEvent;

/** `drill upgrade`'s input, as its run-start records it. */
export interface UpgradeDrillInput {
  /** OLD, loaded with the old secrets; NEW, loaded with exactly the new secrets. */
  from: ProjectRef;
  to: ProjectRef;
  /** As the report shows them. */
  fromShown: { dir: string; files: string[] };
  toShown: { dir: string; files: string[] };
  /** The env files, for the static diff's secrets plan (names only). */
  envFile?: string;
  nextEnvFile?: string;
  cwd?: string;
  rollback: boolean;
  /** Whose boot scripts the local CVM follows (absent in runs from before it was recorded: the default). */
  os?: CvmOs;
}

export interface UpgradeState {
  t0: number;
  compose?: { kind: string; version: string };
  ops: HistoryOp[];
  /** Highest write number per writer tag (`<id>-s`, `<id>-v`): a new writer numbers on. */
  writes: Record<string, number>;
  seeded?: { ok: boolean; error?: string };
  before?: VolumeFingerprint[];
  keys: { entries: number; open?: NextKeyPhase; phases: KeyPhase[] };
  /** How each step ended (step-end), by id. */
  ended: Record<string, { ok: boolean; skipped: boolean }>;
  attempts: Record<string, number>;
  findings: { finding: Finding; step?: string; attempt?: number }[];
  tornDown: boolean;
}

export function initialUpgradeState(): UpgradeState {
  return {
    t0: 0,
    ops: [],
    writes: {},
    keys: { entries: 0, open: { phase: 'OLD (first start)' }, phases: [] },
    ended: {},
    attempts: {},
    findings: [],
    tornDown: false,
  };
}

export function reduceUpgrade(s: UpgradeState, e: Journaled<{ type: string }>): UpgradeState {
  const any = e as unknown as Journaled<
    UpgradeEvent & { id?: string; attempt?: number; ok?: boolean; skipped?: boolean }
  >;
  if (e.type === 'run-start') s.t0 = e.t;
  else if (e.type === 'step-start') s.attempts[any.id!] = Math.max(s.attempts[any.id!] ?? 0, any.attempt ?? 1);
  else if (e.type === 'step-end') s.ended[any.id!] = { ok: !!any.ok, skipped: !!any.skipped };
  else if (isDrillEvent(e, 'drill-start')) s.compose = e.compose;
  else if (isDrillEvent(e, 'op')) {
    s.ops.push(e.op);
    const dash = e.op.value.lastIndexOf('-');
    const tag = e.op.value.slice(0, dash);
    s.writes[tag] = Math.max(s.writes[tag] ?? 0, Number(e.op.value.slice(dash + 1)) || 0);
  } else if (isDrillEvent(e, 'keys')) {
    s.keys.entries += e.entries;
    s.keys.phases.push(e.keys);
    s.keys.open = e.next;
  } else if (isDrillEvent(e, 'finding')) s.findings.push({ finding: e.finding, step: e.step, attempt: e.attempt });
  else if (isDrillEvent(e, 'cleanup') && e.step === 'teardown') s.tornDown = true;
  else if (e.type === 'seeded') {
    const v = e as unknown as { ok: boolean; error?: string };
    s.seeded = { ok: v.ok, ...(v.error ? { error: v.error } : {}) };
  } else if (e.type === 'fingerprint') {
    const v = e as unknown as { phase: string; volumes: VolumeFingerprint[] };
    if (v.phase === 'before') s.before = v.volumes;
  }
  return s;
}

/** Acknowledged writes of one writer tag so far (across processes). */
export function acknowledged(s: UpgradeState, tag: string): number {
  return s.ops.filter((o) => o.type === 'ok' && o.value.startsWith(`${tag}-`)).length;
}
