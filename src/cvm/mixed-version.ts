import type { ContainerSpan } from './timeline.js';

/**
 * The mixed-version window of an upgrade (docs/platform.md#boot-sequence, step 6): at boot dockerd
 * restores `restart: always` containers (and `unless-stopped` ones after a power cut) with their OLD
 * config and image, and they run until `compose up` recreates them. How long the old version ran and
 * answered after the upgrade began, and whether old and new containers ran at once on the same data.
 *
 * Old containers are those that existed before the boot and are gone after it (recreated or removed);
 * new ones were created by the boot; a container `up` kept unchanged is neither.
 */
export interface ContainerVolumes {
  id: string;
  service: string;
  /** Named volumes it mounts read-write. */
  volumes: string[];
}

export interface MixedVersionInput {
  spans: readonly ContainerSpan[];
  before: readonly ContainerVolumes[];
  after: readonly ContainerVolumes[];
  /** Epoch ms: when the upgrade began. */
  since: number;
  /** The drill's requests that got an answer, with the service they went to (epoch ms). */
  answers: readonly { t: number; service: string; write: boolean }[];
}

export interface VersionOverlap {
  old: string;
  new: string;
  ms: number;
  /** Named volumes both mount read-write. */
  volumes: string[];
}

export interface MixedVersionWindow {
  /** Old containers that ran after the upgrade began, per service, and for how long. */
  oldRan: { service: string; ms: number }[];
  /** From the start of the upgrade to the last moment an old container ran. */
  oldRanMs: number;
  /** Answers (and acknowledged writes among them) the old version gave after the upgrade began. */
  oldAnswers: number;
  oldWrites: number;
  /** From the start of the upgrade to the old version's last answer. */
  lastOldAnswerMs?: number;
  /** Time old and new containers ran at once (any services). */
  overlapMs: number;
  overlaps: VersionOverlap[];
  /** Writes were acknowledged while an old and a new container with the same volume mounted read-write both ran. */
  bothWrote: { volume: string; old: string; new: string; writes: number }[];
}

type Interval = [number, number];

function intersect(a: readonly Interval[], b: readonly Interval[]): Interval[] {
  const out: Interval[] = [];
  for (const [a0, a1] of a)
    for (const [b0, b1] of b) {
      const lo = Math.max(a0, b0);
      const hi = Math.min(a1, b1);
      if (hi > lo) out.push([lo, hi]);
    }
  return out;
}

function union(list: readonly Interval[]): Interval[] {
  const sorted = [...list].sort((x, y) => x[0] - y[0]);
  const out: Interval[] = [];
  for (const [lo, hi] of sorted) {
    const last = out[out.length - 1];
    if (last && lo <= last[1]) last[1] = Math.max(last[1], hi);
    else out.push([lo, hi]);
  }
  return out;
}

const length = (list: readonly Interval[]) => union(list).reduce((n, [lo, hi]) => n + hi - lo, 0);
const inside = (t: number, list: readonly Interval[]) => list.some(([lo, hi]) => t >= lo && t <= hi);

export function mixedVersionWindow(input: MixedVersionInput): MixedVersionWindow {
  const beforeIds = new Set(input.before.map((c) => c.id));
  const afterIds = new Set(input.after.map((c) => c.id));
  const volumesOf = new Map([...input.before, ...input.after].map((c) => [c.id, c.volumes]));
  const clip = (s: ContainerSpan): Interval[] =>
    s.running.map(([lo, hi]) => [Math.max(lo, input.since), hi] as Interval).filter(([lo, hi]) => hi > lo);
  const old = input.spans.filter((s) => beforeIds.has(s.id) && !afterIds.has(s.id)).map((s) => ({ s, run: clip(s) }));
  const fresh = input.spans.filter((s) => !beforeIds.has(s.id) && afterIds.has(s.id)).map((s) => ({ s, run: clip(s) }));

  const oldRanBy = new Map<string, Interval[]>();
  for (const o of old) oldRanBy.set(o.s.service, [...(oldRanBy.get(o.s.service) ?? []), ...o.run]);
  const oldRan = [...oldRanBy].flatMap(([service, run]) => (length(run) > 0 ? [{ service, ms: length(run) }] : []));
  const lastOldEnd = Math.max(input.since, ...old.flatMap((o) => o.run.map(([, hi]) => hi)));

  let oldAnswers = 0;
  let oldWrites = 0;
  let lastOld: number | undefined;
  for (const a of input.answers) {
    if (a.t < input.since) continue;
    if (!old.some((o) => o.s.service === a.service && inside(a.t, o.run))) continue;
    oldAnswers++;
    if (a.write) oldWrites++;
    lastOld = Math.max(lastOld ?? 0, a.t);
  }

  const overlaps: VersionOverlap[] = [];
  const bothWrote: MixedVersionWindow['bothWrote'] = [];
  const allOverlap: Interval[] = [];
  for (const o of old)
    for (const n of fresh) {
      const both = intersect(o.run, n.run);
      if (!both.length) continue;
      allOverlap.push(...both);
      const ov = volumesOf.get(n.s.id) ?? [];
      const shared = (volumesOf.get(o.s.id) ?? []).filter((v) => ov.includes(v));
      overlaps.push({ old: o.s.service, new: n.s.service, ms: length(both), volumes: shared });
      if (!shared.length) continue;
      const writes = input.answers.filter((a) => a.write && inside(a.t, both)).length;
      if (writes) for (const volume of shared) bothWrote.push({ volume, old: o.s.service, new: n.s.service, writes });
    }
  return {
    oldRan,
    oldRanMs: lastOldEnd - input.since,
    oldAnswers,
    oldWrites,
    ...(lastOld !== undefined ? { lastOldAnswerMs: lastOld - input.since } : {}),
    overlapMs: length(allOverlap),
    overlaps,
    bothWrote,
  };
}
