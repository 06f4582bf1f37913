import type { ContainerInfo } from '../docker/engine.js';
import { perform, type ActionContext } from './actions.js';
import type { DrillConfig, ReadyProbe } from './config.js';

/** What readiness needs: the containers of a service (a LocalCvm). */
export interface ContainerSource {
  containers(service?: string): Promise<ContainerInfo[]>;
}

const POLL_MS = 200;
/** "running" counts once the container has stayed up this long (a crash at start is not ready). */
const STABLE_RUNNING_MS = 1_000;

export interface ReadyResult {
  service: string;
  ready: boolean;
  ms: number;
  probe: ReadyProbe['kind'];
  /** Highest number of engine restarts seen across the wait (restart policy restarting a crashing container). */
  restarts: number;
  /** Last state seen, for the message when not ready. */
  detail: string;
}

/**
 * Wait until a service is ready again: its `drill.ready` probe, else its compose healthcheck
 * (the engine's health status), else "running" (up for a second, not restarting).
 */
export async function waitReady(
  app: ContainerSource,
  service: string,
  config: DrillConfig,
  ctx: ActionContext,
  sleep: (ms: number) => Promise<void>,
): Promise<ReadyResult> {
  const rc = config.ready[service];
  const deadlineMs = rc?.timeoutMs ?? config.defaultReadyTimeoutMs;
  const started = performance.now();
  const restartsAtStart = new Map<string, number>();
  let restarts = 0;
  let detail = 'no container';
  let kind: ReadyProbe['kind'] = rc?.probe?.kind ?? 'running';
  for (;;) {
    const containers = await app.containers(service);
    for (const c of containers) {
      if (!restartsAtStart.has(c.Id)) restartsAtStart.set(c.Id, c.RestartCount);
      restarts = Math.max(restarts, c.RestartCount - restartsAtStart.get(c.Id)!);
    }
    const probe: ReadyProbe =
      rc?.probe ?? (containers.some((c) => c.State.Health) ? { kind: 'healthcheck' } : { kind: 'running' });
    kind = probe.kind;
    const verdict = await check(probe, containers, ctx);
    detail = verdict.detail;
    if (verdict.ready) return { service, ready: true, ms: performance.now() - started, probe: kind, restarts, detail };
    if (performance.now() - started >= deadlineMs)
      return { service, ready: false, ms: performance.now() - started, probe: kind, restarts, detail };
    await sleep(POLL_MS);
  }
}

async function check(
  probe: ReadyProbe,
  containers: ContainerInfo[],
  ctx: ActionContext,
): Promise<{ ready: boolean; detail: string }> {
  if (containers.length === 0) return { ready: false, detail: 'no container' };
  for (const c of containers) {
    // A one-shot container that finished successfully and is not meant to restart is done, not down.
    const oneShotDone =
      !c.State.Running && c.State.ExitCode === 0 && ['', 'no'].includes(c.HostConfig.RestartPolicy?.Name ?? '');
    if (oneShotDone) continue;
    if (!c.State.Running || c.State.Restarting)
      return { ready: false, detail: `${c.State.Status}${c.State.Running ? '' : `, exit code ${c.State.ExitCode}`}` };
    if (probe.kind === 'healthcheck' && c.State.Health?.Status !== 'healthy')
      return { ready: false, detail: `health ${c.State.Health?.Status ?? 'unknown'}` };
    if (probe.kind === 'running' && Date.now() - Date.parse(c.State.StartedAt) < STABLE_RUNNING_MS)
      return { ready: false, detail: 'just started' };
  }
  if (probe.kind === 'action') {
    const r = await perform(probe.action, ctx, undefined, 2_000);
    if (r.outcome !== 'ok') return { ready: false, detail: `probe ${r.error ?? r.outcome}` };
  }
  return { ready: true, detail: 'ready' };
}
