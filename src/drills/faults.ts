import type { FaultKindName, PlannedFault } from '../findings/drill-report.js';

/**
 * The faults a CVM sees, as data: what each does to the containers is in the runner; here is the
 * catalogue and the seeded schedule.
 */
export const FAULT_KINDS = [
  'restart',
  'kill',
  'kill-all',
  'reboot',
  'kill-midwrite',
] as const satisfies readonly FaultKindName[];
export type FaultKind = (typeof FAULT_KINDS)[number];

export const FAULT_DESCRIPTIONS: Record<FaultKind, string> = {
  restart: 'graceful restart of one service (stop signal, SIGKILL after its stop_grace_period, start)',
  kill: 'SIGKILL of one service (a crash); the restart policy, or the drill, starts it again',
  'kill-all': 'SIGKILL of every container at once (power loss), then a CVM boot',
  reboot:
    'CVM reboot: every container stopped (gracefully, or a power cut with --stop forced), then the CVM boot: ' +
    'orphans removed, restart-policy containers restored, pre-launch script, compose up, prune',
  'kill-midwrite': 'SIGKILL of the service taking writes while a write is in flight',
};

/** Faults that act on one service (chosen by the seeded generator). */
export const SINGLE_SERVICE_FAULTS: ReadonlySet<FaultKind> = new Set(['restart', 'kill', 'kill-midwrite']);

export type { PlannedFault };

/**
 * A seeded shuffle over `rounds` faults: each selected fault once per pass through the list, the
 * order and the targets drawn from the seed so a run can be repeated exactly.
 */
export function planFaults(
  kinds: readonly FaultKind[],
  rounds: number,
  seed: string,
  services: readonly string[],
  writeService?: string,
): PlannedFault[] {
  const rand = seededRandom(seed);
  const plan: PlannedFault[] = [];
  while (plan.length < rounds) {
    const pass = [...kinds];
    for (let i = pass.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [pass[i], pass[j]] = [pass[j]!, pass[i]!];
    }
    for (const kind of pass) {
      if (plan.length >= rounds) break;
      let service: string | undefined;
      if (kind === 'kill-midwrite') service = writeService ?? services[0];
      else if (SINGLE_SERVICE_FAULTS.has(kind)) service = services[Math.floor(rand() * services.length)];
      plan.push({ index: plan.length, kind, ...(service ? { service } : {}) });
    }
  }
  return plan;
}

/** mulberry32 seeded from a string hash: small, fast, and the same on every platform. */
export function seededRandom(seed: string): () => number {
  let h = 1779033703 ^ seed.length;
  for (let i = 0; i < seed.length; i++) {
    h = Math.imul(h ^ seed.charCodeAt(i), 3432918353);
    h = (h << 13) | (h >>> 19);
  }
  let a = h >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
