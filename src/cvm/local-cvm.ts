import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Project } from '../compose/project.js';
import { ComposeRunner, type ComposeCli } from '../docker/compose.js';
import type { ContainerInfo, Engine } from '../docker/engine.js';
import type { OpListener } from '../docker/exec.js';
import { COMPOSE_PROJECT_LABEL, ownerValue } from '../docker/labels.js';
import { CvmApp, type CvmAppExtras } from './app.js';
import { type BootOptions, type BootResult, runBoot } from './boot.js';
import { CvmImageStore } from './image-store.js';
import { type ContainerVolumes, type MixedVersionWindow, mixedVersionWindow } from './mixed-version.js';
import type { PreLaunchSandbox } from './sandbox/index.js';
import { ContainerWatch } from './timeline.js';
import {
  type BootEvent,
  type BootListener,
  type CvmDisk,
  type CvmOs,
  DEFAULT_CVM_OS,
  type StopMode,
  type StopOutcome,
} from './types.js';

export const SERVICE_LABEL = 'com.docker.compose.service';

export interface LocalCvmOptions {
  /** The compose project: one per CVM (a drill's `pf-<id>`; a local fleet gives each instance its own). */
  project: string;
  /** The CVM's folders: work dir, persistent dir, each version's inputs, the sandbox socket. */
  dir: string;
  engine: Engine;
  cli: ComposeCli;
  /** The label every container, volume and network carries, so cleanup finds them (docker/labels.ts). */
  drillId: string;
  os?: CvmOs;
  /** Host path of the guest-agent stand-in's socket, bind-mounted where services ask for the agent. */
  agentSocket?: string;
  /** Each engine and compose command, with its duration. */
  onOp?: OpListener;
  /** Each boot event (the caller journals them). */
  onEvent?: BootListener;
  /** The drill's run directory, labelled on everything so `drill clean` can ask its lock who drives the run. */
  runDirLabel?: string;
}

/**
 * An app run on the local Docker engine the way a dstack CVM runs it (docs/platform.md#boot-sequence):
 * one compose project on one "disk" (the engine's containers and volumes of that project, the
 * persistent folder), booted through the guest's steps in order, stopped as Phala stops a CVM
 * (graceful or a power cut), and faulted by the drills. It boots any version prepared for it
 * (`prepare`): an upgrade or a rollback is a boot of another version on the same disk.
 */
export class LocalCvm {
  readonly os: CvmOs;
  readonly engine: Engine;
  readonly images = new CvmImageStore();
  /** Anonymous volumes this CVM's containers used: the only ones its prune may delete. */
  readonly anonymousVolumes = new Set<string>();
  readonly dstackDir: string;
  readonly persistentDir: string;
  readonly envFile: string;
  private app?: CvmApp;
  private runner?: ComposeRunner;
  private bootCount = 0;
  private stoppedBy: StopMode | 'nothing' = 'nothing';
  /** Containers running when the CVM last went down (a power cut leaves them marked running). */
  private runningAtStop = new Set<string>();
  private sandbox?: PreLaunchSandbox;

  constructor(readonly opts: LocalCvmOptions) {
    this.os = opts.os ?? DEFAULT_CVM_OS;
    this.engine = opts.engine;
    this.dstackDir = join(opts.dir, 'dstack');
    this.persistentDir = join(opts.dir, 'persistent');
    mkdirSync(this.dstackDir, { recursive: true });
    mkdirSync(this.persistentDir, { recursive: true });
    this.envFile = join(opts.dir, 'compose.env');
    writeFileSync(this.envFile, '# intentionally empty: variables reach Compose through its process environment\n');
  }

  get projectName(): string {
    return this.opts.project;
  }

  get cli(): ComposeCli {
    return this.opts.cli;
  }

  /** What the CVM remembers beyond the engine's state (journaled with every boot-end). */
  disk(): CvmDisk {
    return { ...this.images.snapshot(), anonymousVolumes: [...this.anonymousVolumes].sort() };
  }

  /**
   * A new process drives the same CVM (a resumed drill): take up its boot count, its last stop and
   * its disk from the journaled boot events.
   */
  restore(events: readonly { type: string }[]): void {
    for (const e of events as BootEvent[]) {
      if (e.type === 'boot-start') {
        this.bootCount = Math.max(this.bootCount, e.boot);
        this.stoppedBy = 'nothing';
        this.runningAtStop = new Set();
      } else if (e.type === 'boot-end') {
        this.images.restore(e.disk);
        this.anonymousVolumes.clear();
        for (const v of e.disk.anonymousVolumes) this.anonymousVolumes.add(v);
      } else if (e.type === 'cvm-stop') {
        this.stoppedBy = e.mode;
        this.runningAtStop = new Set(e.running);
      }
    }
  }

