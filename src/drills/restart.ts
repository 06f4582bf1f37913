import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Project } from '../compose/project.js';
import { InputError } from '../util/errors.js';
import { EngineError } from '../docker/exec.js';
import { ownerValue } from '../docker/labels.js';
import { parseReadIds, perform, type ActionContext } from './actions.js';
import { drillKeyProvider, startDrillAgent } from './agent-socket.js';
import { agentMounters, DrillApp, type StopOutcome } from './app.js';
import * as checks from './checks.js';
import { drillConfigFrom, type DrillConfig } from './config.js';
import { FAULT_KINDS, planFaults, type FaultKind, type PlannedFault } from './faults.js';
import { HISTORY_FILE, type DrillState } from './journal.js';
import { DrillRun, requireDockerCompose, type RunStatus } from './lifecycle.js';
import { keyFindings, keyProviderSource, phaseOf } from './keys.js';
import { createProgress, type Progress } from './progress.js';
import { probeAll, type Evidence } from './recovery.js';
import { buildReport, drillFailed, type DrillReport } from './report.js';
import { formatMs } from './timefmt.js';
import { Writer } from './writer.js';

export interface RestartDrillOptions {
  project: Project;
  /** Overrides of the `drill` settings of .preflight.yml (CLI flags). */
  faults?: FaultKind[];
  rounds?: number;
  seed?: string;
  /** Where run directories go (`.preflight-drills/`). */
  runRoot: string;
  progress?: Progress;
  /** Install SIGINT/SIGTERM handlers that clean up and exit (the CLI). */
  handleSignals?: boolean;
}

export interface RestartDrillResult {
  report: DrillReport;
  runDir: string;
  failed: boolean;
}

/** Faults run by default: every kind, `kill-midwrite` only when there is write traffic to cut. */
function defaultFaults(config: DrillConfig): FaultKind[] {
  return FAULT_KINDS.filter((k) => k !== 'kill-midwrite' || config.workload);
}

/**
 * `preflight drill restart`: run the app as a CVM would, inject the planned faults while a writer
 * records a history, read back, check, and clean up. Each step is journaled first; the report is
 * rebuilt from the journal.
 */
