import { linkSync, openSync, readFileSync, renameSync, rmSync, writeSync, closeSync, fsyncSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { InputError } from '../util/errors.js';
import type { LockInfo } from './types.js';

export const LOCK_FILE = 'lock';

export interface RunLock {
  readonly info: LockInfo;
  /** The stale holder this process took the lock from (its pid is gone). */
  readonly takenOver?: LockInfo;
  release(): void;
}

/**
 * One process drives a run: the lock file appears with its whole content at once (a hard link of a
 * complete temporary file, which fails if the lock exists), so a reader never sees it half written.
 * A holder on this host whose pid is gone is stale and taken over: a marker created with O_EXCL
 * per stale pid lets only one process do that, and the lock is then replaced by an atomic rename.
 */
export function acquireRunLock(runDir: string, runId: string): RunLock {
  const path = join(runDir, LOCK_FILE);
  const info: LockInfo = { pid: process.pid, host: hostname(), startedAt: new Date().toISOString(), runId };
  const tmp = join(runDir, `${LOCK_FILE}.${process.pid}.tmp`);
  writeComplete(tmp, JSON.stringify(info) + '\n');
  try {
    for (let tries = 0; tries < 3; tries++) {
      try {
        linkSync(tmp, path);
        return held(path, info);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      }
      const holder = readRunLock(runDir);
      if (!holder) continue; // released meanwhile
      if (holderAlive(holder)) throw new InputError(heldMessage(holder));
      const marker = join(runDir, `${LOCK_FILE}.takeover-${holder.pid}`);
      try {
        closeSync(openSync(marker, 'wx'));
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'EEXIST')
          throw new InputError(`run ${holder.runId} is being taken over by another process (${marker} exists)`);
        throw e;
      }
      try {
        const again = readRunLock(runDir);
        if (again && again.pid === holder.pid && again.host === holder.host && again.startedAt === holder.startedAt) {
          renameSync(tmp, path);
          return held(path, info, holder);
        }
      } finally {
        rmSync(marker, { force: true });
      }
    }
    throw new InputError(`could not take the lock of run ${runId}: it changed hands while trying`);
  } finally {
    rmSync(tmp, { force: true });
  }
}

/** The lock's holder, or undefined when the run is not locked (or the file is not a lock). */
export function readRunLock(runDir: string): LockInfo | undefined {
  let text: string;
  try {
    text = readFileSync(join(runDir, LOCK_FILE), 'utf8').slice(0, 4096);
  } catch {
    return undefined;
  }
  try {
    const v = JSON.parse(text) as Partial<LockInfo>;
    if (typeof v.pid === 'number' && typeof v.host === 'string' && typeof v.runId === 'string')
      return { pid: v.pid, host: v.host, startedAt: String(v.startedAt ?? ''), runId: v.runId };
  } catch {
    // not a lock we wrote
  }
  return undefined;
}

/**
 * Whether the holder may still be driving the run: its pid lives on this host, or it is on another
 * host (which cannot be checked from here, so it counts as alive).
 */
export function holderAlive(holder: LockInfo): boolean {
  if (holder.host !== hostname()) return true;
  return pidAlive(holder.pid);
}

export function pidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function heldMessage(h: LockInfo): string {
  const who = `run ${h.runId} is driven by pid ${h.pid} on host ${h.host} since ${h.startedAt}`;
  return h.host === hostname() ? who : `${who}; if that host no longer runs it, remove the run's lock file and retry`;
}

function held(path: string, info: LockInfo, takenOver?: LockInfo): RunLock {
  let released = false;
  return {
    info,
    ...(takenOver ? { takenOver } : {}),
    release() {
      if (released) return;
      released = true;
      const now = readRunLock(join(path, '..'));
      if (now && now.pid === info.pid && now.host === info.host && now.startedAt === info.startedAt)
        rmSync(path, { force: true });
    },
  };
}

function writeComplete(path: string, text: string): void {
  const fd = openSync(path, 'w', 0o600);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
