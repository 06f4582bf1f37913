/**
 * What a running rollout tells the person watching: a live per-instance table on a terminal, one
 * JSON line per state change otherwise, and (`--notify URL`) a POST of each state change.
 * Progress is a view of the journal's events; nothing here decides anything.
 */
import type { RolloutEvent, RolloutState } from './events.js';

export interface ProgressSink {
  event(e: RolloutEvent, state: RolloutState): void;
  /** Gate evaluations, too frequent for the journal: shown live only. */
  gate?(instance: string, gate: string, outcome: string, detail: string): void;
  close(): Promise<void>;
}

/** One JSON line per journaled state change (CI logs, pipes). */
export class JsonLinesProgress implements ProgressSink {
  constructor(private readonly out: NodeJS.WritableStream) {}
  event(e: RolloutEvent): void {
    if (e.type === 'load') return;
    this.out.write(`${JSON.stringify({ t: new Date().toISOString(), ...shown(e) })}\n`);
  }
  async close(): Promise<void> {}
}

/** A table redrawn in place: one row per instance, its phase, version and last word. */
export class TableProgress implements ProgressSink {
  #lines = 0;
  #gates = new Map<string, string>();
  #state: RolloutState | undefined;

  constructor(private readonly out: NodeJS.WriteStream) {}

  event(_e: RolloutEvent, state: RolloutState): void {
    this.#state = state;
    this.#draw();
  }

  gate(instance: string, gate: string, outcome: string, detail: string): void {
    this.#gates.set(instance, `${gate}: ${outcome} (${detail})`);
    this.#draw();
  }

  async close(): Promise<void> {}

  #draw(): void {
    const s = this.#state;
    if (!s) return;
    const width = Math.max(40, (this.out.columns ?? 100) - 1);
    const rows = s.order.map((id) => {
      const i = s.instances[id]!;
      const last =
        i.phase === 'done' || i.phase === 'pending' ? (i.detail ?? '') : (this.#gates.get(id) ?? i.detail ?? '');
      const row = [i.name.padEnd(20).slice(0, 20), i.phase.padEnd(18), i.version.slice(0, 12).padEnd(12), last];
      return row.join(' ').slice(0, width);
    });
    const head = `${'instance'.padEnd(20)} ${'phase'.padEnd(18)} ${'version'.padEnd(12)} last`;
    const lines = [s.paused ? `PAUSED: ${s.paused.reason}`.slice(0, width) : 'rolling out', head, ...rows];
    if (this.#lines) this.out.write(`\x1b[${this.#lines}A`);
    this.out.write(lines.map((l) => `\x1b[2K${l}`).join('\n') + '\n');
    this.#lines = lines.length;
  }
}

/** POST each state change as JSON to `url`; bounded, failures counted and never fatal. */
export class NotifyProgress implements ProgressSink {
  failures = 0;
  #pending = new Set<Promise<void>>();

  constructor(
    private readonly url: string,
    private readonly timeoutMs = 5000,
  ) {}

  event(e: RolloutEvent): void {
    if (e.type === 'load') return;
    const p = fetch(this.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ source: 'preflight-rollout', t: new Date().toISOString(), ...shown(e) }),
      signal: AbortSignal.timeout(this.timeoutMs),
    })
      .then((r) => {
        if (!r.ok) this.failures++;
        return r.body?.cancel();
      })
      .catch(() => {
        this.failures++;
      })
      .finally(() => this.#pending.delete(p));
    this.#pending.add(p);
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.#pending]);
  }
}

export class FanOut implements ProgressSink {
  constructor(private readonly sinks: ProgressSink[]) {}
  event(e: RolloutEvent, s: RolloutState): void {
    for (const k of this.sinks) k.event(e, s);
  }
  gate(instance: string, gate: string, outcome: string, detail: string): void {
    for (const k of this.sinks) k.gate?.(instance, gate, outcome, detail);
  }
  async close(): Promise<void> {
    await Promise.all(this.sinks.map((k) => k.close()));
  }
}

/** An event as shown live: an on-chain transaction by its hash (its signed bytes stay in the journal). */
function shown(e: RolloutEvent): RolloutEvent {
  if (e.type !== 'onchain-tx' || !e.raw) return e;
  const { raw: _raw, ...rest } = e;
  return rest;
}
