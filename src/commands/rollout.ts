/**
 * `preflight rollout plan|run|status|pause|resume|abort`: health-gated rolling upgrades of a fleet
 * (Phala Cloud replicas, or a local rehearsal fleet) on the step engine. The library API: the CLI
 * (src/cli/rollout.ts) only parses flags and prints what these return.
 */
import { resolve } from 'node:path';
import { findConfig, loadConfig } from '../config/index.js';
import type { RolloutReport } from '../findings/rollout.js';
import type { Finding, Section } from '../findings/types.js';
import { loadRolloutSettings, type RolloutSettings } from '../rollout/config.js';
import { writeControl } from '../rollout/control.js';
import { initialRunState, reduceRun, type RolloutInput, rolloutDefinition } from '../rollout/definition.js';
import { fleetLockDir, type OpenOptions, openBackend, rolloutOpener } from '../rollout/open.js';
import { type Batch, type PlannedInstance, planId, planOrder, unavailableCount } from '../rollout/plan.js';
import type { ProgressSink } from '../rollout/progress.js';
import { buildRolloutReport } from '../rollout/report.js';
export { ARGV_KEY_WARNING, PRIVATE_KEY_ENV, resolveSigner, type SignerFlags } from '../rollout/signer.js';
import { holderAlive, listRunDirs, readRun, readRunLock, resolveRunDir, resumeRun, startRun } from '../steps/index.js';
import { InputError, UsageError } from '../util/errors.js';
import { preflightCatalogue } from './catalogue.js';
import { diff, diffCvm } from './diff.js';

export interface RolloutOptions {
  /** `--fleet FILE`: the rollout settings on their own (or a whole .preflight.yml). */
  fleet?: string;
  /** `--config FILE`; default: `.preflight.yml` found from `cwd`. */
  config?: string;
  cwd?: string;
  /** Where runs are kept. Default `.preflight/runs` under `cwd`. */
  runRoot?: string;
  apiKey?: string;
  baseURL?: string;
  /**
   * The app owner's key (0x and 64 hex): on an on-chain KMS the run registers the new compose
   * hash (and devices) itself and confirms the upgrade. Held in memory only. See `resolveSigner`.
   */
  onChain?: { privateKey: string; rpcUrl?: string };
}

export interface RolloutPlanInstance extends PlannedInstance {
  action: 'upgrade' | 'skip';
  batch?: number;
  canary?: boolean;
}

export interface RolloutPlan {
  planId: string;
  backend: 'phala' | 'local';
  settingsFile: string;
  targetVersion: string;
  maxUnavailable: number;
  instances: RolloutPlanInstance[];
  batches: Batch[];
  /** What `diff` finds between the deployed version and the target (secrets included). */
  findings: Finding[];
  /** The sections the diff rules cover (the SARIF, JUnit and GitHub renderings say which were checked). */
  checkedSections?: Section[];
  blocking: boolean;
  /** On-chain KMS: what must be registered before the first upgrade. */
  onChain?: { kmsType: string; composeHash: string; appId: string; devices: string[] };
  notes: string[];
}

function settingsPath(o: RolloutOptions): { file: string; fleetFile: boolean } {
  const cwd = o.cwd ?? process.cwd();
  if (o.fleet) return { file: resolve(cwd, o.fleet), fleetFile: true };
  const file = o.config ? resolve(cwd, o.config) : findConfig(cwd);
  if (!file) throw new UsageError('no rollout settings: give --fleet FILE, or put `rollout:` in .preflight.yml');
  return { file, fleetFile: false };
}

function runRoot(o: RolloutOptions): string {
  return resolve(o.cwd ?? process.cwd(), o.runRoot ?? '.preflight/runs');
}

async function settingsOf(o: RolloutOptions): Promise<{ settings: RolloutSettings; file: string; fleetFile: boolean }> {
  const { file, fleetFile } = settingsPath(o);
  const { settings } = await loadRolloutSettings({
    fleetFile: fleetFile ? file : undefined,
    configFile: fleetFile ? undefined : file,
    catalogue: preflightCatalogue(),
  });
  return { settings, file, fleetFile };
}

