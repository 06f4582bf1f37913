import { spawn } from 'node:child_process';
import { type HookTemplate, parseHookTemplate, renderHookTemplate, type TemplateValues } from './hook-template.js';
import {
  type AdminState,
  type DrainResult,
  type EnableResult,
  type LbInstance,
  type LbState,
  type LoadBalancer,
  LoadBalancerError,
  requireKnown,
} from './types.js';

export type HookName = 'drain' | 'enable';

export interface HookBalancerOptions {
  instances: LbInstance[];
  /** Shell command that takes the instance out of rotation and returns once its requests finished. */
  drain: string;
  /** Shell command that puts the instance back and returns once it takes traffic. */
  enable: string;
  /** Bound on one hook run; the hook's process group is killed after it. Default 60 s. */
  timeoutMs?: number;
  /** Shell that runs the command (`<shell> -c <command>`). Default /bin/sh. */
  shell?: string;
  cwd?: string;
  /** Extra environment for the hooks (added to Preflight's own). */
  env?: NodeJS.ProcessEnv;
  /** Called after every run, failed or not (for the rollout journal). */
  onRun?: (run: HookRun) => void;
}

/** One finished hook run. Output tails are bounded; the rendered command is not kept (it may hold tokens). */
export interface HookRun {
  hook: HookName;
  instance: string;
  /** Exit code; undefined when the process ended by a signal (see `signal`) or did not start. */
  exitCode?: number;
  signal?: string;
  timedOut: boolean;
  ms: number;
  stdoutTail: string;
  stderrTail: string;
}

const TAIL_BYTES = 4096;

/**
 * Any other balancer, through two user commands. Placeholders `{{instance}}` (id), `{{name}}`
 * (name, else id), `{{url}}`, `{{host}}`, `{{port}}` are replaced by shell-quoted values; the same
 * values are in the environment as PREFLIGHT_INSTANCE, PREFLIGHT_INSTANCE_NAME, PREFLIGHT_INSTANCE_URL,
 * PREFLIGHT_INSTANCE_HOST, PREFLIGHT_INSTANCE_PORT, with PREFLIGHT_HOOK = drain | enable.
 * Preflight cannot see in-flight requests here: a drain hook must itself wait until they finished.
 */
export class CommandHookBalancer implements LoadBalancer {
  readonly kind = 'hooks';
  private readonly instances: Map<string, LbInstance>;
  private readonly templates: Record<HookName, HookTemplate>;
  private readonly admin = new Map<string, AdminState>();
  private readonly timeoutMs: number;

  /** Throws HookTemplateError (hook and column) when a template does not parse. */
  constructor(private readonly opts: HookBalancerOptions) {
    this.templates = {
      drain: parseHookTemplate('drain', opts.drain),
      enable: parseHookTemplate('enable', opts.enable),
    };
    this.instances = new Map(opts.instances.map((i) => [i.id, i]));
    this.timeoutMs = opts.timeoutMs ?? 60_000;
  }

  async drain(instanceId: string): Promise<DrainResult> {
    const run = await this.run('drain', instanceId);
    this.admin.set(instanceId, 'drain');
    return { instance: instanceId, drained: true, evidence: 'hook', waitedMs: run.ms };
  }

  async enable(instanceId: string): Promise<EnableResult> {
    const run = await this.run('enable', instanceId);
    this.admin.set(instanceId, 'ready');
    return { instance: instanceId, waitedMs: run.ms };
  }

  /** What the hooks last did; the balancer itself is not asked (no hook for that). */
  async state(): Promise<LbState> {
    return {
      instances: [...this.instances.keys()].map((id) => ({
        instance: id,
        server: id,
        admin: this.admin.get(id) ?? 'ready',
        operational: 'unknown' as const,
      })),
    };
  }

  async close(): Promise<void> {}

  /** The command a hook would run for an instance (for `rollout plan`). */
  render(hook: HookName, instanceId: string): string {
    return renderHookTemplate(this.templates[hook], this.values(instanceId));
  }

