import { closeSync, fstatSync, fsyncSync, openSync, readSync, statSync, writeSync } from 'node:fs';
import { InputError } from '../util/errors.js';
import type { DomainEvent, EngineEvent, Journaled } from './types.js';

export const JOURNAL_FILE = 'journal.jsonl';

/** Beyond this a journal is not a run's journal (a long drill writes a few MB). */
export const MAX_JOURNAL_BYTES = 256 * 1024 * 1024;

/**
 * A run's journal: one JSON object per line, appended synchronously (a crash right after an append
 * still finds the line in the page cache, and the file after an fsync), never rewritten. `seq`
 * continues from the last event read when a resumed run reopens it.
 */
export class RunJournal {
  private seq: number;
  private closed = false;

  private constructor(
    readonly path: string,
    private readonly fd: number,
    lastSeq: number,
  ) {
    this.seq = lastSeq;
  }

  /** A new journal: the file must not exist yet. */
  static create(path: string): RunJournal {
    return new RunJournal(path, openSync(path, 'wx', 0o600), 0);
  }

  /**
   * Append to an existing journal. A torn last line (the process died mid-write) gets a newline, so
   * it stays one unreadable line instead of swallowing the next event.
   */
  static reopen(path: string, lastSeq: number): RunJournal {
    const fd = openSync(path, 'a');
    const size = fstatSync(fd).size;
    if (size > 0) {
      const last = Buffer.alloc(1);
      const rfd = openSync(path, 'r');
      try {
        readSync(rfd, last, 0, 1, size - 1);
      } finally {
        closeSync(rfd);
      }
      if (last[0] !== 0x0a) writeSync(fd, '\n');
    }
    return new RunJournal(path, fd, lastSeq);
  }

  append<E extends { type: string }>(
    event: E,
    opts: { sync?: boolean; step?: string; attempt?: number } = {},
  ): Journaled<E> {
    if (this.closed) throw new Error(`journal ${this.path} is closed`);
    // The step stamp comes last: `step` and `attempt` are the engine's, whatever the event says.
    const stamped = {
      seq: ++this.seq,
      t: Date.now(),
      ...event,
      ...(opts.step !== undefined ? { step: opts.step, attempt: opts.attempt } : {}),
    } as Journaled<E>;
    writeSync(this.fd, JSON.stringify(stamped) + '\n');
    if (opts.sync) fsyncSync(this.fd);
    return stamped;
  }

  sync(): void {
    if (!this.closed) fsyncSync(this.fd);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      fsyncSync(this.fd);
    } finally {
      closeSync(this.fd);
    }
  }
}

export interface JournalRead<E extends { type: string } = EngineEvent | DomainEvent> {
  events: Journaled<E>[];
  /** Lines that are not an event (a torn write): ignored. */
  unreadable: number;
}

/** Every event of a journal file, in order; unreadable lines (a torn write) are counted and skipped. */
export function readJournal<E extends { type: string } = EngineEvent | DomainEvent>(path: string): JournalRead<E> {
  const size = statSync(path).size;
  if (size > MAX_JOURNAL_BYTES)
    throw new InputError(`journal is ${size} bytes, more than the ${MAX_JOURNAL_BYTES} a run writes`, { file: path });
  const fd = openSync(path, 'r');
  let text: string;
  try {
    const buf = Buffer.alloc(size);
    let off = 0;
    while (off < size) {
      const n = readSync(fd, buf, off, size - off, off);
      if (n === 0) break;
      off += n;
    }
    text = buf.subarray(0, off).toString('utf8');
  } finally {
    closeSync(fd);
  }
  const events: Journaled<E>[] = [];
  let unreadable = 0;
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      const v = JSON.parse(line) as Journaled<E>;
      if (typeof v === 'object' && v !== null && typeof v.type === 'string' && typeof v.seq === 'number')
        events.push(v);
      else unreadable++;
    } catch {
      unreadable++;
    }
  }
  return { events, unreadable };
}
