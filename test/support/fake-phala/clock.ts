import type { Clock } from '../../../src/phala/index.js';

/**
 * A clock that moves only when someone sleeps on it (or `advance` is called). Give the same one
 * to the fake server and the client: polls and backoffs then run at once, in order, and the
 * simulated boots progress exactly as far as the client waited.
 */
export class ManualClock implements Clock {
  #t: number;
  readonly sleeps: number[] = [];

  constructor(start = Date.UTC(2026, 0, 1)) {
    this.#t = start;
  }

  now(): number {
    return this.#t;
  }

  advance(ms: number): void {
    this.#t += ms;
  }

  async sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) throw signal.reason;
    this.sleeps.push(ms);
    this.#t += Math.max(0, ms);
    // Let pending I/O run, as a real sleep would.
    await new Promise((r) => setImmediate(r));
  }
}
