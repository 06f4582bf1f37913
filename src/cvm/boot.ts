import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { engineEnv, type ComposeRunner } from '../docker/compose.js';
import { EngineError } from '../docker/exec.js';
import type { CvmApp } from './app.js';
import { phalaDefaultPreLaunch } from './default-pre-launch.js';
import { guestEnv } from './env.js';
import { containerVolumes, LocalCvm } from './local-cvm.js';
import type { ContainerVolumes } from './mixed-version.js';
import { pruneImages, pruneVolumes } from './prune.js';
import { restoredByEngine } from './restore.js';
import type { PreLaunchOutcome, PreLaunchSandbox } from './sandbox/index.js';
import type { BootContainer, BootListener, BootStep, ScriptLine, StopMode } from './types.js';

export interface BootOptions {
  /** The guest agent starts here (after orphan removal, before dockerd): restart the stand-in. */
  onAgent?: () => Promise<void>;
  /** Also told every event of this boot (besides the CVM's own listener). */
  onEvent?: BootListener;
}

export interface BootResult {
  boot: number;
  ok: boolean;
  /** Epoch milliseconds: when the boot started and ended (for timelines of the containers). */
  startedAt: number;
  endedAt: number;
  failed?: {
    step: BootStep;
    reason: string;
    at?: ScriptLine;
    /** Images `up` needed that the engine has not got and could not pull (no registry here, or none has it). */
    unavailableImages?: string[];
  };
  /** Containers dockerd brought back with their old config before `compose up`. */
  restored: BootContainer[];
  /** Containers that existed before this boot (older versions, or ones `up` keeps), with their volumes. */
  before: ContainerVolumes[];
  droppedEnv: string[];
  steps: { step: BootStep; ok: boolean; ms: number }[];
}

/** What the boot needs from the CVM besides its public API (local-cvm.ts builds it). */
export interface BootHost {
  cvm: LocalCvm;
  boot: number;
  after: StopMode | 'nothing';
  runningAtStop: ReadonlySet<string>;
  emit: BootListener;
  sandbox: () => Promise<PreLaunchSandbox>;
  /** Compose for this version with this boot's environment. */
  setRunner: (env: NodeJS.ProcessEnv) => ComposeRunner;
}

class BootFailed extends Error {
  constructor(
    readonly reason: string,
    readonly at?: ScriptLine,
    readonly unavailableImages?: string[],
  ) {
    super(reason);
  }
}

/**
 * One boot, the guest's steps in order (docs/platform.md#boot-sequence; the titles in types.ts).
 * Each step is reported as it starts and ends, with its wall time; a failing step ends the boot
 * there, as in the guest, and leaves whatever dockerd had already restored running.
 */
