import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Project } from '../../compose/project.js';
import type { TopLevelVolume } from '../../compose/types.js';
import { diffProjects } from '../../diff/index.js';
import { InputError } from '../../util/errors.js';
import type { Finding } from '../../findings/types.js';
import type { Engine } from '../../docker/engine.js';
import { EngineError, type OpRecord } from '../../docker/exec.js';
import { ownerValue } from '../../docker/labels.js';
import { parseReadIds, perform, type ActionContext } from '../actions.js';
import { drillKeyProvider, startDrillAgent } from '../agent-socket.js';
import { agentMounters, DrillApp } from '../app.js';
import { keyFindings, keyProviderSource, phaseOf } from '../keys.js';
import * as checks from '../checks.js';
import { drillConfigFrom, type DrillConfig } from '../config.js';
import { checkSet, type HistoryOp } from '../history.js';
import { HISTORY_FILE, type Journal } from '../journal.js';
import { createProgress, type Progress } from '../progress.js';
import { probeAll } from '../recovery.js';
import { formatMs } from '../timefmt.js';
import { Writer } from '../writer.js';
import { dataErrorLines, filesChanged, upgradeFinding } from './checks.js';
import { maskSecrets } from '../checks.js';
import { compareVolume } from './compare.js';
import { upgradeConfigFrom, type UpgradeConfig } from './config.js';
import { fingerprintVolume, type VolumeFingerprint } from './fingerprint.js';
import {
  buildUpgradeReport,
  STEP_TITLES,
  upgradeFailed,
  type UpgradeEvent,
  type UpgradeReport,
  type UpgradeStep,
} from './report.js';
import { DrillRun, requireDockerCompose, type RunStatus } from '../lifecycle.js';

export interface UpgradeDrillOptions {
  /** OLD, loaded with the old secrets (`--env-file`). */
  from: Project;
  /** NEW, loaded with exactly the new secrets (`--next-env-file`). */
  to: Project;
  /** The env files, for the static diff's secrets plan (names only). */
  envFile?: string;
  nextEnvFile?: string;
  rollback?: boolean;
  runRoot: string;
  progress?: Progress;
  handleSignals?: boolean;
  cwd?: string;
}

export interface UpgradeDrillResult {
  report: UpgradeReport;
  runDir: string;
  failed: boolean;
}

type StepOutcome = { ok: boolean; detail: string };

/**
 * `preflight drill upgrade`: a state machine over UPGRADE_STEPS (plan → start-old → seed →
 * fingerprint → upgrade → verify → rollback), each step journaled before and after it runs, so the
 * report (rebuilt from the journal) shows where a run stopped and why.
 */