/** The dry run: per instance, the version now → the target; the order; diff and secrets findings; the plan id. */
export async function planRollout(o: RolloutOptions = {}): Promise<RolloutPlan> {
  const { settings, file } = await settingsOf(o);
  const openOpts: OpenOptions = {
    catalogue: preflightCatalogue(),
    runRoot: runRoot(o),
    apiKey: o.apiKey,
    baseURL: o.baseURL,
  };
  const { backend } = await openBackend(settings, openOpts);
  try {
    const fleet = (await backend.fleet()).map((i) => ({ id: i.id, name: i.name, version: i.version }));
    const order = planOrder(fleet, backend.targetVersion, settings.strategy);
    const batchOf = new Map(order.batches.flatMap((b) => b.instances.map((id) => [id, b] as const)));
    const notes: string[] = [];
    const sets = { newEnvFile: settings.target.envFile };
    const d =
      settings.backend === 'local'
        ? diff(settings.local!.current, settings.target.compose, { ...sets, oldEnvFile: settings.local!.envFile })
        : await diffCvm(fleet[0]!.id, settings.target.compose, { ...sets, apiKey: o.apiKey, baseURL: o.baseURL });
    notes.push(...d.notes);
    if (settings.target.envFile && settings.backend === 'phala')
      notes.push(`the secret set ${settings.target.envFile} is encrypted once and sent whole to every replica`);
    if (!settings.balancer && settings.backend === 'phala')
      notes.push('no balancer: instances are not drained; the gateway keeps routing to a replica while it upgrades');
    let onChain: RolloutPlan['onChain'];
    if (backend.kind === 'phala') {
      const pb = backend as import('../rollout/backend/phala.js').PhalaBackend;
      if (pb.onChainKmsType) {
        onChain = { kmsType: pb.onChainKmsType, composeHash: pb.targetComposeHash, appId: pb.appId, devices: [] };
      }
      if (!backend.targetVersion)
        notes.push('the target compose hash could not be predicted (no revision); it is read after the first upgrade');
    }
    return {
      planId: planId(fleet, backend.targetVersion, settings.strategy),
      backend: settings.backend,
      settingsFile: file,
      targetVersion: backend.targetVersion,
      maxUnavailable: order.maxUnavailable,
      instances: fleet.map((i) => {
        const b = batchOf.get(i.id);
        return { ...i, action: b ? 'upgrade' : 'skip', ...(b ? { batch: b.index, canary: b.canary } : {}) };
      }),
      batches: order.batches,
      findings: d.report.findings,
      ...(d.report.checkedSections ? { checkedSections: d.report.checkedSections } : {}),
      blocking: d.report.findings.some((f) => f.severity === 'error'),
      ...(onChain ? { onChain } : {}),
      notes,
    };
  } finally {
    await backend.close();
  }
}

export interface RunRolloutOptions extends RolloutOptions {
  /** Refuse unless the fleet still gives this plan id. */
  planId?: string;
  /** Send this many requests per second through the balancer for the whole rollout. */
  load?: { rate: number; url?: string };
  progress?: ProgressSink;
  /** The CLI: SIGINT/SIGTERM stop the rollout resumably. */
  handleSignals?: boolean;
  /** Go on although `rollout plan` finds blocking findings (`--despite-findings`). */
  despiteFindings?: boolean;
}

export interface RolloutRunResult {
  runId: string;
  runDir: string;
  report: RolloutReport;
}

export async function runRollout(o: RunRolloutOptions): Promise<RolloutRunResult> {
  const plan = await planRollout(o);
  if (o.planId && o.planId !== plan.planId) {
    throw new InputError(
      `rollout-fleet-changed: the fleet no longer matches plan ${o.planId} (it gives plan ${plan.planId} now); ` +
        `run \`rollout plan\` again and review it`,
    );
  }
  if (plan.blocking && !o.despiteFindings)
    throw new InputError(
      `the plan has blocking findings (${plan.findings
        .filter((f) => f.severity === 'error')
        .map((f) => f.ruleId)
        .join(', ')}); see \`rollout plan\``,
    );
  const { settings, file, fleetFile } = await settingsOf(o);
  refuseIfFleetBusy(o, settings);
  if (o.load && settings.backend === 'phala' && !o.load.url)
    throw new UsageError('--load on Phala Cloud needs --load-url (your balancer’s address)');
  const input: RolloutInput = {
    settingsFile: file,
    fleetFile,
    planId: plan.planId,
    backend: settings.backend,
    instances: plan.instances.map(({ id, name, version }) => ({ id, name, version })),
    targetVersion: plan.targetVersion,
    batches: plan.batches,
    strategy: settings.strategy,
    ...(settings.balancer
      ? { balancer: settings.balancer.kind }
      : settings.backend === 'local'
        ? { balancer: 'haproxy-managed' as const }
        : {}),
    ...(o.load ? { load: o.load } : {}),
  };
  return startRollout(o, input);
}

