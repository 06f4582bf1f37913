import { rmSync } from 'node:fs';
import { cleanup, drillLeftovers } from '../docker/cleanup.js';
import { type ComposeCli, detectCompose } from '../docker/compose.js';
import { Engine } from '../docker/engine.js';
import { killRunningCommands, type OpRecord } from '../docker/exec.js';
import { type FindingPolicy, underPolicy } from '../findings/policy.js';
import type { Finding } from '../findings/types.js';
import { newRunId } from '../steps/index.js';
import { InputError } from '../util/errors.js';
import type { CvmOs, LocalCvm } from '../cvm/index.js';
import { ownerValue } from '../docker/labels.js';
import type { CloseReason, RunHandle } from '../steps/index.js';
import { drillCvm } from './cvm-boot.js';
import type { RestartableAgent } from './agent-socket.js';
import type { DrillEvent } from './journal.js';
import type { Progress } from './progress.js';
import type { Writer } from './writer.js';

/** The Compose CLI to drive, or an input error saying what is missing (no engine, no Compose). */
export async function requireDockerCompose(): Promise<ComposeCli> {
  const cli = await detectCompose();
  if (!cli)
    throw new InputError('no Docker Compose found: neither `docker compose` (v2) nor `docker-compose` (v1) answers');
  if (!(await new Engine().available()))
    throw new InputError('no Docker engine answers (`docker version` failed); start dockerd and retry');
  return cli;
}

/** `restart-20261127091500-a1b2c3`: sortable, and unique enough to label one run's resources. */
export function newDrillId(kind: string): string {
  return newRunId(kind);
}

export class DrillAborted extends Error {
  constructor() {
    super('the drill was interrupted');
    this.name = 'DrillAborted';
  }
}

/**
 * What both drills hold while one process drives a run (the step engine's context): the engine,
 * whose operations are journaled; the clock that separates the drill's own time from waiting on
 * the engine and the containers; the agent and the writer, stopped when the run is aborted; and
 * the run's findings, put through `.preflight.yml`'s policy as they are journaled.
 */
export class DrillSession {
  readonly engine: Engine;
  /** Journals each engine and compose operation (pass to the LocalCvm). */
  readonly onOp: (op: OpRecord) => void;
  agent?: RestartableAgent;
  writer?: Writer;
  /** The local CVM the drill boots (its pre-launch sandbox stops when this process is done). */
  cvm?: LocalCvm;
  private readonly segmentStart = performance.now();
  private waitMs = 0;

  constructor(
    readonly drillId: string,
    readonly runDir: string,
    readonly progress: Progress,
    private readonly emit: (e: DrillEvent) => void,
    readonly signal: AbortSignal,
    /** Wall-clock ms of the run's start (its run-start event), so history times span every process. */
    private readonly runStartedAt: number,
    /** `.preflight.yml`'s severities, `off` and exemptions. */
    private readonly policy: FindingPolicy = { rules: {}, exemptions: [] },
  ) {
    this.onOp = (op: OpRecord) => this.emit({ type: 'engine-op', op: { ...op, args: op.args.slice(0, 6) } });
    this.engine = new Engine(this.onOp);
    // An interrupted drill stops writing and kills running engine commands, so the current step
    // gives up at once and no `compose up` creates containers after the cleanup removed them.
    signal.addEventListener(
      'abort',
      () => {
        void this.writer?.stop().catch(() => undefined);
        void killRunningCommands();
      },
      { once: true },
    );
  }

  addFinding = (finding: Finding): void => {
    const r = underPolicy(this.policy, finding);
    if (!r) return;
    if ('finding' in r) this.emit({ type: 'finding', finding: r.finding });
    else this.emit({ type: 'suppressed', finding: r.suppressed });
  };

  /** Time spent waiting on the engine or the containers: not the drill's own overhead. */
  async wait<T>(p: () => Promise<T>): Promise<T> {
    const s = performance.now();
    try {
      return await p();
    } finally {
      this.waitMs += performance.now() - s;
    }
  }

  /** Resolves after `ms`, or rejects with DrillAborted when the run is interrupted. */
  sleep = (ms: number): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      if (this.signal.aborted) return reject(new DrillAborted());
      const onAbort = () => {
        clearTimeout(timer);
        reject(new DrillAborted());
      };
      const timer = setTimeout(() => {
        this.signal.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      this.signal.addEventListener('abort', onAbort, { once: true });
    });

