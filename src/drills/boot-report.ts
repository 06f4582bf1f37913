import type { BootEvent } from '../cvm/index.js';
import type { BootSummary } from '../findings/drill-report.js';
import { formatMs } from '../util/format-ms.js';

/**
 * The local CVM's boots as a report shows them, rebuilt from the journal's boot events alone
 * (src/cvm/types.ts): per boot its steps in order with their wall time, the env names the guest
 * dropped, the containers dockerd restored, the orphans removed, and where it stopped.
 */
export function bootSummaries(events: readonly { type: string }[]): BootSummary[] {
  const out: BootSummary[] = [];
  const cur = new Map<number, BootSummary>();
  for (const e of events as BootEvent[]) {
    if (e.type === 'boot-start') {
      const b: BootSummary = {
        boot: e.boot,
        version: e.version,
        os: e.os,
        after: e.after,
        ok: false,
        ms: 0,
        steps: [],
        droppedEnv: [],
        restored: [],
        orphans: [],
      };
      cur.set(e.boot, b);
      out.push(b);
      continue;
    }
    if (!('boot' in e)) continue;
    const b = cur.get(e.boot);
    if (!b) continue;
    if (e.type === 'boot-step-end') b.steps.push({ step: e.bootStep, ok: e.ok, ms: e.ms, detail: e.detail });
    else if (e.type === 'env-filtered') b.droppedEnv = e.dropped;
    else if (e.type === 'engine-restored') b.restored = e.containers.map((c) => c.service);
    else if (e.type === 'orphans-removed') b.orphans = e.containers.map((c) => c.service);
    else if (e.type === 'boot-failed') b.failed = { step: e.bootStep, reason: e.reason };
    else if (e.type === 'boot-end') {
      b.ok = e.ok;
      b.ms = e.ms;
    }
  }
  return out;
}

/** The "CVM boots" section of the text reports. */
export function renderBoots(boots: readonly BootSummary[]): string[] {
  if (!boots.length) return [];
  const out = [`CVM boots (dstack ${boots[0]!.os} boot scripts)`];
  for (const b of boots) {
    const after = b.after === 'nothing' ? 'first boot' : `after a ${b.after === 'forced' ? 'power cut' : 'clean stop'}`;
    out.push(
      `  ${String(b.boot).padStart(2)}. ${b.version}, ${after}: ${b.ok ? 'ok' : 'STOPPED'} in ${formatMs(b.ms)}`,
    );
    out.push(`      ${b.steps.map((s) => `${s.step} ${formatMs(s.ms)}${s.ok ? '' : ' ✗'}`).join(' · ')}`);
    if (b.droppedEnv.length)
      out.push(`      env: ${b.droppedEnv.join(', ')} dropped by the guest (not in allowed_envs)`);
    if (b.orphans.length) out.push(`      orphans removed: ${b.orphans.join(', ')}`);
    if (b.restored.length) out.push(`      restored by dockerd with their old config: ${b.restored.join(', ')}`);
    if (b.failed) out.push(`      stopped at ${b.failed.step}: ${b.failed.reason}`);
  }
  return out;
}