export async function runUpgradeDrill(opts: UpgradeDrillOptions): Promise<UpgradeDrillResult> {
  const { from, to } = opts;
  const progress = opts.progress ?? createProgress(process.stderr, true);
  // The drill settings of NEW's .preflight.yml, else OLD's: one workload must work on both versions.
  const source = to.config.drill !== undefined ? to.config : from.config;
  const config = drillConfigFrom(source);
  const upCfg = upgradeConfigFrom(source);
  for (const p of [from, to])
    if (!Object.keys(p.model.services ?? {}).length)
      throw new InputError('the compose project has no services to drill', { file: p.composeFiles[0] });

  const cli = await requireDockerCompose();
  // Secrets of both sets: a value of either showing up in a log is a leak.
  const secrets = new Map([...from.env, ...to.env]);
  const run = new DrillRun<UpgradeEvent>(
    'upgrade',
    opts.runRoot,
    progress,
    {
      // The writer's history, saved beside the journal like the restart drill's.
      beforeEnd: () => writeFileSync(join(run.runDir, HISTORY_FILE), JSON.stringify(ops(run.journal), null, 1)),
      maskError: (text) => maskSecrets(text, secrets),
    },
    source,
  );
  const { drillId, runDir, journal, engine, onOp, addFinding } = run;
  const wait = <T>(p: () => Promise<T>) => run.wait(p);
  const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
  const clock = () => run.clock();

  const mounters = [
    ...agentMounters(to),
    ...agentMounters(from).filter((m) => !agentMounters(to).some((n) => n.service === m.service)),
  ];
  const providers = { old: drillKeyProvider(from.deployment.settings), new: drillKeyProvider(to.deployment.settings) };
  let keyPhase = 'OLD (first start)';
  // Closes the phase of keys served so far; the CVM then reboots into `next`, so its agent restarts.
  const rebootAgent = async (next: string, provider: typeof providers.old) => {
    if (!run.agent) return;
    journal.append({ type: 'keys', keys: phaseOf(keyPhase, run.agent.keyProvider, run.agent.takeKeyLog()) });
    await run.agent.restart({ keyProvider: provider });
    keyPhase = next;
  };
  const teardown = (status: RunStatus, error?: string) => run.teardown(status, error);
  if (opts.handleSignals) run.handleSignals();

  try {
    if (mounters.length) run.agent = await startDrillAgent(runDir, { keyProvider: providers.old });
    const prep = (project: Project, side: string) =>
      DrillApp.prepare({
        project,
        drillId,
        runDir: join(runDir, side),
        engine,
        cli,
        agentSocket: run.agent?.socketPath,
        onOp,
      });
    const oldPrep = prep(from, 'old');
    const newPrep = prep(to, 'new');
    const oldApp = oldPrep.app;
    const newApp = newPrep.app;
    journal.append({
      type: 'run-start',
      drill: 'upgrade',
      drillId,
      project: newApp.projectName,
      dir: to.dir,
      files: to.composeFiles,
      compose: { kind: cli.kind, version: cli.version },
      seed: '',
      plan: [],
      services: newApp.services,
      pid: process.pid,
      owner: ownerValue(),
    });
    journal.append({
      type: 'upgrade-start',
      from: { dir: from.dir, files: from.composeFiles },
      to: { dir: to.dir, files: to.composeFiles },
      rollback: !!opts.rollback,
    });
    const seen = new Set<string>();
    for (const f of [...oldPrep.findings, ...newPrep.findings])
      if (!seen.has(f.message) && seen.add(f.message)) addFinding(f);

    let current = oldApp;
    const ctx: ActionContext = {
      engine,
      vars: from.env,
      containerOf: async (service) => (await current.containers(service)).find((c) => c.State.Running)?.Id,
    };
    const writeService =
      config.workload?.service ?? (config.workload?.write.kind === 'exec' ? config.workload.write.service : undefined);
    const whereWrites = (app: DrillApp) =>
      writeService && app.services.includes(writeService) ? writeService : app.services[0];

    const step = async (name: UpgradeStep, run: () => Promise<StepOutcome>): Promise<boolean> => {
      journal.append({ type: 'step-start', step: name });
      progress.step(`${name}: ${STEP_TITLES[name]}`);
      const t0 = performance.now();
      let r: StepOutcome;
      try {
        r = await run();
      } catch (err) {
        if (!(err instanceof EngineError)) throw err;
        r = { ok: false, detail: maskSecrets(err.message, secrets) };
      }
      const ms = performance.now() - t0;
      journal.append({ type: 'step-end', step: name, ok: r.ok, ms, detail: r.detail });
      progress.done(`${name} (${formatMs(ms)}): ${r.detail}`, r.ok);
      return r.ok;
    };

    await step('plan', async () => {
      const d = diffProjects(from, to, {
        oldEnvFile: opts.envFile,
        newEnvFile: opts.nextEnvFile ?? opts.envFile,
        cwd: opts.cwd,
      });
      journal.append({ type: 'diff', findings: d.report.findings });
      const errors = d.report.findings.filter((f) => f.severity === 'error').length;
      return { ok: true, detail: `${d.report.findings.length} finding(s), ${errors} error(s)` };
    });

    const startedOld = await step('start-old', async () => {
      await wait(() => oldApp.up());
      return readyOutcome(
        oldApp,
        "OLD's first start",
        await wait(() => probeAll(oldApp, oldApp.services, config, ctx, sleep)),
        addFinding,
        secrets,
        upCfg,
      );
    });

    let before: VolumeFingerprint[] = [];
    if (startedOld) {
      await step('seed', async () => {
        if (upCfg.seed) {
          const r = await wait(() => perform(upCfg.seed!, ctx, undefined, 60_000));
          if (r.outcome !== 'ok') return { ok: false, detail: `the seed command failed (${r.error ?? r.outcome})` };
        }
        if (!config.workload || upCfg.seedWrites === 0)
          return {
            ok: true,
            detail: upCfg.seed
              ? 'seed command ran; no workload writes'
              : 'no drill.workload or drill.upgrade.seed: data not checked',
          };
        const writer = (run.writer = new Writer(
          config.workload,
          ctx,
          `${drillId.slice(-6)}-s`,
          clock,
          () => undefined,
          (op) => journal.append({ type: 'op', op }),
        ));
        writer.start();
        const deadline = performance.now() + Math.min(120_000, 10_000 + upCfg.seedWrites * config.workload.timeoutMs);
        while (writer.acknowledged < upCfg.seedWrites && performance.now() < deadline) await wait(() => sleep(50));
        await wait(() => writer.stop());
        const acked = writer.acknowledged;
        return { ok: acked > 0, detail: `${acked} write(s) acknowledged by OLD` };
      });

      await step('fingerprint', async () => {
        const stops = await wait(() => oldApp.stopAll());
        for (const o of stops.filter((s) => s.killed))
          addFinding(checks.sigtermIgnored(oldApp, o, "the upgrade's stop"));
        before = await wait(() => fingerprintAll(engine, oldApp, drillId, upCfg, onOp));
        journal.append({ type: 'fingerprint', phase: 'before', volumes: before });
        return {
          ok: true,
          detail: `${before.length} volume(s), ${sum(before, 'fileCount')} file(s), ${sum(before, 'bytes')} bytes`,
        };
      });

      const startedNew = await step('upgrade', async () => {
        await wait(async () => engine.removeContainers((await oldApp.containers()).map((c) => c.Id)));
        await rebootAgent('NEW (after the upgrade)', providers.new);
        current = newApp;
        ctx.vars = to.env;
        try {
          await wait(() => newApp.up());
        } catch (err) {
          if (!(err instanceof EngineError)) throw err;
          const why = maskSecrets(err.message, secrets);
          addFinding(
            checks.notReady(newApp, newApp.services[0]!, 'the upgrade', 0, `compose could not start NEW: ${why}`),
          );
          return { ok: false, detail: `NEW did not start: ${why}` };
        }
        return { ok: true, detail: `NEW started with ${to.env.size} variable(s) from the new secret set` };
      });

      if (startedNew) {
        await step('verify', async () => {
          const ready = await wait(() => probeAll(newApp, newApp.services, config, ctx, sleep));
          const outcome = await readyOutcome(newApp, 'the upgrade', ready, addFinding, secrets, upCfg);
          const notes: string[] = [outcome.detail];
          if (outcome.ok && config.workload) {
            const writer = (run.writer = new Writer(
              config.workload,
              ctx,
              `${drillId.slice(-6)}-v`,
              clock,
              () => undefined,
              (op) => journal.append({ type: 'op', op }),
            ));
            writer.start();
            await wait(() => sleep(config.trafficMs));
            await wait(() => writer.stop());
            const read = await wait(() => finalRead(config, ctx, sleep));
            journal.append({ type: 'read', phase: 'verify', ...read });
            if (read.ok) {
              const check = checkSet(ops(journal), read.ids!);
              checks.lostWrites(newApp, whereWrites(newApp), check).forEach(addFinding);
              notes.push(
                `${check.read} of ${check.acknowledged} acknowledged writes read back, ${check.lost.length} lost`,
              );
              if (!check.valid) outcome.ok = false;
            } else {
              addFinding(checks.readFailed(newApp, whereWrites(newApp), read.error!));
              outcome.ok = false;
            }
          }
          await wait(() =>
            collectEvidence(newApp, addFinding, secrets, to.deployment.settings.public_logs, upCfg, outcome.ok),
          );
          const stops = await wait(() => newApp.stopAll());
          for (const o of stops.filter((s) => s.killed))
            addFinding(checks.sigtermIgnored(newApp, o, 'the stop after the upgrade'));
          const after = await wait(() => fingerprintAll(engine, oldApp, drillId, upCfg, onOp, before));
          journal.append({ type: 'fingerprint', phase: 'after', volumes: after });
          const mountedByNew = new Set(volumesOf(newApp).map((v) => v.volume));
          const diffs = before.map((b) =>
            compareVolume(
              b,
              after.find((a) => a.volume === b.volume),
              upCfg.expectChanges,
              mountedByNew.has(b.volume),
            ),
          );
          journal.append({ type: 'volume-diff', diffs });
          for (const d of diffs) {
            const user = Object.entries(to.model.services ?? {}).find(([, s]) =>
              (s.volumes ?? []).some((v) => v.type === 'volume' && v.source === d.key),
            )?.[0];
            const f = filesChanged(
              d,
              user
                ? newApp.where(user)
                : oldApp.where(
                    Object.entries(from.model.services ?? {}).find(([, s]) =>
                      (s.volumes ?? []).some((v) => v.type === 'volume' && v.source === d.key),
                    )?.[0] ?? oldApp.services[0]!,
                  ),
            );
            if (f) {
              addFinding(f);
              if (f.severity === 'error') outcome.ok = false;
            }
          }
          return { ok: outcome.ok, detail: notes.join('; ') };
        });
      }

      if (opts.rollback) {
        await step('rollback', async () => {
          await wait(async () => engine.removeContainers((await newApp.containers()).map((c) => c.Id)));
          await rebootAgent('OLD (after the rollback)', providers.old);
          current = oldApp;
          ctx.vars = from.env;
          const failed = (why: string) => {
            addFinding(
              upgradeFinding(
                'upgrade-rollback-failed',
                `after going back to OLD on the upgraded data: ${why}`,
                oldApp.where(whereWrites(oldApp)!),
              ),
            );
            return { ok: false, detail: why };
          };
          try {
            await wait(() => oldApp.up());
          } catch (err) {
            if (!(err instanceof EngineError)) throw err;
            return failed(`compose could not start OLD: ${maskSecrets(err.message, secrets)}`);
          }
          const ready = await wait(() => probeAll(oldApp, oldApp.services, config, ctx, sleep));
          const down = ready.filter((r) => !r.ready);
          if (down.length) {
            const logs = await dataErrorsOf(oldApp, secrets, upCfg);
            return failed(
              `OLD did not become ready (${down.map((r) => `${r.service}: ${r.detail}`).join(', ')})${logs.length ? `; its log says: ${logs[0]}` : ''}`,
            );
          }
          if (!config.workload) return { ok: true, detail: 'OLD ready again (no workload to read back)' };
          const read = await wait(() => finalRead(config, ctx, sleep));
          journal.append({ type: 'read', phase: 'rollback', ...read });
          if (!read.ok) return failed(`the read failed (${read.error})`);
          const check = checkSet(ops(journal), read.ids!);
          if (!check.valid)
            return failed(
              `OLD reads back ${check.read} values; ${check.lost.length} of ${check.acknowledged} acknowledged writes are missing (e.g. ${check.lost.slice(0, 3).join(', ')})`,
            );
          return { ok: true, detail: `OLD ready again and reads back all ${check.acknowledged} acknowledged writes` };
        });
      }
    }

    if (run.agent) {
      journal.append({ type: 'keys', keys: phaseOf(keyPhase, run.agent.keyProvider, run.agent.takeKeyLog()) });
      const phases = journal.read().flatMap((e) => (e.type === 'keys' ? [e.keys] : []));
      const source =
        providers.new === 'none' || providers.old !== 'none'
          ? keyProviderSource(to.deployment)
          : `OLD ${keyProviderSource(from.deployment)}`;
      keyFindings(phases, {
        mounters,
        where: (svc) => (newApp.services.includes(svc) ? newApp : oldApp).where(svc),
        providerSource: source,
      }).forEach(addFinding);
    }
    const failing = journal
      .read()
      .some(
        (e) =>
          (e.type === 'finding' && (e.finding.severity === 'error' || e.finding.severity === 'warning')) ||
          (e.type === 'step-end' && !e.ok),
      );
    await teardown(failing ? 'failed' : 'passed');
  } catch (err) {
    await teardown('error', err instanceof Error ? err.message.split('\n')[0] : String(err)).catch(() => undefined);
    throw err;
  } finally {
    await run.finish();
  }
  const report = buildUpgradeReport(journal.read(), runDir);
  return { report, runDir, failed: upgradeFailed(report) };
}

