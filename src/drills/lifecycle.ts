import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { cleanup } from '../docker/cleanup.js';
import { detectCompose, type ComposeCli } from '../docker/compose.js';
import { InputError } from '../util/errors.js';
import { Engine } from '../docker/engine.js';
import { killRunningCommands, type OpRecord } from '../docker/exec.js';
import { type FindingPolicy, underPolicy } from '../findings/policy.js';
import type { Finding } from '../findings/types.js';
import type { DrillAgent } from './agent-socket.js';
import { JOURNAL_FILE, Journal, type JournalEvent } from './journal.js';
import type { Progress } from './progress.js';
import type { Writer } from './writer.js';

export type RunStatus = 'passed' | 'failed' | 'error' | 'interrupted';

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
  const stamp = new Date().toISOString().replace(/[-:T]/g, '').slice(0, 14);
  return `${kind}-${stamp}-${randomBytes(3).toString('hex')}`;
}

/**
 * What every drill run shares: its id and run directory, the journal (the single source of truth),
 * an engine whose operations are journaled, the clock that separates the drill's own time from
 * waiting on the engine and the containers, and one teardown, run once on success, failure or a
 * signal, that removes everything carrying the drill's label.
 */
export class DrillRun<E extends { t: number } = JournalEvent> {
  readonly drillId: string;
  readonly runDir: string;
  /** The run's journal, with the drill's own event kinds. */
  readonly journal: Journal<E>;
  /** The same file, for the events every drill writes. */
  private readonly common: Journal;
  readonly engine: Engine;
  /** Journals each engine and compose operation (pass to DrillApp.prepare). */
  readonly onOp: (op: OpRecord) => void;
  /** Set once they exist, so the teardown and the signal handler can stop them. */
  agent?: DrillAgent;
  writer?: Writer;
  private readonly wallStart = performance.now();
  private waitMs = 0;
  private finished = false;
  private removeSignalHandlers?: () => void;

  constructor(
    kind: 'restart' | 'upgrade',
    runRoot: string,
    private readonly progress: Progress,
    private readonly hooks: { beforeEnd?: () => void; maskError?: (text: string) => string } = {},
    /** `.preflight.yml`'s severities, `off` and exemptions, applied as each finding is journaled. */
    private readonly policy: FindingPolicy = { rules: {}, exemptions: [] },
  ) {
    this.drillId = newDrillId(kind);
    this.runDir = join(runRoot, this.drillId);
    this.journal = new Journal<E>(join(this.runDir, JOURNAL_FILE));
    this.common = new Journal(this.journal.path);
    this.onOp = (op: OpRecord) => this.common.append({ type: 'engine-op', op: { ...op, args: op.args.slice(0, 6) } });
    this.engine = new Engine(this.onOp);
  }

  addFinding = (finding: Finding): void => {
    const r = underPolicy(this.policy, finding);
    if (!r) return;
    if ('finding' in r) this.common.append({ type: 'finding', finding: r.finding });
    else this.common.append({ type: 'suppressed', finding: r.suppressed });
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

  /** Milliseconds since the run started. */
  clock(): number {
    return Math.round(performance.now() - this.wallStart);
  }

  /** Remove what the drill created, close the agent, journal the timing and the end. Runs once. */
  async teardown(status: RunStatus, error?: string): Promise<void> {
    if (this.finished) return;
    this.finished = true;
    const c = await this.wait(() => cleanup({ drillId: this.drillId, engine: this.engine }));
    this.common.append({ type: 'cleanup', containers: c.containers, volumes: c.volumes, networks: c.networks });
    await this.agent?.close().catch(() => undefined);
    this.hooks.beforeEnd?.();
    this.common.append({ type: 'timing', wallMs: performance.now() - this.wallStart, waitMs: this.waitMs });
    const shown = error && this.hooks.maskError ? this.hooks.maskError(error) : error;
    this.common.append({ type: 'run-end', status, ...(shown ? { error: shown } : {}) });
  }

  /** SIGINT/SIGTERM stop the writer and running commands, tear down, and exit 130/143 (the CLI). */
  handleSignals(): void {
    const onSignal = (sig: NodeJS.Signals) => {
      void (async () => {
        this.progress.note(`${sig}: stopping the drill and removing its containers, volumes and networks`);
        await this.writer?.stop().catch(() => undefined);
        await killRunningCommands();
        await this.teardown('interrupted', sig);
        // A command killed mid-`up` may have created containers right before dying.
        await cleanup({ drillId: this.drillId, engine: this.engine });
        this.progress.stop();
        process.exit(sig === 'SIGINT' ? 130 : 143);
      })();
    };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    this.removeSignalHandlers = () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    };
  }

  /** After the run, whatever happened: stop the writer, drop the signal handlers, stop progress. */
  async finish(): Promise<void> {
    await this.writer?.stop().catch(() => undefined);
    this.removeSignalHandlers?.();
    this.progress.stop();
  }
}
