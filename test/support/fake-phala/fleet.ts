/**
 * The simulated fleet behind the fake Phala Cloud API: N replicas of one app, each with a compose
 * hash, a status and, during an upgrade, boot progress. State is computed from the clock on every
 * read (no timers), so a test with a manual clock moves time only when the client sleeps.
 */
import { createHash } from 'node:crypto';
import { composeHash } from '../../../src/compose/compose-hash.js';
import { parse } from 'yaml';

export interface FleetOptions {
  /** 40 hex digits. */
  appId?: string;
  /** How many replicas (default 3). */
  replicas?: number;
  composeFile?: string;
  allowedEnvs?: string[];
  /** Time from an accepted PATCH to running (default 40 ms); a number or per replica. */
  bootMs?: number | ((r: FakeReplica) => number);
  /** Replicas whose next upgrades fail to boot: indexes, or a test; the value is the boot_error. */
  failBoot?: ReadonlySet<number> | ((r: FakeReplica, next: AppCompose) => boolean);
  bootError?: string;
  /** The app's KMS is on chain: compose-hash changes answer 465 until confirmed. */
  onChainKms?: boolean;
  /** How long a 465's compose hash may be confirmed (default 60 s). */
  pendingTtlMs?: number;
  /**
   * Devices the app contract allows (hex, no 0x); the 465 says `device_id_allowed` from it and a
   * confirmation is refused (468) while the replica's device is missing. Default: every device.
   * A fake chain (test/support/fake-chain.ts) shares this set and `allowedHashes`.
   */
  allowedDevices?: Set<string>;
  /**
   * The chain's view of a confirmation's transaction: a transaction hash (not `already-registered`)
   * is refused (467) unless this says it registered the compose hash. Default: any 0x + 64 hex.
   */
  verifyTransaction?: (txHash: string, composeHash: string) => boolean;
  now?: () => number;
  /** The replica's `public_urls[].instance` (default https://<instance id>-8080.phala.test); rollout tests point it at a local health endpoint. */
  instanceUrl?: (r: FakeReplica) => string;
}

export interface AppCompose {
  manifest_version: number;
  name: string;
  runner: string;
  docker_compose_file: string;
  allowed_envs: string[];
  kms_enabled: boolean;
  gateway_enabled: boolean;
  public_logs: boolean;
  public_sysinfo: boolean;
  pre_launch_script?: string;
}

export interface Upgrade {
  startedAt: number;
  bootMs: number;
  correlationId: string;
  next: AppCompose;
  nextHash: string;
  encryptedEnv?: string;
  bootError?: string;
}

export interface Pending {
  composeHash: string;
  next: AppCompose;
  encryptedEnv?: string;
  expiresAt: number;
}

export interface Revision {
  revision_id: string;
  vm_uuid: string;
  compose_hash: string;
  created_at: string;
  compose: AppCompose;
  encrypted_env: string;
}

export interface FakeReplica {
  index: number;
  vmUuid: string;
  /** The API's own CVM id. */
  id: string;
  name: string;
  instanceId: string;
  deviceId: string;
  compose: AppCompose;
  composeHash: string;
  encryptedEnv: string;
  bootError?: string;
  upgrade?: Upgrade;
  pending?: Pending;
  bootedAt: number;
}

/** What a reader sees of a replica at one moment. */
export interface ReplicaView {
  status: string;
  inProgress: boolean;
  bootProgress?: string;
  bootError?: string;
  composeHash: string;
  compose: AppCompose;
  phase: 'running' | 'stopping' | 'booting' | 'failed';
}

const hashOf = (c: AppCompose) => composeHash(c as unknown as Record<string, unknown>);

const BOOT_STEPS = ['loading the OS image', 'decrypting secrets', 'pulling images', 'starting containers'];

const hex = (s: string, n: number) => createHash('sha256').update(s).digest('hex').slice(0, n);