  private values(instanceId: string): TemplateValues {
    const inst = requireKnown(this.instances, instanceId, this.kind);
    let host = '';
    let port = '';
    try {
      const u = new URL(inst.url);
      host = u.hostname.replace(/^\[(.*)\]$/, '$1');
      port = u.port || (u.protocol === 'https:' ? '443' : u.protocol === 'http:' ? '80' : '');
    } catch {}
    return { instance: inst.id, name: inst.name ?? inst.id, url: inst.url, host, port };
  }

  private async run(hook: HookName, instanceId: string): Promise<HookRun> {
    const values = this.values(instanceId);
    const command = renderHookTemplate(this.templates[hook], values);
    const run = await runShell(command, {
      shell: this.opts.shell ?? '/bin/sh',
      cwd: this.opts.cwd,
      timeoutMs: this.timeoutMs,
      env: {
        ...process.env,
        ...this.opts.env,
        PREFLIGHT_HOOK: hook,
        PREFLIGHT_INSTANCE: values.instance,
        PREFLIGHT_INSTANCE_NAME: values.name,
        PREFLIGHT_INSTANCE_URL: values.url,
        PREFLIGHT_INSTANCE_HOST: values.host,
        PREFLIGHT_INSTANCE_PORT: values.port,
      },
    });
    const result: HookRun = { hook, instance: instanceId, ...run };
    this.opts.onRun?.(result);
    if (run.spawnError)
      throw new LoadBalancerError(
        `${hook} hook for instance '${instanceId}' could not start: ${run.spawnError}`,
        instanceId,
      );
    if (run.timedOut)
      throw new LoadBalancerError(
        `${hook} hook for instance '${instanceId}' did not finish within ${this.timeoutMs} ms (killed)`,
        instanceId,
      );
    if (run.exitCode !== 0) {
      const why = run.signal ? `was killed by ${run.signal}` : `exited ${run.exitCode}`;
      const last = lastLine(run.stderrTail) ?? lastLine(run.stdoutTail);
      throw new LoadBalancerError(
        `${hook} hook for instance '${instanceId}' ${why}${last ? `: ${last}` : ''}`,
        instanceId,
      );
    }
    return result;
  }
}

interface ShellRun {
  exitCode?: number;
  signal?: string;
  timedOut: boolean;
  ms: number;
  stdoutTail: string;
  stderrTail: string;
  spawnError?: string;
}

/** Run `<shell> -c <command>` in its own process group, bounded in time and in kept output. */
function runShell(
  command: string,
  opts: { shell: string; cwd?: string; env: NodeJS.ProcessEnv; timeoutMs: number },
): Promise<ShellRun> {
  const started = performance.now();
  return new Promise((resolve) => {
    const child = spawn(opts.shell, ['-c', command], {
      cwd: opts.cwd,
      env: opts.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    let spawnError: string | undefined;
    const killGroup = (signal: NodeJS.Signals) => {
      try {
        if (child.pid) process.kill(-child.pid, signal);
      } catch {}
    };
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup('SIGTERM');
      setTimeout(() => killGroup('SIGKILL'), 2000).unref();
    }, opts.timeoutMs);
    child.stdout.on('data', (b: Buffer) => {
      stdout = (stdout + b.toString('utf8')).slice(-TAIL_BYTES);
    });
    child.stderr.on('data', (b: Buffer) => {
      stderr = (stderr + b.toString('utf8')).slice(-TAIL_BYTES);
    });
    child.on('error', (e: NodeJS.ErrnoException) => {
      spawnError = `${opts.shell}: ${e.code ?? e.message}`;
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({
        exitCode: code ?? undefined,
        signal: signal ?? undefined,
        timedOut,
        ms: performance.now() - started,
        stdoutTail: stdout,
        stderrTail: stderr,
        spawnError,
      });
    });
  });
}

function lastLine(s: string): string | undefined {
  const line = s
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .pop();
  return line && line.length > 200 ? `${line.slice(0, 200)}…` : line;
}
