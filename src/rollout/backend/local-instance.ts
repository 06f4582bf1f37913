/**
 * One instance of a local rehearsal fleet: its own compose project and host port on the local
 * engine, and its own local CVM (src/cvm), so an upgrade is what it is on dstack: the CVM shuts down
 * gracefully and boots the new version through the guest's steps (docs/platform.md#boot-sequence,
 * #updates), the same boot the drills rehearse.
 */
import { createHash, scryptSync } from 'node:crypto';
import { join } from 'node:path';
import type { Project } from '../../compose/project.js';
import { LocalCvm } from '../../cvm/index.js';
import { type ComposeCli, type ContainerInfo, Engine } from '../../docker/index.js';

export const FLEET_LABEL = 'io.preflight.rollout.fleet';
export const VERSION_LABEL = 'io.preflight.rollout.version';
const SERVICE_LABEL = 'com.docker.compose.service';

export interface LocalInstance {
  id: string;
  /** Compose project name. */
  project: string;
  hostPort: number;
}

/** A version the fleet can run: a loaded compose project and the secrets it runs with (values never written). */
export interface LocalVersion {
  hash: string;
  project: Project;
  /** The service that takes the traffic and its container port. */
  service: string;
  port: number;
}

export interface LocalContainer {
  service: string;
  image: string;
  state: string;
  exitCode: number;
  health?: string;
  version?: string;
}

export interface LocalInstanceOps {
  boot(instance: LocalInstance, version: LocalVersion): Promise<void>;
  containers(instance: LocalInstance): Promise<LocalContainer[]>;
  /** The containers of every instance of the fleet at once, by compose project (one engine query). */
  fleetContainers(): Promise<Map<string, LocalContainer[]>>;
  /** The host port its traffic service publishes now, if it runs. */
  publishedPort(instance: LocalInstance, service: string, port: number): Promise<number | undefined>;
  remove(instance: LocalInstance): Promise<void>;
  /** Stop what the instances run besides containers (a pre-launch sandbox). Containers stay. */
  close(): Promise<void>;
}

function toLocal(c: ContainerInfo): LocalContainer {
  return {
    service: c.Config.Labels?.[SERVICE_LABEL] ?? c.Name,
    image: c.Config.Image,
    state: c.State.Status,
    exitCode: c.State.ExitCode,
    health: c.State.Health?.Status,
    version: c.Config.Labels?.[VERSION_LABEL],
  };
}

/**
 * The version's identity: a hash of its compose text, its secret names and, keyed by the fleet's
 * salt, its secret values (as on Phala Cloud, where a change of values alone is a new version to
 * roll out although the compose hash stays: backend/phala.ts `ENV_PART`). The values enter through
 * a scrypt salted per fleet, never as a plain hash.
 */
export function localVersionHash(project: Project, secretSalt: string): string {
  const h = createHash('sha256');
  for (const f of project.composeFiles) h.update(project.sources.get(f)?.text ?? f).update('\0');
  const entries = [...project.env].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  h.update(entries.map(([k]) => k).join('\0')).update('\0');
  h.update(scryptSync(JSON.stringify(entries), secretSalt, 32));
  return h.digest('hex');
}

export class CvmInstanceOps implements LocalInstanceOps {
  readonly engine = new Engine();
  /** One local CVM per instance, for this process (its boot count and image model start afresh on resume). */
  readonly #cvms = new Map<string, LocalCvm>();

  constructor(
    private readonly cli: ComposeCli,
    private readonly fleetKey: string,
    /** Each instance's CVM folders (work dir, persistent dir, the versions' compose inputs). */
    private readonly stageDir: string,
  ) {}

  /**
   * An upgrade as the platform does it (docs/platform.md#updates): the running containers stop
   * gracefully (each its stop signal and grace period), then the CVM boots `version`. A boot that
   * stops at one of its steps throws, naming the step.
   */
  async boot(instance: LocalInstance, version: LocalVersion): Promise<void> {
    const cvm = this.#cvm(instance);
    const app = cvm.prepare(version.project, version.hash.slice(0, 16), {
      labels: { [FLEET_LABEL]: this.fleetKey, [VERSION_LABEL]: version.hash },
      // Not the drill labels: the fleet outlives this process, and `drill clean` must not take it.
      resourceLabels: { [FLEET_LABEL]: this.fleetKey },
      publish: { service: version.service, port: version.port, hostPort: instance.hostPort },
    });
    await cvm.shutdown('graceful');
    const r = await cvm.boot(app);
    if (!r.ok) throw new Error(`boot failed at step ${r.failed?.step}: ${r.failed?.reason ?? 'unknown'}`);
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.#cvms.values()].map((c) => c.close()));
  }

  #cvm(instance: LocalInstance): LocalCvm {
    let cvm = this.#cvms.get(instance.id);
    if (!cvm) {
      cvm = new LocalCvm({
        project: instance.project,
        dir: join(this.stageDir, instance.id),
        engine: this.engine,
        cli: this.cli,
        drillId: `rollout-${this.fleetKey}`,
      });
      this.#cvms.set(instance.id, cvm);
    }
    return cvm;
  }

  async containers(instance: LocalInstance): Promise<LocalContainer[]> {
    const ids = await this.engine.containerIds([`com.docker.compose.project=${instance.project}`]);
    return (await this.engine.inspect(ids)).map(toLocal);
  }

  async fleetContainers(): Promise<Map<string, LocalContainer[]>> {
    const ids = await this.engine.containerIds([`${FLEET_LABEL}=${this.fleetKey}`]);
    const out = new Map<string, LocalContainer[]>();
    for (const c of await this.engine.inspect(ids)) {
      const project = c.Config.Labels?.['com.docker.compose.project'] ?? '';
      out.set(project, [...(out.get(project) ?? []), toLocal(c)]);
    }
    return out;
  }

  async publishedPort(instance: LocalInstance, service: string, port: number): Promise<number | undefined> {
    const ids = await this.engine.containerIds([
      `com.docker.compose.project=${instance.project}`,
      `${SERVICE_LABEL}=${service}`,
    ]);
    if (!ids[0]) return undefined;
    const r = await this.engine.run(['inspect', '--format', '{{json .HostConfig.PortBindings}}', ids[0]]);
    try {
      const bindings = JSON.parse(r.stdout) as Record<string, { HostPort?: string }[] | null>;
      const host = bindings[`${port}/tcp`]?.[0]?.HostPort;
      return host ? Number(host) : undefined;
    } catch {
      return undefined;
    }
  }

  /** The instance's containers and networks (named volumes stay, as on a CVM's disk). */
  async remove(instance: LocalInstance): Promise<void> {
    const project = [`com.docker.compose.project=${instance.project}`];
    await this.engine.removeContainers(await this.engine.containerIds(project));
    // Left behind, each instance's default network holds an address pool; the engine runs out after ~30.
    await this.engine.removeNetworks((await this.engine.networks(project)).map((n) => n.ID));
  }
}