export async function runRestartDrill(opts: RestartDrillOptions): Promise<RestartDrillResult> {
  const { project } = opts;
  const progress = opts.progress ?? createProgress(process.stderr, true);
  const config = drillConfigFrom(project.config);
  const services = Object.keys(project.model.services ?? {});
  if (services.length === 0)
    throw new InputError('the compose project has no services to drill', { file: project.composeFiles[0] });
  for (const svc of Object.keys(config.ready)) {
    if (!services.includes(svc))
      throw new InputError(`drill.ready names service "${svc}", which the compose file does not define`, {
        file: project.config.file,
      });
  }
  const kinds = opts.faults ?? config.faults ?? defaultFaults(config);
  if (kinds.includes('kill-midwrite') && !config.workload)
    throw new InputError('the kill-midwrite fault needs drill.workload (write traffic to cut)', {
      file: project.config.file,
    });
  const rounds = opts.rounds ?? config.rounds ?? kinds.length;
  const seed = opts.seed ?? config.seed ?? randomBytes(4).toString('hex');
  const writeService = config.workload?.service ?? guessWriteService(project, config) ?? services[0];

  const cli = await requireDockerCompose();

  const run = new DrillRun('restart', opts.runRoot, progress, {}, project.config);
  const { drillId, runDir, journal, engine, onOp } = run;
  const plan = planFaults(kinds, rounds, seed, services, writeService);
  const wait = <T>(p: () => Promise<T>) => run.wait(p);
  const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
  const state = (s: DrillState) => journal.append({ type: 'state', state: s });
  const addFinding = run.addFinding;

  const mounters = agentMounters(project);
  // The keys served from the start of one phase (first start, then each fault) to the next, journaled.
  let keyPhase: { label: string; fault?: number } = { label: 'the first start' };
  const closeKeyPhase = () => {
    if (run.agent)
      journal.append({
        type: 'keys',
        keys: phaseOf(keyPhase.label, run.agent.keyProvider, run.agent.takeKeyLog(), keyPhase.fault),
      });
  };
  const teardown = async (status: RunStatus, error?: string) => {
    state('teardown');
    await run.teardown(status, error);
  };
  if (opts.handleSignals) run.handleSignals();

  try {
    if (mounters.length)
      run.agent = await startDrillAgent(runDir, { keyProvider: drillKeyProvider(project.deployment.settings) });
    const { app, findings: prepFindings } = DrillApp.prepare({
      project,
      drillId,
      runDir,
      engine,
      cli,
      agentSocket: run.agent?.socketPath,
      onOp,
    });
    journal.append({
      type: 'run-start',
      drill: 'restart',
      drillId,
      project: app.projectName,
      dir: project.dir,
      files: project.composeFiles,
      compose: { kind: cli.kind, version: cli.version },
      seed,
      plan,
      services,
      pid: process.pid,
      owner: ownerValue(),
    });
    prepFindings.forEach(addFinding);

    const ctx: ActionContext = {
      engine,
      vars: project.env,
      async containerOf(service) {
        return (await app.containers(service)).find((x) => x.State.Running)?.Id;
      },
    };
    const evidence: Evidence = { outside: new Map(), secrets: new Map() };

    state('starting');
    progress.step(`starting ${services.length} service(s) with compose ${cli.kind}`);
    await wait(() => app.up());
    let ready = await wait(() => probeAll(app, services, config, ctx, sleep));
    const notReadyAtStart = ready.filter((r) => !r.ready);
    for (const r of notReadyAtStart) addFinding(checks.notReady(app, r.service, 'the first start', r.ms, r.detail));
    for (const r of ready)
      if (r.restarts >= checks.RESTART_LOOP_THRESHOLD)
        addFinding(checks.restartLoop(app, r.service, r.restarts, 'the first start'));
    progress.done(
      `started (${notReadyAtStart.length ? 'not ready: ' + notReadyAtStart.map((r) => r.service).join(', ') : 'ready'})`,
      notReadyAtStart.length === 0,
    );

    let currentFault: number | undefined;
    const writer =
      config.workload && notReadyAtStart.length === 0
        ? new Writer(
            config.workload,
            ctx,
            drillId.slice(-6),
            () => run.clock(),
            () => currentFault,
            (op) => journal.append({ type: 'op', op }),
          )
        : undefined;
    run.writer = writer;
    writer?.start();

    state('faults');
    let stopped = notReadyAtStart.length > 0;
    for (const fault of plan) {
      if (stopped) break;
      const label = `${fault.index + 1}/${plan.length} ${fault.kind}${fault.service ? ' ' + fault.service : ''}`;
      progress.step(`traffic before ${label}`);
      await wait(() => sleep(config.trafficMs));
      currentFault = fault.index;
      closeKeyPhase();
      keyPhase = { label: `fault ${fault.index + 1} (${fault.kind})`, fault: fault.index };
      journal.append({ type: 'fault-start', index: fault.index, kind: fault.kind, service: fault.service });
      progress.step(label);
      const t0 = performance.now();
      const stops = await wait(() =>
        inject(app, fault, writer, evidence, () => run.agent?.restart() ?? Promise.resolve()),
      );
      const injectMs = performance.now() - t0;
      for (const o of stops.filter((s) => s.killed)) addFinding(checks.sigtermIgnored(app, o, `${fault.kind}`));
      const t1 = performance.now();
      ready = await wait(() => probeAll(app, services, config, ctx, sleep));
      const recoverMs = performance.now() - t1;
      const notReady = ready.filter((r) => !r.ready);
      for (const r of notReady)
        addFinding(checks.notReady(app, r.service, `fault ${fault.index + 1} (${fault.kind})`, r.ms, r.detail));
      for (const r of ready)
        if (r.restarts >= checks.RESTART_LOOP_THRESHOLD)
          addFinding(checks.restartLoop(app, r.service, r.restarts, `fault ${fault.index + 1} (${fault.kind})`));
      journal.append({
        type: 'fault-end',
        index: fault.index,
        kind: fault.kind,
        service: fault.service,
        injectMs,
        recoverMs,
        ready: notReady.length === 0,
        ...(notReady.length ? { notReady: notReady.map((r) => r.service) } : {}),
      });
      progress.done(
        `${label}: injected in ${formatMs(injectMs)}, ${notReady.length ? 'NOT ready: ' + notReady.map((r) => r.service).join(', ') : `ready again in ${formatMs(recoverMs)}`}`,
        notReady.length === 0,
      );
      currentFault = undefined;
      // A service that does not come back makes further faults meaningless.
      if (notReady.length) stopped = true;
    }

    if (writer) {
      progress.step('traffic after the last fault');
      await wait(() => sleep(config.trafficMs));
      await wait(() => writer!.stop());
      writeFileSync(join(runDir, HISTORY_FILE), JSON.stringify(writer.history, null, 1));
    }

    state('final-read');
    if (config.workload) {
      progress.step('final read');
      const deadline = performance.now() + config.defaultReadyTimeoutMs;
      let last = 'not attempted';
      let ids: string[] | undefined;
      while (!ids) {
        const r = await wait(() => perform(config.workload!.read, ctx, undefined, config.workload!.timeoutMs));
        if (r.outcome === 'ok') ids = parseReadIds(r.body ?? '');
        else if (performance.now() > deadline || stopped) break;
        else {
          last = r.error ?? r.outcome;
          await wait(() => sleep(500));
        }
      }
      journal.append(ids ? { type: 'final-read', ok: true, ids } : { type: 'final-read', ok: false, error: last });
      if (!ids) addFinding(checks.readFailed(app, writeService, last));
    }

    state('checking');
    closeKeyPhase();
    progress.step('checking the containers (diff, logs)');
    await wait(() => collectEvidence(app, evidence, project.env));
    const events = journal.read();
    const partial = buildReport(events, runDir);
    if (partial.check) checks.lostWrites(app, writeService, partial.check).forEach(addFinding);
    for (const [svc, paths] of evidence.outside) addFinding(checks.writeOutsideVolume(app, svc, [...paths].sort()));
    const keyPhases = journal.read().flatMap((e) => (e.type === 'keys' ? [e.keys] : []));
    keyFindings(keyPhases, {
      mounters,
      where: (svc) => app.where(svc),
      providerSource: keyProviderSource(project.deployment),
    }).forEach(addFinding);
    for (const [svc, hit] of evidence.secrets)
      addFinding(
        checks.secretInLogs(
          app,
          svc,
          { names: [...hit.names].sort(), patterns: [...hit.patterns].sort() },
          project.deployment.settings.public_logs,
        ),
      );

    const failing = journal
      .read()
      .some((e) => e.type === 'finding' && (e.finding.severity === 'error' || e.finding.severity === 'warning'));
    await teardown(failing ? 'failed' : 'passed');
  } catch (err) {
    await teardown('error', err instanceof Error ? err.message.split('\n')[0] : String(err)).catch(() => undefined);
    // The app could not even be run (a missing image, an invalid compose for this engine): input, not a crash.
    if (err instanceof EngineError)
      throw new InputError(`the app could not be run: ${err.message}`, { file: project.composeFiles[0] });
    throw err;
  } finally {
    await run.finish();
  }
  const report = buildReport(journal.read(), runDir);
  return { report, runDir, failed: drillFailed(report) };
}

