import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { COMPOSE_PROJECT_LABEL } from '../docker/labels.js';

/** When one container of the CVM ran, from the engine's own events (epoch milliseconds). */
export interface ContainerSpan {
  id: string;
  service: string;
  /** Closed intervals it was running; the last one ends when the watch stopped if it still ran. */
  running: [number, number][];
  createdAt?: number;
  destroyedAt?: number;
}

const SERVICE = 'com.docker.compose.service';
/** The engine's events of one project are few; this bounds a runaway restart loop. */
const MAX_EVENTS = 20_000;

/**
 * Follows the engine's container events of one compose project (`docker events`, replayed from
 * `since` so nothing between the call and the stream's start is missed) and turns them into
 * running intervals per container: which version ran when, during a boot.
 */
export class ContainerWatch {
  private readonly lines: string[] = [];
  private readonly child;
  private readonly closed: Promise<void>;

  constructor(
    project: string,
    readonly since: number,
  ) {
    this.child = spawn(
      'docker',
      [
        'events',
        '--since',
        (since / 1000).toFixed(3),
        '--filter',
        'type=container',
        '--filter',
        `label=${COMPOSE_PROJECT_LABEL}=${project}`,
        '--format',
        '{{json .}}',
      ],
      { stdio: ['ignore', 'pipe', 'ignore'] },
    );
    const rl = createInterface({ input: this.child.stdout });
    rl.on('line', (l) => {
      if (this.lines.length < MAX_EVENTS) this.lines.push(l);
    });
    this.closed = new Promise((resolve) => {
      this.child.on('close', () => resolve());
      this.child.on('error', () => resolve());
    });
  }

  /** Stop following (after giving the stream a moment to deliver events up to `until`); the spans seen. */
  async stop(until = Date.now()): Promise<ContainerSpan[]> {
    await new Promise((r) => setTimeout(r, 300));
    this.child.kill('SIGTERM');
    await this.closed;
    return spansOf(this.lines, until);
  }
}

/** Running intervals from `docker events` JSON lines (start opens, die closes). */
export function spansOf(lines: readonly string[], until: number): ContainerSpan[] {
  const spans = new Map<string, ContainerSpan & { open?: number }>();
  for (const line of lines) {
    let e: {
      Action?: string;
      status?: string;
      id?: string;
      timeNano?: number;
      time?: number;
      Actor?: { Attributes?: Record<string, string> };
    };
    try {
      e = JSON.parse(line);
    } catch {
      continue;
    }
    const id = e.id ?? '';
    if (!id) continue;
    const t = e.timeNano ? Math.floor(e.timeNano / 1e6) : (e.time ?? 0) * 1000;
    const s = spans.get(id) ?? { id, service: e.Actor?.Attributes?.[SERVICE] ?? '', running: [] };
    spans.set(id, s);
    switch (e.Action ?? e.status) {
      case 'create':
        s.createdAt = t;
        break;
      case 'start':
        s.open ??= t;
        break;
      case 'die':
        if (s.open !== undefined) s.running.push([s.open, t]);
        s.open = undefined;
        break;
      case 'destroy':
        s.destroyedAt = t;
        break;
    }
  }
  return [...spans.values()].map(({ open, ...s }) => ({
    ...s,
    running: open !== undefined ? [...s.running, [open, Math.max(open, until)] as [number, number]] : s.running,
  }));
}
