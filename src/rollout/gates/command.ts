import { spawn } from 'node:child_process';
import type { CommandGateSpec } from '../config.js';
import type { Gate, GateResult, GateTarget } from './types.js';

const TAIL_BYTES = 2048;

/**
 * A command (no shell: an argument list) that exits 0 when the instance is healthy. `{{url}}`,
 * `{{instance}}`, `{{name}}` in the arguments become the instance's values; the same values are in
 * its environment as PREFLIGHT_INSTANCE_URL, PREFLIGHT_INSTANCE, PREFLIGHT_INSTANCE_NAME. Exit 0
 * passes, any other exit fails; a command that cannot start or is killed at its timeout is
 * inconclusive (it said nothing about the instance).
 */
export class CommandGate implements Gate {
  readonly name: string;
  readonly intervalMs: number;
  readonly successes = 1;

  constructor(
    private readonly spec: CommandGateSpec,
    private readonly cwd?: string,
  ) {
    this.name = spec.name;
    this.intervalMs = spec.intervalMs;
  }

  evaluate(target: GateTarget, signal: AbortSignal): Promise<GateResult> {
    const fill = (s: string) =>
      s
        .replaceAll('{{url}}', target.url)
        .replaceAll('{{instance}}', target.instance)
        .replaceAll('{{name}}', target.name);
    const [program, ...args] = this.spec.command.map(fill) as [string, ...string[]];
    return new Promise((resolve, reject) => {
      const child = spawn(program, args, {
        cwd: this.cwd,
        stdio: ['ignore', 'ignore', 'pipe'],
        detached: true,
        env: {
          ...process.env,
          PREFLIGHT_INSTANCE: target.instance,
          PREFLIGHT_INSTANCE_NAME: target.name,
          PREFLIGHT_INSTANCE_URL: target.url,
        },
      });
      let stderr = '';
      let timedOut = false;
      let failedToStart: string | undefined;
      const kill = () => {
        try {
          if (child.pid) process.kill(-child.pid, 'SIGKILL');
        } catch {}
      };
      const timer = setTimeout(() => {
        timedOut = true;
        kill();
      }, this.spec.timeoutMs);
      const onAbort = () => kill();
      signal.addEventListener('abort', onAbort, { once: true });
      child.stderr.on('data', (b: Buffer) => {
        stderr = (stderr + b.toString('utf8')).slice(-TAIL_BYTES);
      });
      child.on('error', (e: NodeJS.ErrnoException) => {
        failedToStart = e.code ?? e.message;
      });
      child.on('close', (code) => {
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        if (signal.aborted) return reject(signal.reason);
        if (failedToStart) return resolve({ outcome: 'inconclusive', detail: `${program}: ${failedToStart}` });
        if (timedOut)
          return resolve({ outcome: 'inconclusive', detail: `still running after ${this.spec.timeoutMs} ms (killed)` });
        if (code === 0) return resolve({ outcome: 'pass', detail: 'exit 0' });
        const last = stderr.trim().split('\n').pop()?.slice(0, 160);
        resolve({ outcome: 'fail', detail: `exit ${code ?? 'by signal'}${last ? `: ${last}` : ''}` });
      });
    });
  }
}