export async function runBoot(host: BootHost, app: CvmApp, opts: BootOptions): Promise<BootResult> {
  const { cvm, boot, emit } = host;
  const startedAt = Date.now();
  const t0 = performance.now();
  const result: BootResult = {
    boot,
    ok: false,
    startedAt,
    endedAt: 0,
    restored: [],
    before: [],
    droppedEnv: [],
    steps: [],
  };
  emit({ type: 'boot-start', boot, version: app.label, os: cvm.os, after: host.after });

  const step = async (name: BootStep, fn: () => Promise<string>): Promise<void> => {
    emit({ type: 'boot-step-start', boot, bootStep: name });
    const s = performance.now();
    try {
      const detail = await fn();
      const ms = performance.now() - s;
      result.steps.push({ step: name, ok: true, ms });
      emit({ type: 'boot-step-end', boot, bootStep: name, ok: true, ms, detail });
    } catch (err) {
      const ms = performance.now() - s;
      const failure =
        err instanceof BootFailed ? err : err instanceof EngineError ? new BootFailed(err.message) : undefined;
      if (!failure) throw err;
      result.steps.push({ step: name, ok: false, ms });
      emit({ type: 'boot-step-end', boot, bootStep: name, ok: false, ms, detail: failure.reason });
      emit({
        type: 'boot-failed',
        boot,
        bootStep: name,
        reason: failure.reason,
        ...(failure.at ? { at: failure.at } : {}),
      });
      result.failed = {
        step: name,
        reason: failure.reason,
        ...(failure.at ? { at: failure.at } : {}),
        ...(failure.unavailableImages?.length ? { unavailableImages: failure.unavailableImages } : {}),
      };
      throw failure;
    }
  };

  let kept = new Map<string, string>();
  let preLaunch: PreLaunchOutcome | undefined;
  try {
    await step('volatile', async () => {
      rmSync(cvm.dstackDir, { recursive: true, force: true });
      mkdirSync(cvm.dstackDir, { recursive: true });
      for (const f of app.composeFiles) writeFileSync(join(cvm.dstackDir, f.name), f.text);
      writeFileSync(join(cvm.dstackDir, 'app-compose.json'), app.manifestText);
      return `work dir emptied; ${app.composeFiles.map((f) => f.name).join(', ')} and app-compose.json written`;
    });

    await step('env', async () => {
      const g = guestEnv(app.project.env, app.project.deployment.settings.allowed_envs);
      result.droppedEnv = g.dropped;
      emit({ type: 'env-filtered', boot, kept: g.kept.size, dropped: g.dropped });
      if (g.error) throw new BootFailed(`the guest refuses the env: ${g.error}`);
      kept = g.kept;
      return (
        `${g.kept.size} variable(s) ` +
        `kept${g.dropped.length ? `, ${g.dropped.length} dropped (not in allowed_envs): ${g.dropped.join(', ')}` : ''}`
      );
    });

    await step('remove-orphans', async () => {
      const all = await cvm.containers();
      result.before = all.map(containerVolumes);
      cvm.noteAnonymousVolumes(all);
      const declared = new Set(app.declaredServices);
      const orphans = all.filter((c) => !declared.has(LocalCvm.serviceOf(c)));
      // Deleted from the engine's data dir before dockerd runs: the container goes, its volumes stay.
      if (orphans.length) await cvm.engine.must(['rm', '--force', ...orphans.map((c) => c.Id)]);
      const gone = orphans.map((c) => ({ service: LocalCvm.serviceOf(c), id: c.Id }));
      emit({ type: 'orphans-removed', boot, containers: gone });
      return gone.length ? `removed ${gone.map((c) => c.service).join(', ')}` : 'no orphans';
    });

    await step('agent', async () => {
      if (!opts.onAgent) return 'no guest agent asked for';
      await opts.onAgent();
      return 'guest agent started';
    });

    await step('engine-start', async () => {
      const restored: BootContainer[] = [];
      const failed: BootContainer[] = [];
      for (const c of await cvm.containers()) {
        if (c.State.Running) continue;
        const policy = c.HostConfig.RestartPolicy?.Name || 'no';
        const wasRunning = host.runningAtStop.has(c.Id);
        if (!restoredByEngine({ id: c.Id, policy, wasRunning }, host.after === 'nothing' ? 'graceful' : host.after))
          continue;
        const entry = { service: LocalCvm.serviceOf(c), id: c.Id, image: c.Config.Image, policy };
        // The engine starts it as it was; a start that fails (a bind source gone with the tmpfs) stays down.
        const r = await cvm.engine.start(c.Id);
        (r.code === 0 ? restored : failed).push(entry);
      }
      result.restored = restored;
      emit({ type: 'engine-restored', boot, containers: restored, failed });
      const parts = [
        restored.length
          ? `restored ${restored.map((c) => `${c.service} (restart: ${c.policy})`).join(', ')}`
          : 'nothing restored',
      ];
      if (failed.length) parts.push(`could not start ${failed.map((c) => c.service).join(', ')}`);
      return parts.join('; ');
    });

    await step('pre-launch', async () => {
      const settings = app.project.deployment.settings;
      const script = settings.pre_launch_script;
      if (script === undefined && app.project.deployment.source !== 'app-compose.json') {
        preLaunch = await phalaDefaultPreLaunch(cvm, app, kept, boot, emit);
      } else if (script === undefined) {
        return 'no pre_launch_script';
      } else {
        preLaunch = await (await host.sandbox()).run({ app, script, env: kept, boot, emit });
      }
      if (!preLaunch.ok) throw new BootFailed(preLaunch.reason, preLaunch.at);
      return preLaunch.detail;
    });

    await step('compose-up', async () => {
      const env: NodeJS.ProcessEnv = { ...engineEnv(), ...Object.fromEntries(kept) };
      for (const [k, v] of preLaunch?.exports ?? []) env[k] = v;
      for (const k of preLaunch?.unset ?? []) delete env[k];
      const compose = host.setRunner(env);
      const missing = await notePulls(cvm, app, boot, emit);
      const r = await compose.run(['up', '--remove-orphans', '-d', '--build']);
      if (r.code !== 0) {
        const last = (r.stderr || r.stdout).trim().split('\n').filter(Boolean).pop() ?? `exit ${r.code}`;
        const unavailable: string[] = [];
        for (const m of missing)
          if ((await cvm.engine.run(['image', 'inspect', '--format', '{{.Id}}', m])).code !== 0) unavailable.push(m);
        throw new BootFailed(`failed to start containers: ${last.slice(0, 400)}`, undefined, unavailable);
      }
      return `${app.services.length} service(s) up`;
    });

    await step('prune', async () => {
      // One listing for the three: nothing starts or stops between them.
      const containers = await cvm.containers();
      cvm.noteAnonymousVolumes(containers);
      const images = await pruneImages(cvm, boot, containers);
      const volumes = await pruneVolumes(cvm, containers);
      emit({ type: 'pruned', boot, images, volumes });
      return `${images.length} image(s), ${volumes.length} anonymous volume(s) pruned`;
    });
    result.ok = true;
  } catch (err) {
    if (!(err instanceof BootFailed)) throw err;
  }
  result.endedAt = Date.now();
  emit({ type: 'boot-end', boot, ok: result.ok, ms: performance.now() - t0, disk: cvm.disk() });
  return result;
}

