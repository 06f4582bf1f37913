import { mkdirSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import type { Project } from '../compose/project.js';
import { locate } from '../compose/project.js';
import { parseDuration } from '../compose/duration.js';
import type { Finding } from '../findings/types.js';
import { ComposeRunner, engineEnv, type ComposeCli } from '../docker/compose.js';
import type { ContainerInfo, Engine } from '../docker/engine.js';
import type { OpListener } from '../docker/exec.js';
import { COMPOSE_PROJECT_LABEL, labelOverride, ownerValue, projectName } from '../docker/labels.js';
import { AGENT_SOCKET_TARGETS } from './agent-socket.js';
import { finding } from './checks.js';

const SERVICE_LABEL = 'com.docker.compose.service';
const DEFAULT_GRACE_MS = 10_000;

/** Whether a service volume is the guest-agent socket (bind of /var/run/dstack.sock or tappd.sock). */
export function isAgentMount(v: { type: string; source?: string; target: string }): boolean {
  return (
    v.type === 'bind' &&
    !!v.source &&
    (AGENT_SOCKET_TARGETS.includes(v.source) || AGENT_SOCKET_TARGETS.includes(v.target))
  );
}

/** The services that mount the guest-agent socket, with where they mount it. */
export function agentMounters(project: Project): { service: string; targets: string[] }[] {
  return Object.entries(project.model.services ?? {}).flatMap(([service, s]) => {
    const targets = (s.volumes ?? []).filter(isAgentMount).map((v) => v.target);
    return targets.length ? [{ service, targets }] : [];
  });
}

/** How one container answered a graceful stop. */
export interface StopOutcome {
  service: string;
  container: string;
  exitCode: number;
  ms: number;
  graceMs: number;
  /** Still running at the grace deadline and killed by the engine. */
  killed: boolean;
}

/**
 * A compose app run the way a CVM runs it, under a drill's own project name and labels: the
 * services, their containers, and the CVM's lifecycle operations (graceful stop, crash, power loss,
 * reboot). Shared by the restart and upgrade drills.
 */
export class DrillApp {
  readonly services: string[];
  readonly compose: ComposeRunner;

  private constructor(
    readonly project: Project,
    readonly drillId: string,
    readonly engine: Engine,
    compose: ComposeRunner,
  ) {
    this.compose = compose;
    this.services = Object.keys(project.model.services ?? {});
  }

  /**
   * Write the run's compose inputs (label override, empty env file, embedded compose) and report
   * what a CVM would not have (relative bind mounts). Nothing is started yet.
   */
  static prepare(opts: {
    project: Project;
    drillId: string;
    runDir: string;
    engine: Engine;
    cli: ComposeCli;
    agentSocket?: string;
    onOp?: OpListener;
    /** The run directory, labelled on everything so `drill clean` can ask its lock who drives the run. */
    runDirLabel?: string;
  }): { app: DrillApp; findings: Finding[] } {
    const { project, drillId, runDir } = opts;
    mkdirSync(runDir, { recursive: true });
    const findings: Finding[] = [];
    const model = project.model;
    const emptyDir = join(runDir, 'not-shipped');

    const services = Object.entries(model.services ?? {}).map(([name, svc]) => {
      const mounts: { source: string; target: string; readOnly?: boolean }[] = [];
      (svc.volumes ?? []).forEach((v, i) => {
        if (v.type !== 'bind' || !v.source) return;
        if (isAgentMount(v)) {
          if (opts.agentSocket) mounts.push({ source: opts.agentSocket, target: v.target });
          return;
        }
        if (!isAbsolute(v.source)) {
          // Only the compose YAML reaches the CVM: the engine creates an empty directory instead.
          const dir = join(emptyDir, `${name}-${i}`);
          mkdirSync(dir, { recursive: true });
          mounts.push({ source: dir, target: v.target, readOnly: v.read_only });
          const loc = locate(project, ['services', name, 'volumes', i]);
          const message = `${name} bind-mounts ${v.source} → ${v.target}, but only the compose file is shipped to the CVM: the drill ran it with an empty directory there`;
          findings.push(
            finding('drill-bind-not-shipped', message, { file: loc.file, line: loc.line, column: loc.column }, name),
          );
        }
      });
      return { name, mounts };
    });

    const volumes = Object.entries(model.volumes ?? {})
      .filter(([, v]) => !v?.external)
      .map(([k]) => k);
    const networks = Object.entries((model.networks ?? {}) as Record<string, { external?: unknown } | null>)
      .filter(([, n]) => !n?.external)
      .map(([k]) => k);
    const usesDefault = Object.values(model.services ?? {}).some((s) => !s.network_mode && !s.networks);
    const override = join(runDir, 'preflight-drill.override.yml');
    writeFileSync(
      override,
      labelOverride({
        drillId,
        owner: ownerValue(),
        ...(opts.runDirLabel ? { runDir: opts.runDirLabel } : {}),
        version:
          typeof model.version === 'string' || typeof model.version === 'number' ? String(model.version) : undefined,
        services,
        volumes,
        networks,
        defaultNetwork: usesDefault,
      }),
    );

    // The app-compose.json form carries the compose text inside: run a copy of it.
    let files = project.composeFiles.map((f) => resolve(f));
    if (project.manifest?.compose) {
      const embedded = join(runDir, 'docker-compose.yml');
      writeFileSync(embedded, project.manifest.compose.text);
      files = [embedded];
    }
    const envFile = join(runDir, 'compose.env');
    writeFileSync(envFile, '# intentionally empty: variables reach Compose through its process environment\n');
    const env = { ...engineEnv(), ...Object.fromEntries(project.env) };
    const compose = new ComposeRunner(
      opts.cli,
      { project: projectName(drillId), files: [...files, override], cwd: project.dir, env, envFile },
      opts.onOp,
    );
    return { app: new DrillApp(project, drillId, opts.engine, compose), findings };
  }

  get projectName(): string {
    return this.compose.spec.project;
  }

  graceMs(service: string): number {
    return parseDuration(this.project.model.services?.[service]?.stop_grace_period) ?? DEFAULT_GRACE_MS;
  }

  /** Where a service is defined, for findings. */
  where(service: string): { file: string; line: number; column: number } {
    const loc = locate(this.project, ['services', service]);
    return { file: loc.file, line: loc.line, column: loc.column };
  }

  async containers(service?: string): Promise<ContainerInfo[]> {
    const labels = [`${COMPOSE_PROJECT_LABEL}=${this.projectName}`];
    if (service) labels.push(`${SERVICE_LABEL}=${service}`);
    return this.engine.inspect(await this.engine.containerIds(labels));
  }

  static serviceOf(c: ContainerInfo): string {
    return c.Config.Labels?.[SERVICE_LABEL] ?? c.Name.replace(/^\//, '');
  }

  async up(): Promise<void> {
    await this.compose.up();
  }

  /** Graceful stop of one service's containers (stop signal, SIGKILL at its grace deadline). */
  async stopService(service: string): Promise<StopOutcome[]> {
    return this.stopContainers((await this.containers(service)).filter((c) => c.State.Running));
  }

  async stopAll(): Promise<StopOutcome[]> {
    return this.stopContainers((await this.containers()).filter((c) => c.State.Running));
  }

  private async stopContainers(list: ContainerInfo[]): Promise<StopOutcome[]> {
    return Promise.all(
      list.map(async (c) => {
        const service = DrillApp.serviceOf(c);
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

  async killAll(): Promise<void> {
    const ids = (await this.containers()).filter((c) => c.State.Running).map((c) => c.Id);
    if (ids.length) await this.engine.kill(ids);
  }

  /**
   * The CVM boots: containers of the last boot are gone and the guest prunes unused volumes, so
   * anonymous volumes are lost (removed with their containers here) while named volumes stay.
   */
  async boot(): Promise<void> {
    await this.engine.removeContainers((await this.containers()).map((c) => c.Id));
    await this.compose.up();
  }
}