/**
 * Inject one fault; returns how containers answered graceful stops (for the SIGTERM check).
 * `onBoot` runs when the whole CVM goes down, before it boots again (the guest agent restarts too).
 */
async function inject(
  app: DrillApp,
  fault: PlannedFault,
  writer: Writer | undefined,
  evidence: Evidence,
  onBoot: () => Promise<void>,
): Promise<StopOutcome[]> {
  switch (fault.kind) {
    case 'restart': {
      const stops = await app.stopService(fault.service!);
      await app.startService(fault.service!);
      return stops;
    }
    case 'kill':
      await app.crashService(fault.service!);
      await restartIfNoPolicy(app, fault.service!);
      return [];
    case 'kill-midwrite':
      await writer?.inFlightWrite(3, 10_000);
      await app.crashService(fault.service!);
      await restartIfNoPolicy(app, fault.service!);
      return [];
    case 'kill-all':
      await app.killAll();
      await collectEvidence(app, evidence, undefined);
      await onBoot();
      await app.boot();
      return [];
    case 'reboot': {
      const stops = await app.stopAll();
      await collectEvidence(app, evidence, undefined);
      await onBoot();
      await app.boot();
      return stops;
    }
  }
}

/**
 * A crashed container comes back by its restart policy; without one it would stay down in a CVM
 * too (the static `check` reports that), so the drill starts it to go on with the other faults.
 * Also covers a policy the engine did not apply because the kill had to go through `docker kill`.
 */
async function restartIfNoPolicy(app: DrillApp, service: string): Promise<void> {
  const deadline = Date.now() + 1_500;
  for (;;) {
    const down = (await app.containers(service)).filter((c) => !c.State.Running && !c.State.Restarting);
    const noPolicy = down.filter((c) => ['', 'no'].includes(c.HostConfig.RestartPolicy?.Name ?? ''));
    for (const c of noPolicy) await app.engine.start(c.Id);
    if (down.length === noPolicy.length) return;
    if (Date.now() > deadline) {
      for (const c of down) if (!noPolicy.includes(c)) await app.engine.start(c.Id);
      return;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Files outside volumes and secrets in logs, gathered before containers are removed and at the end. */
async function collectEvidence(
  app: DrillApp,
  evidence: Evidence,
  env: ReadonlyMap<string, string> | undefined,
): Promise<void> {
  const containers = await app.containers();
  await Promise.all(
    containers.map(async (c) => {
      const svc = DrillApp.serviceOf(c);
      const outside = checks.filesOutsideVolumes(await app.engine.diff(c.Id), c);
      if (outside.length) {
        const set = evidence.outside.get(svc) ?? new Set<string>();
        for (const p of outside) set.add(p);
        evidence.outside.set(svc, set);
      }
      const hit = checks.secretsInLogs(await app.engine.logs(c.Id), env ?? app.project.env);
      if (hit.names.length || hit.patterns.length) {
        const slot = evidence.secrets.get(svc) ?? { names: new Set<string>(), patterns: new Set<string>() };
        for (const n of hit.names) slot.names.add(n);
        for (const p of hit.patterns) slot.patterns.add(p);
        evidence.secrets.set(svc, slot);
      }
    }),
  );
}

/** The service publishing the port an HTTP write goes to. */
function guessWriteService(project: Project, config: DrillConfig): string | undefined {
  const w = config.workload?.write;
  if (w?.kind !== 'http') return undefined;
  const url = w.url.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (m, n: string) => project.env.get(n) ?? m);
  let port: string;
  try {
    const u = new URL(url);
    port = u.port || (u.protocol === 'https:' ? '443' : '80');
  } catch {
    return undefined;
  }
  for (const [name, svc] of Object.entries(project.model.services ?? {})) {
    if ((svc.ports ?? []).some((p) => String(p.published ?? '') === port)) return name;
  }
  return undefined;
}
