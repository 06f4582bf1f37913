/**
 * `rollout pause|resume|abort RUN` while another process drives the run: the command writes the
 * request to `<runDir>/control.json` (temp file + rename), the driving process polls it and
 * journals what it did (`paused`, `unpaused`; an abort ends the run as `aborted`). The journal
 * stays written by one process only.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RolloutClock } from './gates/index.js';

export type ControlAction = 'pause' | 'resume' | 'abort';
export const CONTROL_FILE = 'control.json';

export function writeControl(runDir: string, action: ControlAction): void {
  const path = join(runDir, CONTROL_FILE);
  const prev = readControl(runDir);
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify({ seq: (prev?.seq ?? 0) + 1, action, at: new Date().toISOString() })}\n`, {
    mode: 0o600,
  });
  renameSync(tmp, path);
}

export function readControl(runDir: string): { seq: number; action: ControlAction } | undefined {
  const path = join(runDir, CONTROL_FILE);
  if (!existsSync(path)) return undefined;
  try {
    const v = JSON.parse(readFileSync(path, 'utf8').slice(0, 4096)) as { seq?: unknown; action?: unknown };
    if (typeof v.seq === 'number' && (v.action === 'pause' || v.action === 'resume' || v.action === 'abort'))
      return { seq: v.seq, action: v.action };
  } catch {}
  return undefined;
}

/** The driving process's view of the control file: requests newer than the run's start. */
export class ControlWatcher {
  #seen: number;
  #timer: NodeJS.Timeout | undefined;
  #latest: ControlAction | undefined;
  readonly #listeners = new Set<(a: ControlAction) => void>();

  constructor(
    private readonly runDir: string,
    private readonly intervalMs = 250,
  ) {
    // Requests written before this process started were for an earlier one, except a pending pause.
    const now = readControl(runDir);
    this.#seen = now?.seq ?? 0;
    if (now?.action === 'pause') this.#latest = 'pause';
  }

  start(onAbort: () => void): void {
    this.#listeners.add((a) => a === 'abort' && onAbort());
    this.#timer = setInterval(() => this.#poll(), this.intervalMs);
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** A pause was requested and not resumed since. */
  get pauseRequested(): boolean {
    return this.#latest === 'pause';
  }

  /** Resolves with the next resume or abort (polling the file; `clock` only for simulations). */
  next(signal: AbortSignal, _clock?: RolloutClock): Promise<'resume' | 'abort'> {
    return new Promise((resolve) => {
      const listener = (a: ControlAction) => {
        if (a === 'pause') return;
        this.#listeners.delete(listener);
        resolve(a);
      };
      this.#listeners.add(listener);
      signal.addEventListener(
        'abort',
        () => {
          this.#listeners.delete(listener);
          resolve('abort');
        },
        { once: true },
      );
    });
  }

  #poll(): void {
    const c = readControl(this.runDir);
    if (!c || c.seq <= this.#seen) return;
    this.#seen = c.seq;
    this.#latest = c.action;
    for (const l of [...this.#listeners]) l(c.action);
  }
}