  /** The version booted last (undefined before the first boot). */
  get current(): CvmApp | undefined {
    return this.app;
  }

  /** Compose for the version booted last, with that boot's environment. */
  get compose(): ComposeRunner {
    if (!this.runner) throw new Error('the CVM has not booted yet');
    return this.runner;
  }

  get boots(): number {
    return this.bootCount;
  }

  /** Write a version's compose inputs; nothing runs yet. */
  prepare(project: Project, label = 'app', extras: CvmAppExtras = {}): CvmApp {
    return new CvmApp(project, label, {
      ...extras,
      stageDir: join(this.opts.dir, 'versions', label),
      paths: { dstackDir: this.dstackDir, persistentDir: this.persistentDir },
      drillId: this.opts.drillId,
      owner: ownerValue(),
      agentSocket: this.opts.agentSocket,
      runDirLabel: this.opts.runDirLabel,
    });
  }

  /** Boot a version: the guest's steps in order, each reported; see boot.ts. */
  async boot(app: CvmApp, opts: BootOptions = {}): Promise<BootResult> {
    const boot = ++this.bootCount;
    const emit: BootListener = (e) => {
      this.opts.onEvent?.(e);
      opts.onEvent?.(e);
    };
    const result = await runBoot(
      {
        cvm: this,
        boot,
        after: this.stoppedBy,
        runningAtStop: this.runningAtStop,
        emit,
        sandbox: () => this.sandboxFor(),
        setRunner: (env) => {
          this.app = app;
          this.runner = new ComposeRunner(
            this.opts.cli,
            {
              project: this.projectName,
              files: [...app.composeFiles.map((f) => join(this.dstackDir, f.name)), app.overrideFile],
              cwd: this.dstackDir,
              env,
              envFile: this.envFile,
            },
            this.opts.onOp,
          );
          return this.runner;
        },
      },
      app,
      opts,
    );
    this.stoppedBy = 'nothing';
    this.runningAtStop = new Set();
    return result;
  }

  /**
   * The CVM goes down. `graceful`: `docker compose stop` (each container's stop signal, SIGKILL at
   * its grace deadline), as a clean stop of the guest's app service. `forced`: a power cut, every
   * container SIGKILLed at once; `docker kill` keeps the engine from restarting them meanwhile.
   */
  async shutdown(mode: StopMode): Promise<StopOutcome[]> {
    const all = await this.containers();
    const running = all.filter((c) => c.State.Running);
    this.runningAtStop = new Set(running.map((c) => c.Id));
    this.stoppedBy = mode;
    this.noteAnonymousVolumes(all);
    this.opts.onEvent?.({ type: 'cvm-stop', mode, running: [...this.runningAtStop] });
    if (mode === 'graceful') return this.stopContainers(running);
    if (running.length) await this.engine.kill(running.map((c) => c.Id));
    return [];
  }

  async containers(service?: string): Promise<ContainerInfo[]> {
    const labels = [`${COMPOSE_PROJECT_LABEL}=${this.projectName}`];
    if (service) labels.push(`${SERVICE_LABEL}=${service}`);
    return this.engine.inspect(await this.engine.containerIds(labels));
  }