/** The run definition with its live parts; `abort` is the signal `rollout abort` fires. */
function definitionFor(o: RolloutOptions & { progress?: ProgressSink }) {
  const abort = new AbortController();
  const def = rolloutDefinition(
    rolloutOpener({
      catalogue: preflightCatalogue(),
      runRoot: runRoot(o),
      progress: o.progress,
      apiKey: o.apiKey,
      baseURL: o.baseURL,
      ...(o.onChain ? { onChain: o.onChain } : {}),
    }),
    { abort },
  );
  return { def, signal: abort.signal };
}

async function startRollout(o: RunRolloutOptions, input: RolloutInput): Promise<RolloutRunResult> {
  const { def, signal } = definitionFor(o);
  const r = await startRun(def, input, { runRoot: runRoot(o), handleSignals: o.handleSignals, signal });
  if (r.outcome.status === 'error' && r.cause) throw r.cause;
  return { runId: r.runId, runDir: r.runDir, report: rolloutReport({ ...o, run: r.runDir }) };
}

/**
 * `rollout undo [RUN]`: a new rollout that puts every instance RUN upgraded (and that still runs
 * RUN's target) back on the version RUN found it running — on Phala Cloud the compose of that
 * revision (`getAppRevisionDetail`), and its encrypted env only when secrets are part of the
 * settings. Health-gated and journaled like any rollout.
 */
export async function undoRollout(o: RunRolloutOptions & { run?: string }): Promise<RolloutRunResult> {
  const rec = readRun(latestRun(o));
  if (rec.lock && holderAlive(rec.lock) && !rec.end)
    throw new InputError(`run ${rec.runId} is still running: \`rollout abort ${rec.runId}\` first`);
  const before = rec.start.input as RolloutInput;
  let s = initialRunState();
  for (const e of rec.events) s = reduceRun(s, e);
  const { settings, file, fleetFile } = await settingsOf(o);
  refuseIfFleetBusy(o, settings);
  const { backend } = await openBackend(settings, {
    catalogue: preflightCatalogue(),
    runRoot: runRoot(o),
    apiKey: o.apiKey,
    baseURL: o.baseURL,
  });
  let fleet: PlannedInstance[];
  try {
    fleet = (await backend.fleet()).map((i) => ({ id: i.id, name: i.name, version: i.version }));
  } finally {
    await backend.close();
  }
  const undo: Record<string, string> = {};
  for (const i of fleet) {
    const was = s.instances[i.id];
    const target = before.undo?.[i.id] ?? s.targetVersion;
    if (was && target && i.version === target && was.versionBefore !== target) undo[i.id] = was.versionBefore;
  }
  const ids = fleet.filter((i) => undo[i.id]).map((i) => i.id);
  if (!ids.length) throw new InputError(`nothing to undo: no instance runs what run ${rec.runId} put there`);
  const strategy = { ...before.strategy, canary: undefined };
  const mu = unavailableCount(strategy.maxUnavailable, fleet.length);
  const batches: Batch[] = [];
  for (let k = 0; k < ids.length; k += mu)
    batches.push({ index: batches.length + 1, canary: false, instances: ids.slice(k, k + mu) });
  const versions = [...new Set(Object.values(undo))];
  const input: RolloutInput = {
    settingsFile: file,
    fleetFile,
    planId: planId(fleet, `undo:${rec.runId}`, strategy),
    backend: settings.backend,
    instances: fleet,
    targetVersion: versions.length === 1 ? versions[0]! : '',
    batches,
    strategy,
    ...(before.balancer ? { balancer: before.balancer } : {}),
    ...(o.load ? { load: o.load } : {}),
    undo,
    undoes: rec.runId,
  };
  return startRollout(o, input);
}

/**
 * `rollout resume [RUN]`: a run its process no longer drives is continued here (after checking
 * the fleet against its journal); a run paused by a live process is told to go on.
 */