function ops(journal: Journal<UpgradeEvent>): HistoryOp[] {
  return journal.read().flatMap((e) => (e.type === 'op' ? [e.op] : []));
}

function sum(v: VolumeFingerprint[], k: 'fileCount' | 'bytes'): number {
  return v.reduce((n, x) => n + x[k], 0);
}

/** Findings for services not ready (with the first data error of their log) or restarting in a loop. */
async function readyOutcome(
  app: DrillApp,
  after: string,
  ready: Awaited<ReturnType<typeof probeAll>>,
  add: (f: Finding) => void,
  secrets: ReadonlyMap<string, string>,
  cfg: UpgradeConfig,
): Promise<StepOutcome> {
  const down = ready.filter((r) => !r.ready);
  // Quote what the app said: a line naming a data error, else its last log line (secrets masked).
  const dataErrors = down.length ? await dataErrorsOf(app, secrets, cfg) : [];
  const logs =
    dataErrors.length || !down.length
      ? dataErrors
      : await lastLogLines(
          app,
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
    detail: `not ready within the deadline: ${down.map((r) => `${r.service} (${r.detail})`).join(', ')}${logs.length ? `; log: ${logs[0]}` : ''}`,
  };
}

async function dataErrorsOf(
  app: DrillApp,
  secrets: ReadonlyMap<string, string>,
  cfg: UpgradeConfig,
): Promise<string[]> {
  const out: string[] = [];
  for (const c of await app.containers())
    out.push(
      ...dataErrorLines(await app.engine.logs(c.Id), cfg.dataErrors, secrets).map(
        (l) => `${DrillApp.serviceOf(c)}: ${l}`,
      ),
    );
  return out;
}

