/**
 * A rehearsal fleet on the local Docker engine: N copies of the current version, each its own
 * compose project and loopback port, upgraded the way a CVM is (a reboot into the new compose).
 * The world is read from the engine: an instance's version is the label on its containers, so a
 * resumed rollout sees what really runs.
 */
import { createServer } from 'node:net';
import { InputError } from '../../util/errors.js';
import type { LocalFleetSpec } from '../config.js';
import type { RolloutClock } from '../gates/index.js';
import type { LocalInstance, LocalInstanceOps, LocalVersion } from './local-instance.js';
import type { BootOutcome, InstanceSnapshot, RolloutBackend, UpgradeStart, WaitOptions } from './types.js';

export interface LocalBackendOptions {
  spec: LocalFleetSpec;
  /** Names the fleet's compose projects (`pf-rollout-<key>-<n>`): the same settings find the same fleet. */
  fleetKey: string;
  ops: LocalInstanceOps;
  current: LocalVersion;
  target: LocalVersion;
  clock: RolloutClock;
  /** Between container polls while waiting for a boot. Default 200 ms. */
  pollIntervalMs?: number;
}

export class LocalBackend implements RolloutBackend {
  readonly kind = 'local' as const;
  readonly targetVersion: string;
  readonly instances: LocalInstance[] = [];
  readonly #o: LocalBackendOptions;
  readonly #boots = new Map<string, Promise<void>>();
  readonly #versions = new Map<string, LocalVersion>();
  /** Instances this process created (the fleet did not exist yet). */
  created = 0;

  private constructor(o: LocalBackendOptions) {
    this.#o = o;
    this.targetVersion = o.target.hash;
    this.#versions.set(o.current.hash, o.current);
    this.#versions.set(o.target.hash, o.target);
  }