export async function resumeRollout(
  o: RolloutOptions & { run?: string; progress?: ProgressSink; handleSignals?: boolean },
): Promise<{ runDir: string; signalled: boolean; report: RolloutReport }> {
  const runDir = latestRun(o);
  const rec = readRun(runDir);
  if (rec.lock && holderAlive(rec.lock) && !rec.end) {
    writeControl(runDir, 'resume');
    return { runDir, signalled: true, report: rolloutReport({ ...o, run: runDir }) };
  }
  const { def, signal } = definitionFor(o);
  const r = await resumeRun(def, runDir, { handleSignals: o.handleSignals, signal });
  if (r.outcome.status === 'error' && r.cause) throw r.cause;
  return { runDir, signalled: false, report: rolloutReport({ ...o, run: runDir }) };
}

/** `rollout pause|abort [RUN]`: ask the process driving the run. */
export function controlRollout(o: RolloutOptions & { run?: string; action: 'pause' | 'abort' }): { runDir: string } {
  const runDir = latestRun(o);
  const rec = readRun(runDir);
  if (rec.end) throw new InputError(`run ${rec.runId} already ended (${rec.end.status})`);
  if (!rec.lock || !holderAlive(rec.lock))
    throw new InputError(
      `run ${rec.runId} is not running (its process is gone): \`rollout resume ${rec.runId}\` continues ` +
        `it${o.action === 'abort' ? '; there is nothing to abort' : ''}`,
    );
  writeControl(runDir, o.action);
  return { runDir };
}

/** `rollout status [RUN]`: the report of a run so far (the latest when none is named). */
export function rolloutReport(o: RolloutOptions & { run?: string }): RolloutReport {
  const rec = readRun(latestRun(o));
  const input = rec.start.input as RolloutInput;
  // The settings file's severities and exemptions apply, as for every command; a file since
  // removed leaves the journal's findings as they were.
  let policy: Parameters<typeof buildRolloutReport>[1];
  try {
    const c = loadConfig(input.settingsFile, { catalogue: preflightCatalogue(), bareSection: 'rollout' });
    policy = { rules: c.rules, exemptions: c.exemptions };
  } catch {
    policy = undefined;
  }
  return buildRolloutReport(rec, policy);
}

/**
 * `rollout status -w`: follows the run's journal until the run ends. `onChange` gets each report
 * that differs from the one before (the first included); the report the run ended with is returned.
 */
export async function followRollout(
  o: RolloutOptions & { run?: string; intervalMs?: number; signal?: AbortSignal },
  onChange: (report: RolloutReport) => void,
): Promise<RolloutReport> {
  // The run is named once: a newer run started meanwhile is not followed instead.
  const run = latestRun(o);
  let last = '';
  for (;;) {
    const report = rolloutReport({ ...o, run });
    const seen = JSON.stringify({ ...report, durationMs: 0 });
    if (report.status !== 'running') return report;
    if (seen !== last) onChange(report);
    last = seen;
    await new Promise<void>((res, rej) => {
      const t = setTimeout(res, o.intervalMs ?? 2000);
      o.signal?.addEventListener(
        'abort',
        () => {
          clearTimeout(t);
          rej(o.signal?.reason);
        },
        { once: true },
      );
    });
  }
}

/**
 * Refused before a run is created (so no run dir is left behind): another live process holds the
 * fleet's lock. The run's own open() takes that lock atomically; this is the early, common case.
 */
function refuseIfFleetBusy(o: RolloutOptions, settings: RolloutSettings): void {
  const holder = readRunLock(fleetLockDir(runRoot(o), settings));
  if (holder && holderAlive(holder))
    throw new InputError(
      `another rollout of this fleet is running: run ${holder.runId} (pid ${holder.pid} on ${holder.host}); ` +
        `wait for it or \`rollout abort ${holder.runId}\``,
    );
}

function latestRun(o: RolloutOptions & { run?: string }): string {
  const root = runRoot(o);
  if (o.run) return resolveRunDir(o.run, root);
  const runs = listRunDirs(root).filter((d) => d.split('/').pop()!.startsWith('rollout-'));
  if (!runs.length) throw new InputError(`no rollout run in ${root}`);
  return runs.at(-1)!;
}
