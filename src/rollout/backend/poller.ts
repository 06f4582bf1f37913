import type { CvmStatus, GetCvmStatusBatchResponse } from '@phala/cloud';
import { isSettled, type PhalaClient } from '../../phala/index.js';
import type { RolloutClock } from '../gates/index.js';
import type { WaitOptions } from './types.js';

interface Waiter {
  deadlineAt: number;
  resolve: (s: CvmStatus | undefined) => void;
  reject: (e: unknown) => void;
}

/**
 * One `getCvmStatusBatch` request per interval for every instance being waited for, however many
 * wait at once: a batch of n instances in flight costs one request per interval, not n.
 */
export class StatusPoller {
  readonly #waiters = new Map<string, Waiter[]>();
  #running = false;

  constructor(
    private readonly client: PhalaClient,
    private readonly clock: RolloutClock,
    private readonly intervalMs: number,
  ) {}

  /**
   * The instance's status once settled (no operation in progress; running or failed to boot); undefined at the
   * deadline.
   */
  waitSettled(id: string, o: Pick<WaitOptions, 'deadlineAt' | 'signal'>): Promise<CvmStatus | undefined> {
    return new Promise((resolve, reject) => {
      if (o.signal.aborted) return reject(o.signal.reason);
      const key = id;
      const onAbort = () => {
        this.#drop(key, w);
        reject(o.signal.reason);
      };
      const done = () => o.signal.removeEventListener('abort', onAbort);
      const w: Waiter = {
        deadlineAt: o.deadlineAt,
        resolve: (s) => {
          done();
          resolve(s);
        },
        reject: (e) => {
          done();
          reject(e);
        },
      };
      this.#waiters.set(key, [...(this.#waiters.get(key) ?? []), w]);
      o.signal.addEventListener('abort', onAbort, { once: true });
      if (!this.#running) void this.#run();
    });
  }

  async #run(): Promise<void> {
    this.#running = true;
    try {
      while (this.#waiters.size) {
        const ids = [...this.#waiters.keys()];
        let answer: GetCvmStatusBatchResponse;
        try {
          answer = await this.client.getStatuses(ids);
        } catch (e) {
          for (const ws of this.#waiters.values()) for (const w of ws) w.reject(e);
          this.#waiters.clear();
          return;
        }
        const byId = new Map(Object.entries(answer).map(([k, s]) => [norm(s.vm_uuid || k), s]));
        const now = this.clock.now();
        for (const id of ids) {
          const s = byId.get(norm(id));
          const ws = this.#waiters.get(id) ?? [];
          const settled = s && isSettled(s);
          for (const w of ws) {
            if (settled) w.resolve(s);
            else if (now >= w.deadlineAt) w.resolve(undefined);
            else continue;
            this.#drop(id, w);
          }
        }
        if (this.#waiters.size) await this.clock.sleep(this.intervalMs);
      }
    } finally {
      this.#running = false;
    }
  }

  #drop(key: string, w: Waiter): void {
    const rest = (this.#waiters.get(key) ?? []).filter((x) => x !== w);
    if (rest.length) this.#waiters.set(key, rest);
    else this.#waiters.delete(key);
  }
}

const norm = (u: string) => u.toLowerCase().replace(/-/g, '');
