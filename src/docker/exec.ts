import { spawn, type ChildProcess } from 'node:child_process';

/** Result of one finished engine/compose command. */
export interface ExecResult {
  code: number;
  stdout: string;
  stderr: string;
  /** Wall time of the command in milliseconds. */
  ms: number;
}

export interface ExecOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  input?: string;
  timeoutMs?: number;
}

/** Every command the engine layer runs, with its duration, so drills can report raw engine time. */
export interface OpRecord {
  kind: 'compose' | 'docker';
  args: string[];
  ms: number;
  code: number;
}
export type OpListener = (op: OpRecord) => void;

/**
 * Run a program to completion without a shell (arguments are never re-parsed), collecting its
 * output. Never throws for a non-zero exit: callers decide what a failure means.
 */
export function execFileCapture(file: string, args: string[], opts: ExecOptions = {}): Promise<ExecResult> {
  const started = performance.now();
  return new Promise((resolve) => {
    // Its own process group, so a kill reaches what it started too: `docker compose` runs the v2
    // plugin as a child process, which a SIGKILL of `docker` alone leaves running (and creating
    // containers after the cleanup). The Ctrl-C of a terminal reaches the drill, which kills them.
    const child = spawn(file, args, {
      env: opts.env ?? process.env,
      cwd: opts.cwd,
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: true,
    });
    live.add(child);
    child.on('close', () => live.delete(child));
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let timer: NodeJS.Timeout | undefined;
    if (opts.timeoutMs) timer = setTimeout(() => killGroup(child), opts.timeoutMs);
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', (e) => {
      if (timer) clearTimeout(timer);
      resolve({ code: 127, stdout: '', stderr: String(e.message), ms: performance.now() - started });
    });
    child.on('close', (code, signal) => {
      if (timer) clearTimeout(timer);
      resolve({
        code: code ?? (signal ? 128 + 9 : 1),
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
        ms: performance.now() - started,
      });
    });
    // A command that exits without reading its input (or is killed) closes the pipe first: the
    // EPIPE that follows says nothing the exit code does not.
    child.stdin.on('error', () => undefined);
    child.stdin.end(opts.input ?? '');
  });
}

const live = new Set<ChildProcess>();

/** SIGKILL to the command's whole process group (see execFileCapture). */
function killGroup(child: ChildProcess): void {
  try {
    if (child.pid === undefined) return;
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    child.kill('SIGKILL');
  }
}

/**
 * Stop every engine/compose command still running (on SIGINT/SIGTERM, before cleanup), so no
 * `compose up` creates containers after the cleanup removed them. Resolves when each command and
 * everything it started has let go of its output pipes, i.e. is gone.
 */
export async function killRunningCommands(): Promise<void> {
  const children = [...live];
  const closed = children.map((c) => new Promise((r) => c.once('close', r)));
  for (const c of children) killGroup(c);
  await Promise.all(closed);
}

/** Thrown when an engine command fails where failure is not expected. */
export class EngineError extends Error {
  constructor(
    readonly command: string,
    readonly result: ExecResult,
  ) {
    super(`${command} failed (exit ${result.code}): ${lastLine(result.stderr || result.stdout)}`);
    this.name = 'EngineError';
  }
}

function lastLine(s: string): string {
  const lines = s.trim().split('\n').filter(Boolean);
  return (lines[lines.length - 1] ?? '').slice(0, 400);
}
