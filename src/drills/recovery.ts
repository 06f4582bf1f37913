import type { ActionContext } from './actions.js';
import type { ContainerSource } from './probes.js';
import type { DrillConfig } from './config.js';
import { waitReady, type ReadyResult } from './probes.js';

/** Evidence gathered over the run, per service (files outside volumes; secret names seen in logs). */
export interface Evidence {
  outside: Map<string, Set<string>>;
  secrets: Map<string, { names: Set<string>; patterns: Set<string> }>;
}

/** Wait for every service in parallel; each has its own deadline. */
export function probeAll(
  app: ContainerSource,
  services: readonly string[],
  config: DrillConfig,
  ctx: ActionContext,
  sleep: (ms: number) => Promise<void>,
): Promise<ReadyResult[]> {
  return Promise.all(services.map((s) => waitReady(app, s, config, ctx, sleep)));
}
