/**
 * One instance of a local rehearsal fleet: its own compose project and host port on the local
 * engine, booted the way a CVM boots (the containers of the last boot are gone, then `up -d
 * --remove-orphans`). Kept behind `LocalInstanceOps` so that the local CVM of src/cvm (the full
 * dstack boot sequence) can take its place in one file.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parseDocument, stringify } from 'yaml';
import type { Project } from '../../compose/project.js';
import { type ComposeCli, type ContainerInfo, Engine, engineEnv, execFileCapture } from '../../docker/index.js';

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
 * The version's identity: a hash of its compose text and secret names (as the platform's compose
 * hash covers the compose and `allowed_envs`, not the secret values).
 */
export function localVersionHash(project: Project): string {
  const h = createHash('sha256');
  for (const f of project.composeFiles) h.update(project.sources.get(f)?.text ?? f).update('\0');
  h.update([...project.env.keys()].sort().join('\0'));
  return h.digest('hex');
}

export class ComposeInstanceOps implements LocalInstanceOps {
  readonly engine = new Engine();

  constructor(
    private readonly cli: ComposeCli,
    private readonly fleetKey: string,
    /** Where each version's compose copies and overrides are written. */
    private readonly stageDir: string,
  ) {}

  async boot(instance: LocalInstance, version: LocalVersion): Promise<void> {
    const files = this.stage(instance, version);
    await this.remove(instance);
    const [program, ...lead] = this.cli.command as [string, ...string[]];
    const envFile = join(this.stageDir, 'compose.env');
    writeFileSync(envFile, '# intentionally empty: variables reach Compose through its process environment\n');
    const args = [
      ...lead,
      '--project-name',
      instance.project,
      '--project-directory',
      version.project.dir,
      ...files.flatMap((f) => ['--file', f]),
      '--env-file',
      envFile,
      'up',
      '-d',
      '--remove-orphans',
    ];
    const env = { ...engineEnv(), ...Object.fromEntries(version.project.env) };
    const r = await execFileCapture(program, args, { env, cwd: version.project.dir, timeoutMs: 300_000 });
    if (r.code !== 0) {
      const last = (r.stderr || r.stdout).trim().split('\n').pop() ?? '';
      throw new Error(`compose up failed (exit ${r.code}): ${last.slice(0, 300)}`);
    }
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

  /**
   * Copies of the version's compose files with every `ports:` removed (N copies cannot all publish
   * the same host port), and an override that publishes the traffic service on the instance's own
   * loopback port and labels every service with the fleet and the version.
   */
  private stage(instance: LocalInstance, version: LocalVersion): string[] {
    const dir = join(this.stageDir, version.hash.slice(0, 16));
    mkdirSync(dir, { recursive: true });
    const p = version.project;
    const texts = p.manifest?.compose
      ? [{ name: 'docker-compose.yml', text: p.manifest.compose.text }]
      : p.composeFiles.map((f) => ({ name: basename(f), text: p.sources.get(f)?.text ?? readFileSync(f, 'utf8') }));
    const files = texts.map(({ name, text }, i) => {
      const doc = parseDocument(text);
      const services = doc.get('services', true) as { items?: { value?: { delete?: (k: string) => void } }[] } | null;
      for (const item of services?.items ?? []) item.value?.delete?.('ports');
      const out = join(dir, `${i}-${name}`);
      writeFileSync(out, doc.toString());
      return out;
    });
    const labels = { [FLEET_LABEL]: this.fleetKey, [VERSION_LABEL]: version.hash };
    const version_ = p.model.version;
    const override: Record<string, unknown> = {
      ...(typeof version_ === 'string' || typeof version_ === 'number' ? { version: String(version_) } : {}),
      services: Object.fromEntries(
        Object.keys(p.model.services ?? {}).map((s) => [
          s,
          {
            labels,
            ...(s === version.service ? { ports: [`127.0.0.1:${instance.hostPort}:${version.port}`] } : {}),
          },
        ]),
      ),
    };
    const overrideFile = join(dir, `override-${instance.id}.yml`);
    writeFileSync(overrideFile, stringify(override));
    return [...files, overrideFile];
  }
}