  /** Find the fleet's instances on the engine, creating (booting the current version) those that do not exist. */
  static async open(o: LocalBackendOptions): Promise<LocalBackend> {
    const b = new LocalBackend(o);
    const { current } = o;
    const fresh: LocalInstance[] = [];
    const stubs = Array.from({ length: o.spec.replicas }, (_, k) => ({
      id: `local-${k + 1}`,
      project: `pf-rollout-${o.fleetKey}-${k + 1}`,
      hostPort: 0,
    }));
    // Every process of a rollout (each resume) opens the fleet: the instances are asked at once.
    const published = await Promise.all(stubs.map((i) => o.ops.publishedPort(i, current.service, current.port)));
    for (const [k, stub] of stubs.entries()) {
      const inst = { ...stub, hostPort: published[k] ?? (await freePort()) };
      b.instances.push(inst);
      if (published[k] === undefined) fresh.push(inst);
    }
    await Promise.all(fresh.map((i) => o.ops.boot(i, current)));
    const deadlineAt = o.clock.now() + 120_000;
    const signal = new AbortController().signal;
    for (const i of fresh) {
      const r = await b.#settled(i, current.hash, deadlineAt, signal);
      if (!r.ok) throw new InputError(`local fleet: ${i.id} did not start the current version: ${r.detail}`);
    }
    b.created = fresh.length;
    for (const s of await b.fleet()) {
      if (!b.#versions.has(s.version))
        throw new InputError(
          `local fleet: ${s.id} runs a version that is neither local.current nor the target; set local.current ` +
            `to what the fleet runs`,
        );
    }
    return b;
  }

  async fleet(): Promise<InstanceSnapshot[]> {
    const out: InstanceSnapshot[] = [];
    const all = await this.#o.ops.fleetContainers();
    for (const i of this.instances) {
      const cs = all.get(i.project) ?? [];
      const running = cs.length > 0 && cs.every((c) => c.state === 'running');
      out.push({
        id: i.id,
        name: i.id,
        version: cs.find((c) => c.version)?.version ?? '',
        status: running
          ? 'running'
          : cs.length
            ? (cs.find((c) => c.state !== 'running')?.state ?? 'stopped')
            : 'stopped',
        inProgress: this.#boots.has(i.id),
      });
    }
    return out;
  }

  async snapshot(id: string): Promise<InstanceSnapshot | undefined> {
    return (await this.fleet()).find((i) => i.id === id);
  }

  async instanceUrl(id: string): Promise<string> {
    return `http://127.0.0.1:${this.#instance(id).hostPort}`;
  }

  async upgrade(id: string, to: 'target' | { version: string }): Promise<UpgradeStart> {
    const inst = this.#instance(id);
    const version = to === 'target' ? this.#o.target : this.#versions.get(to.version);
    if (!version) return { kind: 'refused', detail: `version ${to === 'target' ? '' : to.version} is unknown here` };
    // Like the platform, the request returns at once; the boot goes on (waitBooted follows it).
    const boot = this.#o.ops.boot(inst, version).finally(() => this.#boots.delete(id));
    boot.catch(() => undefined);
    this.#boots.set(id, boot);
    return { kind: 'started' };
  }

  async waitBooted(id: string, o: WaitOptions): Promise<BootOutcome> {
    const want = o.to ?? this.targetVersion;
    if (!this.#boots.has(id)) {
      // Asked for by a process that died before the boot finished (here the rollout process is the
      // platform, and nothing else finishes it): the instance does not run `want`, so boot it now.
      const cs = await this.#o.ops.containers(this.#instance(id));
      if (!(cs.length > 0 && cs.every((c) => c.version === want)) && this.#versions.has(want))
        await this.upgrade(id, { version: want });
    }
    const boot = this.#boots.get(id);
    if (boot) {
      try {
        await boot;
      } catch (e) {
        return { ok: false, reason: 'boot-error', detail: (e as Error).message };
      }
    }
    return this.#settled(this.#instance(id), want, o.deadlineAt, o.signal);
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.#boots.values()]);
    await this.#o.ops.close();
  }

  /** Remove every instance of the fleet (containers and networks; named volumes stay, as on a CVM's disk). */
  async teardown(): Promise<void> {
    await this.close();
    for (const i of this.instances) await this.#o.ops.remove(i);
  }

  /** Until every container of the instance runs `version` (healthy where it has a healthcheck). */
  async #settled(inst: LocalInstance, version: string, deadlineAt: number, signal: AbortSignal): Promise<BootOutcome> {
    const { clock, ops } = this.#o;
    for (;;) {
      const cs = await ops.containers(inst);
      const exited = cs.find((c) => c.state === 'exited' || c.state === 'dead');
      if (exited)
        return {
          ok: false,
          reason: 'boot-error',
          detail: `${exited.service} exited with code ${exited.exitCode}`,
          version,
        };
      const ready =
        cs.length > 0 &&
        cs.every(
          (c) => c.version === version && c.state === 'running' && (c.health === undefined || c.health === 'healthy'),
        );
      if (ready) return { ok: true, version, detail: `${cs.length} container(s) of the new version running` };
      const unhealthy = cs.find((c) => c.health === 'unhealthy');
      if (unhealthy) return { ok: false, reason: 'boot-error', detail: `${unhealthy.service} is unhealthy`, version };
      if (clock.now() >= deadlineAt) {
        const wrong = cs.find((c) => c.version !== version);
        return {
          ok: false,
          reason: 'deadline',
          detail: wrong
            ? `${wrong.service} still runs another version`
            : `containers not running: ${cs.map((c) => `${c.service} ${c.state}`).join(', ') || 'none'}`,
        };
      }
      await clock.sleep(this.#o.pollIntervalMs ?? 200, signal);
    }
  }

  #instance(id: string): LocalInstance {
    const i = this.instances.find((x) => x.id === id);
    if (!i) throw new InputError(`local fleet: no instance ${id}`);
    return i;
  }
}

/** A free loopback port for an instance (chosen once; its containers keep it across upgrades). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}
