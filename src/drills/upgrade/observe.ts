import type { TopLevelVolume } from '../../compose/types.js';
import type { Engine } from '../../docker/engine.js';
import type { OpRecord } from '../../docker/exec.js';
import type { Finding } from '../../findings/types.js';
import { type ActionContext, parseReadIds, perform } from '../actions.js';
import { type CvmApp, LocalCvm } from '../../cvm/index.js';
import * as checks from '../checks.js';
import { maskSecrets } from '../checks.js';
import type { DrillConfig } from '../config.js';
import type { probeAll } from '../recovery.js';
import { formatMs } from '../../util/format-ms.js';
import { dataErrorLines } from './checks.js';
import type { UpgradeConfig } from './config.js';
import { fingerprintVolume, type VolumeFingerprint } from './fingerprint.js';

/** What the upgrade drill's steps look at: readiness with the app's own words, reads, volume fingerprints. */

export function sum(v: VolumeFingerprint[], k: 'fileCount' | 'bytes'): number {
  return v.reduce((n, x) => n + x[k], 0);
}

/** Findings for services not ready (with the first data error of their log) or restarting in a loop. */
export async function readyOutcome(
  cvm: LocalCvm,
  app: CvmApp,
  after: string,
  ready: Awaited<ReturnType<typeof probeAll>>,
  add: (f: Finding) => void,
  secrets: ReadonlyMap<string, string>,
  cfg: UpgradeConfig,
): Promise<{ ok: boolean; detail: string }> {
  const down = ready.filter((r) => !r.ready);
  // Quote what the app said: a line naming a data error, else its last log line (secrets masked).
  const dataErrors = down.length ? await dataErrorsOf(cvm, secrets, cfg) : [];
  const logs =
    dataErrors.length || !down.length
      ? dataErrors
      : await lastLogLines(
          cvm,
          down.map((r) => r.service),
          secrets,
        );
  for (const r of down)
    add(checks.notReady(app, r.service, after, r.ms, `${r.detail}${logs.length ? `; log: ${logs[0]}` : ''}`));
  for (const r of ready)
    if (r.restarts >= checks.RESTART_LOOP_THRESHOLD) add(checks.restartLoop(app, r.service, r.restarts, after));
  if (!down.length)
    return { ok: true, detail: `ready (${ready.map((r) => `${r.service} ${formatMs(r.ms)}`).join(', ')})` };
  return {
    ok: false,
    detail:
      `not ready within the ` +
      `deadline: ${down.map((r) => `${r.service} (${r.detail})`).join(', ')}${logs.length ? `; log: ${logs[0]}` : ''}`,
  };
}

export async function dataErrorsOf(
  cvm: LocalCvm,
  secrets: ReadonlyMap<string, string>,
  cfg: UpgradeConfig,
): Promise<string[]> {
  const out: string[] = [];
  for (const c of await cvm.containers())
    out.push(
      ...dataErrorLines(await cvm.engine.logs(c.Id), cfg.dataErrors, secrets).map(
        (l) => `${LocalCvm.serviceOf(c)}: ${l}`,
      ),
    );
  return out;
}

async function lastLogLines(
  cvm: LocalCvm,
  services: string[],
  secrets: ReadonlyMap<string, string>,
): Promise<string[]> {
  const out: string[] = [];
  for (const c of await cvm.containers()) {
    const svc = LocalCvm.serviceOf(c);
    if (!services.includes(svc)) continue;
    const last = (await cvm.engine.logs(c.Id))
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean)
      .pop();
    if (last) out.push(`${svc}: ${maskSecrets(last, secrets).slice(0, 300)}`);
  }
  return out;
}

/** The read after the upgrade or the rollback: retried for up to 30 s while the app warms up. */
export async function finalRead(
  config: DrillConfig,
  ctx: ActionContext,
  sleep: (ms: number) => Promise<void>,
): Promise<{ ok: boolean; ids?: string[]; error?: string }> {
  const deadline = performance.now() + Math.min(config.defaultReadyTimeoutMs, 30_000);
  for (;;) {
    const r = await perform(config.workload!.read, ctx, undefined, config.workload!.timeoutMs);
    if (r.outcome === 'ok') return { ok: true, ids: parseReadIds(r.body ?? '') };
    if (performance.now() > deadline) return { ok: false, error: r.error ?? r.outcome };
    await sleep(500);
  }
}

/** The Docker volumes of an app's named volumes, as the CVM's Compose project names them. */
export function volumesOf(app: CvmApp, project: string): { key: string; volume: string }[] {
  return Object.entries((app.project.model.volumes ?? {}) as Record<string, TopLevelVolume | null>)
    .filter(([, v]) => !v?.external)
    .map(([key, v]) => ({ key, volume: v?.name ?? `${project}_${key}` }));
}

export async function fingerprintAll(
  engine: Engine,
  project: string,
  oldApp: CvmApp,
  drillId: string,
  cfg: UpgradeConfig,
  onOp: (op: OpRecord) => void,
  before?: VolumeFingerprint[],
): Promise<VolumeFingerprint[]> {
  const image = Object.values(oldApp.project.model.services ?? {}).find((s) => s.image)?.image;
  if (!image) return [];
  const out: VolumeFingerprint[] = [];
  for (const v of volumesOf(oldApp, project)) {
    out.push(
      await fingerprintVolume(engine, {
        ...v,
        image,
        drillId,
        limits: { maxFiles: cfg.maxFiles, maxBytes: cfg.maxBytes },
        onOp,
        old: before?.find((b) => b.volume === v.volume),
      }),
    );
  }
  return out;
}
