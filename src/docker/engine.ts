import { EngineError, execFileCapture, type ExecResult, type OpListener } from './exec.js';

/**
 * The local Docker engine, driven through the `docker` CLI only (one way for every call: JSON from
 * `inspect` / `--format '{{json .}}'`), so the drill works wherever the CLI does.
 */

/** The subset of `docker inspect` of a container the drills read. */
export interface ContainerInfo {
  Id: string;
  Name: string;
  /** The image id (`sha256:…`) the container was created from. */
  Image: string;
  Created: string;
  RestartCount: number;
  State: {
    Status: string;
    Running: boolean;
    Restarting: boolean;
    Pid: number;
    OOMKilled: boolean;
    ExitCode: number;
    StartedAt: string;
    FinishedAt: string;
    Health?: { Status: string; FailingStreak: number };
  };
  Config: { Labels: Record<string, string> | null; Env: string[] | null; Image: string };
  HostConfig: { RestartPolicy?: { Name: string; MaximumRetryCount: number } };
  Mounts: { Type: string; Name?: string; Source: string; Destination: string; RW?: boolean }[];
}

export interface VolumeInfo {
  Name: string;
  Labels: Record<string, string> | null;
}

export type ResourceKind = 'container' | 'volume' | 'network';

/** One change in a container's writable layer (`docker diff`). */
export interface LayerChange {
  kind: 'A' | 'C' | 'D';
  path: string;
}

export class Engine {
  constructor(private readonly onOp?: OpListener) {}

  /** Run `docker ARGS…`; a non-zero exit is returned, not thrown. */
  async run(args: string[], opts: { timeoutMs?: number; input?: string } = {}): Promise<ExecResult> {
    const r = await execFileCapture('docker', args, opts);
    this.onOp?.({ kind: 'docker', args, ms: r.ms, code: r.code });
    return r;
  }

  /** Run `docker ARGS…`, throwing EngineError on a non-zero exit. */
  async must(args: string[], opts: { timeoutMs?: number } = {}): Promise<ExecResult> {
    const r = await this.run(args, opts);
    if (r.code !== 0) throw new EngineError(`docker ${args.slice(0, 3).join(' ')}`, r);
    return r;
  }

  async available(): Promise<boolean> {
    const r = await this.run(['version', '--format', '{{json .Server.Version}}'], { timeoutMs: 15_000 });
    return r.code === 0 && r.stdout.trim() !== '' && r.stdout.trim() !== 'null';
  }

  /** Ids of containers (running or not) carrying every given label (`key` or `key=value`). */
  async containerIds(labels: string[]): Promise<string[]> {
    const r = await this.must(['ps', '-a', '-q', '--no-trunc', ...labels.flatMap((l) => ['--filter', `label=${l}`])]);
    return lines(r.stdout);
  }

  async inspect(ids: string[]): Promise<ContainerInfo[]> {
    if (ids.length === 0) return [];
    const r = await this.run(['container', 'inspect', ...ids]);
    // A container removed meanwhile makes inspect exit 1 but still print the others.
    const text = r.stdout.trim();
    if (!text) return [];
    return JSON.parse(text) as ContainerInfo[];
  }

  async diff(id: string): Promise<LayerChange[]> {
    const r = await this.run(['diff', id]);
    if (r.code !== 0) return [];
    return lines(r.stdout).map((l) => ({ kind: l[0] as LayerChange['kind'], path: l.slice(2) }));
  }

  /** Both streams of a container's log, interleaved as the engine stored them. */
  async logs(id: string): Promise<string> {
    const r = await this.run(['logs', id]);
    return r.stdout + r.stderr;
  }

  async kill(ids: string[], signal = 'KILL'): Promise<ExecResult> {
    return this.run(['kill', '--signal', signal, ...ids]);
  }

  /** `docker stop` sends the container's stop signal, then SIGKILL after `graceSeconds`. */
  async stop(id: string, graceSeconds: number): Promise<ExecResult> {
    return this.run(['stop', '--time', String(Math.max(0, Math.ceil(graceSeconds))), id]);
  }

  async start(id: string): Promise<ExecResult> {
    return this.run(['start', id]);
  }

  /** Remove containers with their anonymous volumes. */
  async removeContainers(ids: string[]): Promise<void> {
    if (ids.length) await this.run(['rm', '--force', '--volumes', ...ids]);
  }

  async exec(id: string, command: string[], timeoutMs: number): Promise<ExecResult> {
    return this.run(['exec', id, ...command], { timeoutMs });
  }

  async volumes(labels: string[]): Promise<VolumeInfo[]> {
    const r = await this.must([
      'volume',
      'ls',
      '--format',
      '{{json .}}',
      ...labels.flatMap((l) => ['--filter', `label=${l}`]),
    ]);
    return lines(r.stdout).map((l) => {
      const v = JSON.parse(l) as { Name: string; Labels: string };
      return { Name: v.Name, Labels: parseLabelList(v.Labels) };
    });
  }

  async volumeLabels(names: string[]): Promise<Map<string, Record<string, string>>> {
    const out = new Map<string, Record<string, string>>();
    if (names.length === 0) return out;
    const r = await this.run(['volume', 'inspect', ...names]);
    if (!r.stdout.trim()) return out;
    for (const v of JSON.parse(r.stdout) as VolumeInfo[]) out.set(v.Name, v.Labels ?? {});
    return out;
  }

  async removeVolumes(names: string[]): Promise<ExecResult | undefined> {
    if (names.length) return this.run(['volume', 'rm', '--force', ...names]);
    return undefined;
  }

  async networks(labels: string[]): Promise<{ ID: string; Name: string; Labels: Record<string, string> }[]> {
    const r = await this.must([
      'network',
      'ls',
      '--no-trunc',
      '--format',
      '{{json .}}',
      ...labels.flatMap((l) => ['--filter', `label=${l}`]),
    ]);
    return lines(r.stdout).map((l) => {
      const n = JSON.parse(l) as { ID: string; Name: string; Labels: string };
      return { ID: n.ID, Name: n.Name, Labels: parseLabelList(n.Labels) };
    });
  }

  async removeNetworks(ids: string[]): Promise<void> {
    if (ids.length) await this.run(['network', 'rm', ...ids]);
  }
}

function lines(s: string): string[] {
  return s
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
}

/** `docker … ls --format '{{json .}}'` prints labels as one `k=v,k2=v2` string. */
function parseLabelList(s: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!s) return out;
  for (const part of s.split(',')) {
    const i = part.indexOf('=');
    if (i > 0) out[part.slice(0, i)] = part.slice(i + 1);
  }
  return out;
}