  /** Milliseconds since the run started (across resumed processes). */
  clock = (): number => Date.now() - this.runStartedAt;

  /** Remove everything carrying the drill's label, and journal what went. */
  async removeResources(): Promise<void> {
    const c = await this.wait(() => cleanup({ drillId: this.drillId, engine: this.engine }));
    // The CVM is off: its tmpfs work dir (the compose files and app-compose.json, with whatever
    // literal values they hold) goes with it, and no secret stays in the run directory.
    if (this.cvm) rmSync(this.cvm.dstackDir, { recursive: true, force: true });
    this.emit({ type: 'cleanup', containers: c.containers, volumes: c.volumes, networks: c.networks });
  }

  /**
   * This process is done with the run: stop the writer and the agent; on an error or an interrupt,
   * remove what the drill created (a teardown step did not); journal this process's timing.
   */
  async close(opts: { removeResources: boolean }): Promise<void> {
    await this.writer?.stop().catch(() => undefined);
    if (opts.removeResources) {
      await killRunningCommands();
      await this.removeResources().catch(() => undefined);
      await this.sweepLeftovers();
    }
    await this.cvm?.close().catch(() => undefined);
    await this.agent?.close().catch(() => undefined);
    this.emit({ type: 'timing', wallMs: performance.now() - this.segmentStart, waitMs: this.waitMs });
    this.progress.stop();
  }

  /**
   * Sweep until nothing of the drill is left, a few times: a command killed mid-`up` may have created
   * containers right before dying, and one killed mid-`rm` may leave a container the engine is still
   * removing, whose volumes and network cannot go until it is gone.
   */
  private async sweepLeftovers(): Promise<void> {
    const engine = new Engine();
    for (let pass = 0; pass < SWEEP_PASSES; pass++) {
      const left = await drillLeftovers(engine, this.drillId).catch(() => undefined);
      if (left && !left.containers.length && !left.volumes.length && !left.networks.length) return;
      if (pass > 0) await new Promise((r) => setTimeout(r, SWEEP_PAUSE_MS));
      await cleanup({ drillId: this.drillId, engine }).catch(() => undefined);
    }
  }
}

const SWEEP_PASSES = 5;
const SWEEP_PAUSE_MS = 400;

/**
 * Whether closing the run must remove what the drill created. A passed or failed run removed it in
 * its teardown step, and an error after a finished teardown has nothing left to remove. An
 * interrupted or aborted run removes it even when the teardown journaled its cleanup: the interrupt
 * may have killed that teardown's `docker rm` half-way, after which the cleanup still ran to its end.
 */
export function removeOnClose(status: CloseReason['status'], tornDown: boolean): boolean {
  if (status === 'passed' || status === 'failed' || status === 'refused') return false;
  return !tornDown || status === 'interrupted' || status === 'aborted';
}

/**
 * Open the run's local CVM as both drills do: a fresh run journals `drill-start` (the Compose project,
 * the CLI and the owner label its resources carry), a resumed one takes up the journaled CVM state.
 */
export function openDrillCvm(
  session: DrillSession,
  run: RunHandle<unknown, unknown, DrillEvent>,
  opts: { cli: ComposeCli; os: CvmOs },
): LocalCvm {
  const cvm = drillCvm(session, {
    cli: opts.cli,
    os: opts.os,
    runId: run.runId,
    runDir: run.runDir,
    resume: run.mode === 'resume',
    emit: run.emit,
  });
  if (run.mode === 'start')
    run.emit({
      type: 'drill-start',
      project: cvm.projectName,
      compose: { kind: opts.cli.kind, version: opts.cli.version },
      owner: ownerValue(),
    });
  else session.progress.note(`resuming run ${run.runId}`);
  return cvm;
}

/** Why a run cannot be resumed on this machine's Compose CLI (not the one it started with), if it cannot. */
export function composeChanged(
  started: { kind: string; version: string } | undefined,
  cli: ComposeCli,
): string | undefined {
  if (!started || (started.kind === cli.kind && started.version === cli.version)) return undefined;
  return (
    `the run started with Compose ${started.kind} ${started.version}; ` +
    `this machine now runs ${cli.kind} ${cli.version}`
  );
}