async function lastLogLines(
  app: DrillApp,
  services: string[],
  secrets: ReadonlyMap<string, string>,
): Promise<string[]> {
  const out: string[] = [];
  for (const c of await app.containers()) {
    const svc = DrillApp.serviceOf(c);
    if (!services.includes(svc)) continue;
    const last = (await app.engine.logs(c.Id))
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean)
      .pop();
    if (last) out.push(`${svc}: ${maskSecrets(last, secrets).slice(0, 300)}`);
  }
  return out;
}

/** NEW's containers: files written outside volumes, secrets and data errors in logs. */
async function collectEvidence(
  app: DrillApp,
  add: (f: Finding) => void,
  secrets: ReadonlyMap<string, string>,
  publicLogs: boolean,
  cfg: UpgradeConfig,
  ready: boolean,
): Promise<void> {
  for (const c of await app.containers()) {
    const svc = DrillApp.serviceOf(c);
    const outside = checks.filesOutsideVolumes(await app.engine.diff(c.Id), c);
    if (outside.length) add(checks.writeOutsideVolume(app, svc, outside));
    const log = await app.engine.logs(c.Id);
    const hit = checks.secretsInLogs(log, secrets);
    if (hit.names.length || hit.patterns.length) add(checks.secretInLogs(app, svc, hit, publicLogs));
    const errors = dataErrorLines(log, cfg.dataErrors, secrets);
    // When NEW was not ready, the not-ready finding already quotes the log.
    if (errors.length && ready)
      add(
        upgradeFinding(
          'upgrade-data-error',
          `${svc} logged ${errors.length} data error line(s) after the upgrade: ${errors.map((l) => `"${l}"`).join(' ')}`,
          app.where(svc),
          svc,
        ),
      );
  }
}

async function finalRead(
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

/** The Docker volumes of an app's named volumes, as this drill's Compose project names them. */
function volumesOf(app: DrillApp): { key: string; volume: string }[] {
  return Object.entries((app.project.model.volumes ?? {}) as Record<string, TopLevelVolume | null>)
    .filter(([, v]) => !v?.external)
    .map(([key, v]) => ({ key, volume: v?.name ?? `${app.projectName}_${key}` }));
}

async function fingerprintAll(
  engine: Engine,
  oldApp: DrillApp,
  drillId: string,
  cfg: UpgradeConfig,
  onOp: (op: OpRecord) => void,
  before?: VolumeFingerprint[],
): Promise<VolumeFingerprint[]> {
  const image = Object.values(oldApp.project.model.services ?? {}).find((s) => s.image)?.image;
  if (!image) return [];
  const out: VolumeFingerprint[] = [];
  for (const v of volumesOf(oldApp)) {
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