  static serviceOf(c: ContainerInfo): string {
    return c.Config.Labels?.[SERVICE_LABEL] ?? c.Name.replace(/^\//, '');
  }

  /** Remember the anonymous volumes of these containers: once unused, this CVM's prune deletes them. */
  noteAnonymousVolumes(containers: readonly ContainerInfo[]): void {
    for (const c of containers)
      for (const m of c.Mounts ?? [])
        if (m.Type === 'volume' && m.Name && isAnonymousVolume(m.Name)) this.anonymousVolumes.add(m.Name);
  }

  graceMs(service: string): number {
    return this.app?.graceMs(service) ?? 10_000;
  }

  /** Graceful stop of one service's containers (stop signal, SIGKILL at its grace deadline). */
  async stopService(service: string): Promise<StopOutcome[]> {
    return this.stopContainers((await this.containers(service)).filter((c) => c.State.Running));
  }

  /** Graceful stop of every container (the upgrade drill's stop before it fingerprints the volumes). */
  async stopAll(): Promise<StopOutcome[]> {
    return this.shutdown('graceful');
  }

  private async stopContainers(list: ContainerInfo[]): Promise<StopOutcome[]> {
    return Promise.all(
      list.map(async (c) => {
        const service = LocalCvm.serviceOf(c);
        const graceMs = this.graceMs(service);
        const r = await this.engine.stop(c.Id, graceMs / 1000);
        const [after] = await this.engine.inspect([c.Id]);
        const exitCode = after?.State.ExitCode ?? -1;
        // 137 = SIGKILL. Not OOM, and the stop lasted the whole grace period: the engine killed it.
        const killed = exitCode === 137 && !after?.State.OOMKilled && r.ms >= Math.ceil(graceMs / 1000) * 1000 * 0.9;
        return { service, container: c.Id, exitCode, ms: r.ms, graceMs, killed };
      }),
    );
  }

  async startService(service: string): Promise<void> {
    for (const c of await this.containers(service)) if (!c.State.Running) await this.engine.start(c.Id);
  }

  /**
   * A crash: SIGKILL to the service's main process from the host, so the engine sees the process
   * die and applies the restart policy as after a real crash (`docker kill` counts as a manual stop
   * and disables the policy). Without permission on the host PID, falls back to `docker kill`.
   */
  async crashService(service: string): Promise<void> {
    const viaEngine: string[] = [];
    const killed = new Map<string, number>();
    for (const c of (await this.containers(service)).filter((x) => x.State.Running)) {
      try {
        if (!c.State.Pid) throw new Error('no pid');
        process.kill(c.State.Pid, 'SIGKILL');
        killed.set(c.Id, c.State.Pid);
      } catch {
        viaEngine.push(c.Id);
      }
    }
    if (viaEngine.length) await this.engine.kill(viaEngine);
    await this.untilDeathSeen(service, killed);
  }

  /**
   * The engine learns of a SIGKILL sent from the host asynchronously: until it does, inspect still
   * says running (and healthy), and a readiness probe right after the fault would pass on the dead
   * process. Waits (bounded) until no killed container runs its killed PID any more.
   */
  private async untilDeathSeen(service: string, killed: Map<string, number>): Promise<void> {
    const deadline = Date.now() + 10_000;
    while (killed.size > 0 && Date.now() < deadline) {
      const now = await this.containers(service);
      for (const [id, pid] of killed) {
        const c = now.find((x) => x.Id === id);
        if (!c?.State.Running || c.State.Pid !== pid) killed.delete(id);
      }
      if (killed.size > 0) await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** Power loss: every container SIGKILLed at once (the `kill-all` fault); the next boot follows a forced stop. */
  async killAll(): Promise<void> {
    await this.shutdown('forced');
  }

  private async sandboxFor(): Promise<PreLaunchSandbox> {
    if (!this.sandbox) {
      const { PreLaunchSandbox } = await import('./sandbox/index.js');
      this.sandbox = new PreLaunchSandbox(this);
    }
    return this.sandbox;
  }

  /**
   * Follow which version runs when, from now (call before booting another version). `done` takes
   * that boot's result and the answers the caller's traffic got (epoch ms, the service each went to)
   * and measures the mixed-version window (mixed-version.ts).
   */
  watchVersions(since = Date.now()): {
    done(boot: BootResult, answers: { t: number; service: string; write: boolean }[]): Promise<MixedVersionWindow>;
  } {
    const watch = new ContainerWatch(this.projectName, since);
    return {
      done: async (boot, answers) => {
        const spans = await watch.stop();
        const after = (await this.containers()).map(containerVolumes);
        return mixedVersionWindow({ spans, before: boot.before, after, since, answers });
      },
    };
  }

  /** Stop what the CVM runs besides containers (the sandbox's engine proxy). Containers stay. */
  async close(): Promise<void> {
    await this.sandbox?.close();
  }
}

/** A container's service and the named volumes it mounts read-write (for the mixed-version window). */
export function containerVolumes(c: ContainerInfo): ContainerVolumes {
  const volumes = (c.Mounts ?? [])
    .filter((m) => m.Type === 'volume' && m.Name && !isAnonymousVolume(m.Name) && m.RW !== false)
    .map((m) => m.Name!);
  return { id: c.Id, service: LocalCvm.serviceOf(c), volumes: [...new Set(volumes)].sort() };
}

/** Docker names an anonymous volume with 64 hex digits. */
export function isAnonymousVolume(name: string): boolean {
  return /^[0-9a-f]{64}$/.test(name);
}
