import { perform, type ActionContext } from './actions.js';
import type { WorkloadConfig } from './config.js';
import type { HistoryOp } from './history.js';

/**
 * Keeps writing distinct values while faults run, one at a time, and records every operation as a
 * history (invoke, then ok / fail / unknown). `record` persists each op (the journal) as it happens.
 */
export class Writer {
  readonly history: HistoryOp[] = [];
  private running = false;
  private loop: Promise<void> | undefined;
  private next: number;
  private inFlight = false;
  private waiters: (() => void)[] = [];

  constructor(
    private readonly workload: WorkloadConfig,
    private readonly ctx: ActionContext,
    /** Prefix that makes this run's values distinct from any other run's. */
    private readonly tag: string,
    private readonly clock: () => number,
    private readonly currentFault: () => number | undefined,
    private readonly record: (op: HistoryOp) => void,
    /** Number of the first write (a resumed run goes on after the last value it journaled). */
    first = 1,
  ) {
    this.next = first;
  }

  get isRunning(): boolean {
    return this.running;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Stop after the write in flight completes. */
  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
    this.loop = undefined;
  }

  get acknowledged(): number {
    return this.history.filter((o) => o.type === 'ok').length;
  }

  /** Resolves when a write is in flight and at least `minAcks` writes were acknowledged so far. */
  async inFlightWrite(minAcks: number, timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.inFlight && this.acknowledged >= minAcks) return true;
      await new Promise<void>((r) => {
        this.waiters.push(r);
        setTimeout(r, 50);
      });
    }
    return false;
  }

  private push(op: HistoryOp): void {
    this.history.push(op);
    this.record(op);
  }

  private async run(): Promise<void> {
    while (this.running) {
      const value = `${this.tag}-${this.next++}`;
      const base = { f: 'add' as const, value };
      this.push({ ...base, type: 'invoke', time: this.clock(), ...faultOf(this.currentFault()) });
      this.inFlight = true;
      for (const w of this.waiters.splice(0)) w();
      const r = await perform(this.workload.write, this.ctx, value, this.workload.timeoutMs);
      this.inFlight = false;
      this.push({
        ...base,
        type: r.outcome,
        time: this.clock(),
        ...faultOf(this.currentFault()),
        ...(r.error ? { error: r.error } : {}),
      });
      // After a refused write, back off a little: the service is down, not slow.
      const pause = r.outcome === 'ok' ? this.workload.intervalMs : Math.max(this.workload.intervalMs, 100);
      if (pause > 0) await new Promise((res) => setTimeout(res, pause));
    }
  }
}

function faultOf(f: number | undefined): { fault?: number } {
  return f === undefined ? {} : { fault: f };
}