/** A deterministic version-4 UUID from a seed. */
export function uuidFrom(seed: string): string {
  const h = hex(seed, 32);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export const DEFAULT_COMPOSE = 'services:\n  web:\n    image: nginx:1.27\n    ports: ["8080:80"]\n';

export class Fleet {
  readonly appId: string;
  readonly replicas: FakeReplica[];
  readonly revisions: Revision[] = [];
  /** Compose hashes the app contract allows (what `addComposeHash` would register). */
  readonly allowedHashes = new Set<string>();
  readonly allowedDevices?: Set<string>;
  readonly verifyTransaction?: (txHash: string, composeHash: string) => boolean;
  readonly onChainKms: boolean;
  readonly now: () => number;
  readonly instanceUrl?: (r: FakeReplica) => string;
  readonly #o: FleetOptions;
  #seq = 0;

  constructor(o: FleetOptions = {}) {
    this.#o = o;
    this.now = o.now ?? Date.now;
    this.instanceUrl = o.instanceUrl;
    this.appId = o.appId ?? hex('app', 40);
    this.onChainKms = !!o.onChainKms;
    this.allowedDevices = o.allowedDevices;
    this.verifyTransaction = o.verifyTransaction;
    const compose: AppCompose = {
      manifest_version: 2,
      name: 'shop',
      runner: 'docker-compose',
      docker_compose_file: o.composeFile ?? DEFAULT_COMPOSE,
      allowed_envs: o.allowedEnvs ?? [],
      kms_enabled: true,
      gateway_enabled: true,
      public_logs: false,
      public_sysinfo: true,
    };
    const hash = hashOf(compose);
    this.allowedHashes.add(hash);
    this.replicas = Array.from({ length: o.replicas ?? 3 }, (_, index) => ({
      index,
      vmUuid: uuidFrom(`vm-${index}`),
      id: `cvm${hex(`id-${index}`, 10)}`,
      name: `replica-${index + 1}`,
      instanceId: hex(`instance-${index}`, 40),
      deviceId: hex(`device-${index % 4}`, 64),
      compose,
      composeHash: hash,
      encryptedEnv: '',
      bootedAt: this.now(),
    }));
    for (const r of this.replicas) this.#record(r, compose, hash, '');
  }

  /** A replica by any id the SDK may send: vm_uuid with or without dashes, id, name, app_<hex>. */
  find(id: string): FakeReplica | undefined {
    const plain = id.toLowerCase().replace(/-/g, '');
    if (id === `app_${this.appId}` || id === this.appId) return this.replicas[0];
    return this.replicas.find(
      (r) => r.vmUuid.replace(/-/g, '') === plain || r.id === id || r.name === id || `instance_${r.instanceId}` === id,
    );
  }

  composeFor(r: FakeReplica, changes: Partial<AppCompose>): AppCompose {
    const next = { ...r.compose };
    for (const k of [
      'docker_compose_file',
      'allowed_envs',
      'public_logs',
      'public_sysinfo',
      'pre_launch_script',
    ] as const) {
      if (changes[k] !== undefined) (next as Record<string, unknown>)[k] = changes[k];
    }
    return next;
  }

  /** Start an upgrade now; returns its correlation id. */
  start(r: FakeReplica, next: AppCompose, encryptedEnv: string | undefined): string {
    const bootMs = typeof this.#o.bootMs === 'function' ? this.#o.bootMs(r) : (this.#o.bootMs ?? 40);
    const fails = typeof this.#o.failBoot === 'function' ? this.#o.failBoot(r, next) : !!this.#o.failBoot?.has(r.index);
    const nextHash = hashOf(next);
    const correlationId = `op-${++this.#seq}`;
    r.upgrade = {
      startedAt: this.now(),
      bootMs,
      correlationId,
      next,
      nextHash,
      encryptedEnv,
      bootError: fails ? (this.#o.bootError ?? 'container web exited with code 1') : undefined,
    };
    r.pending = undefined;
    this.#record(r, next, nextHash, encryptedEnv ?? r.encryptedEnv);
    return correlationId;
  }

  deviceAllowed(r: FakeReplica): boolean {
    return !this.allowedDevices || this.allowedDevices.has(r.deviceId.toLowerCase().replace(/^0x/, ''));
  }

  /** Keep an on-chain upgrade waiting for its confirmation. */
  hold(r: FakeReplica, next: AppCompose, encryptedEnv: string | undefined): Pending {
    r.pending = {
      composeHash: hashOf(next),
      next,
      encryptedEnv,
      expiresAt: this.now() + (this.#o.pendingTtlMs ?? 60_000),
    };
    return r.pending;
  }

  /** The replica's state now (finishing an upgrade whose boot time has passed). */
  view(r: FakeReplica): ReplicaView {
    const u = r.upgrade;
    const now = this.now();
    if (u && now - u.startedAt >= u.bootMs) {
      r.compose = u.next;
      r.composeHash = u.nextHash;
      if (u.encryptedEnv !== undefined) r.encryptedEnv = u.encryptedEnv;
      r.bootError = u.bootError;
      r.bootedAt = u.startedAt + u.bootMs;
      r.upgrade = undefined;
    }
    if (!r.upgrade) {
      return {
        status: 'running',
        inProgress: false,
        composeHash: r.composeHash,
        compose: r.compose,
        bootError: r.bootError,
        bootProgress: r.bootError ? undefined : 'done',
        phase: r.bootError ? 'failed' : 'running',
      };
    }
    const f = (now - r.upgrade.startedAt) / r.upgrade.bootMs;
    if (f < 0.2)
      return {
        status: 'stopping',
        inProgress: true,
        composeHash: r.composeHash,
        compose: r.compose,
        phase: 'stopping',
      };
    const step = BOOT_STEPS[Math.min(BOOT_STEPS.length - 1, Math.floor(((f - 0.2) / 0.8) * BOOT_STEPS.length))];
    return {
      status: 'starting',
      inProgress: true,
      bootProgress: step,
      composeHash: r.composeHash,
      compose: r.compose,
      phase: 'booting',
    };
  }

  /** Service name → image of a compose file (none when it does not parse). */
  images(compose: AppCompose): Array<{ service: string; image: string }> {
    try {
      const doc = parse(compose.docker_compose_file) as { services?: Record<string, { image?: unknown }> };
      return Object.entries(doc?.services ?? {}).map(([service, s]) => ({
        service,
        image: typeof s?.image === 'string' ? s.image : `${service}:built`,
      }));
    } catch {
      return [];
    }
  }

  #record(r: FakeReplica, compose: AppCompose, hash: string, encryptedEnv: string): void {
    this.revisions.unshift({
      revision_id: `rev-${this.revisions.length + 1}`,
      vm_uuid: r.vmUuid,
      compose_hash: hash,
      // One ms apart at least, so "newest" is well defined when the clock has not moved.
      created_at: new Date(this.now() + this.revisions.length).toISOString(),
      compose,
      encrypted_env: encryptedEnv,
    });
  }
}