/**
 * Before `up`: the images this version needs that the CVM's disk no longer has (returned: those
 * the engine has not got at all, which `up` pulls). The first boot's
 * images count as pulled at deployment; an image an earlier boot's prune deleted is pulled again
 * by the CVM (a rollback), which the local engine, holding the user's copy, would otherwise hide.
 */
async function notePulls(cvm: LocalCvm, app: CvmApp, boot: number, emit: BootListener): Promise<string[]> {
  const wanted = app.images();
  if (!wanted.length) return [];
  const r = await cvm.engine.run(['image', 'inspect', '--format', '{{.Id}}', ...wanted.map((w) => w.image)]);
  const ids = r.stdout.split('\n').map((l) => l.trim());
  // inspect prints one line per image it found, in order; a missing one makes the lines not line up.
  const missing: string[] = [];
  if (r.code !== 0 || ids.filter(Boolean).length !== wanted.length) {
    for (const w of wanted) {
      const one = await cvm.engine.run(['image', 'inspect', '--format', '{{.Id}}', w.image]);
      if (one.code === 0) record(w, one.stdout.trim());
      else missing.push(w.image);
    }
    return missing;
  }
  for (const [i, w] of wanted.entries()) record(w, ids[i]!);
  return missing;

  function record(w: { service: string; image: string }, id: string): void {
    if (cvm.images.has(id)) return;
    const prunedAtBoot = cvm.images.prunedBy(id);
    if (prunedAtBoot !== undefined)
      emit({ type: 'image-pulled-again', boot, service: w.service, image: w.image, prunedAtBoot });
    cvm.images.add(id, w.image);
  }
}
