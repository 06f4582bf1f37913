/**
 * The rollout on Phala Cloud, through src/phala (`@phala/cloud`'s own actions, every answer
 * validated by the SDK's zod schemas). Per instance: PATCH /cvms/{id} with the new compose (and
 * the one encrypted env, when the secrets change), poll the status batch until no operation is in
 * progress and the record shows a new compose hash, then check that the new images run.
 */
import { createHash } from 'node:crypto';
import { composeHash } from '../../compose/compose-hash.js';
import {
  type CvmChanges,
  instanceUrls,
  type OnChainRegistration,
  PhalaApiError,
  type PhalaClient,
  type SignerOptions,
} from '../../phala/index.js';
import { parse as parseYaml } from 'yaml';
import { InputError } from '../../util/errors.js';
import type { PhalaFleetSpec } from '../config.js';
import type { RolloutClock } from '../gates/index.js';
import { PhalaOnChain } from './phala-onchain.js';
import { StatusPoller } from './poller.js';
import type { BootOutcome, InstanceSnapshot, OnChainOps, RolloutBackend, UpgradeStart, WaitOptions } from './types.js';

/** The new version as Phala Cloud takes it. */
export interface PhalaTarget {
  /** The compose file text (`docker_compose_file`). */
  composeText: string;
  /** Images the services of the new version run (service → image), for "the new images running". */
  images: Record<string, string>;
  preLaunchScript?: string;
  /** The whole secret set, encrypted once for the app (valid on every replica), and its keys. */
  secrets?: { encryptedEnv: string; envKeys: string[] };
}

/**
 * A change of secret values alone keeps the compose hash (the hash covers the key list, as
 * `allowed_envs`, never the values: docs/platform.md#compose-hash). So when the target carries a
 * secret set, an instance on the target's compose hash is told apart by what the platform kept of
 * its secrets: the encrypted env of its newest revision (`getAppRevisionDetail`). Its version is then
 * `<compose hash>+env:<first 16 hex of that ciphertext's sha256>`; the target's names the one
 * ciphertext this rollout sends (encrypted once, reused while the env file is unchanged: open.ts).
 * A ciphertext's hash says nothing about the values: the X25519 key of each encryption is fresh.
 */
export const ENV_PART = '+env:';

type RevisionList = Awaited<ReturnType<PhalaClient['listRevisions']>>;

export function envFingerprint(encryptedEnv: string): string {
  return createHash('sha256').update(encryptedEnv).digest('hex').slice(0, 16);
}

/** The compose hash of a version (without its `+env:` part). */
export function composeHashOf(version: string): string {
  const i = version.indexOf(ENV_PART);
  return i < 0 ? version : version.slice(0, i);
}

function envOf(version: string): string | undefined {
  const i = version.indexOf(ENV_PART);
  return i < 0 ? undefined : version.slice(i + ENV_PART.length);
}

export interface PhalaBackendOptions {
  client: PhalaClient;
  fleet: PhalaFleetSpec;
  target: PhalaTarget;
  clock: RolloutClock;
  /** The app owner's key (and RPC): what a 465 asks for is registered on chain, then confirmed. */
  onChain?: SignerOptions;
}

export class PhalaBackend implements RolloutBackend {
  readonly kind = 'phala' as const;
  targetVersion = '';
  /** The app the fleet belongs to (from the first record when the fleet is a list of CVMs). */
  appId = '';
  readonly onChainKms: { kmsType: string } | undefined;
  onChain?: OnChainOps;
  /** The newest 465 per instance (what the on-chain part registers and confirms). */
  readonly #held = new Map<string, OnChainRegistration>();
  readonly #o: PhalaBackendOptions;
  readonly #poller: StatusPoller;
  readonly #urls = new Map<string, string>();
  /** What each instance should run after its last request: the target's images, or a rollback's. */
  readonly #expect = new Map<string, Record<string, string>>();
  #names = new Map<string, string>();
  #onChain: string | undefined;
  /** The target's compose hash (its version without the `+env:` part). */
  #targetCompose = '';

  private constructor(o: PhalaBackendOptions) {
    this.#o = o;
    this.#poller = new StatusPoller(o.client, o.clock, o.fleet.pollIntervalMs);
  }

  /**
   * Read the fleet and work out the target's compose hash: each replica's manifest as deployed
   * (its newest revision) with the rollout's changes applied, hashed as dstack does
   * (compose/compose-hash.ts, the one compose hash: keys sorted, compact JSON).
   */
  static async open(o: PhalaBackendOptions, signal?: AbortSignal): Promise<PhalaBackend> {
    const b = new PhalaBackend(o);
    await b.#prepare(signal);
    if (o.onChain) b.onChain = await PhalaOnChain.create(o.client, o.onChain, b.#held);
    return b;
  }

  /** `kms_type` of the app when it is on chain (`ethereum`, `base`), else undefined. */
  get onChainKmsType(): string | undefined {
    return this.#onChain;
  }

  async fleet(signal?: AbortSignal): Promise<InstanceSnapshot[]> {
    const out = await this.#records(signal);
    // One revision list for the whole fleet; a revision's detail only for instances on the target's compose.
    const list =
      this.#o.target.secrets && out.some((i) => i.version === this.#targetCompose)
        ? await this.#o.client.listRevisions(this.appId, { signal, pageSize: 100 })
        : undefined;
    for (const i of out) i.version = await this.#versionOf(i.id, i.version, signal, list);
    return out;
  }

  async #records(signal?: AbortSignal): Promise<InstanceSnapshot[]> {
    const { client, fleet } = this.#o;
    if (fleet.appId) {
      const replicas = await client.listReplicas(fleet.appId, { signal });
      return replicas.map((r) => {
        if (!r.vmUuid) throw new InputError(`Phala Cloud: replica ${r.name} has no vm_uuid; a rollout needs one`);
        this.#names.set(r.vmUuid, r.name);
        return {
          id: r.vmUuid,
          name: r.name,
          version: r.composeHash ?? '',
          status: r.status,
          inProgress: !!r.info.progress && !!(r.info.progress.target || r.info.progress.correlation_id),
        };
      });
    }
    const out: InstanceSnapshot[] = [];
    for (const ref of fleet.cvms ?? []) {
      const c = await client.getCvm(ref, { signal });
      if (!c.vmUuid) throw new InputError(`Phala Cloud: CVM ${ref} has no vm_uuid; a rollout needs one`);
      this.#names.set(c.vmUuid, c.name);
      out.push({
        id: c.vmUuid,
        name: c.name,
        version: c.composeHash ?? '',
        status: c.status,
        inProgress: c.inProgress,
      });
    }
    return out;
  }

  async snapshot(id: string, signal?: AbortSignal): Promise<InstanceSnapshot | undefined> {
    const c = await this.#o.client.getCvm(id, { signal });
    const version = await this.#versionOf(id, c.composeHash ?? '', signal);
    return { id, name: c.name, version, status: c.status, inProgress: c.inProgress };
  }

  /** The target's compose hash, for what an on-chain KMS must allow. */
  get targetComposeHash(): string {
    return this.#targetCompose;
  }

  /**
   * The instance's version from its compose hash: with `+env:` when the target carries secrets and
   * the instance already runs the target's compose (otherwise it is upgraded whatever its secrets).
   */
  async #versionOf(id: string, compose: string, signal?: AbortSignal, list?: RevisionList): Promise<string> {
    if (!this.#o.target.secrets || !compose || compose !== this.#targetCompose) return compose;
    const rev = (await this.#revisionsOf(id, compose, signal, list))[0];
    if (!rev) return compose;
    const detail = await this.#o.client.getRevision(this.appId, rev.revision_id, { signal });
    return `${compose}${ENV_PART}${envFingerprint(detail.encrypted_env)}`;
  }

  /** The revisions of one instance with this compose hash, newest first (among the app's newest 100). */
  async #revisionsOf(id: string, compose: string, signal?: AbortSignal, known?: RevisionList) {
    const list = known ?? (await this.#o.client.listRevisions(this.appId, { signal, pageSize: 100 }));
    const plain = id.toLowerCase().replace(/-/g, '');
    return list.revisions
      .filter((r) => r.vm_uuid.toLowerCase().replace(/-/g, '') === plain && r.compose_hash === compose)
      .sort((a, b) => Date.parse(b.created_at) - Date.parse(a.created_at));
  }

  async instanceUrl(id: string, signal?: AbortSignal): Promise<string> {
    const known = this.#urls.get(id);
    if (known) return known;
    const urls = instanceUrls(await this.#o.client.getNetwork(id, { signal }));
    const port = this.#o.fleet.port;
    const url = port ? urls.find((u) => new RegExp(`-${port}s?g?\\.`).test(new URL(u).hostname)) : urls[0];
    if (!url)
      throw new InputError(
        `Phala Cloud: CVM ${this.#names.get(id) ?? id} has no public instance URL${port ? ` for port ${port}` : ''}`,
      );
    this.#urls.set(id, url.replace(/\/+$/, ''));
    return this.#urls.get(id)!;
  }

  async upgrade(id: string, to: 'target' | { version: string }, signal: AbortSignal): Promise<UpgradeStart> {
    const changes = to === 'target' ? this.#targetChanges() : await this.#rollbackChanges(id, to.version, signal);
    this.#expect.set(id, to === 'target' ? this.#o.target.images : imagesOf(changes.docker_compose_file ?? ''));
    const out = await this.#o.client.patchCvm(id, changes, { signal });
    if (out.kind === 'accepted') return { kind: 'started', operation: out.correlationId };
    if (out.kind === 'refused') return { kind: 'refused', detail: `HTTP ${out.status}: ${out.reason}` };
    const r = out.registration;
    this.#held.set(id, r);
    return {
      kind: 'onchain-registration-required',
      composeHash: r.composeHash,
      appId: r.appId,
      deviceId: r.deviceId,
      chain: r.kms.chainName ?? (r.kms.chainId !== null ? `chain ${r.kms.chainId}` : undefined),
      ...(r.onchainStatus
        ? { composeHashAllowed: r.onchainStatus.composeHashAllowed, deviceAllowed: r.onchainStatus.deviceIdAllowed }
        : {}),
    };
  }

  async waitBooted(id: string, o: WaitOptions): Promise<BootOutcome> {
    const { client, clock } = this.#o;
    for (;;) {
      const status = await this.#poller.waitSettled(id, o);
      if (!status) return { ok: false, reason: 'deadline', detail: 'still booting at the healthy deadline' };
      if (status.boot_error) return { ok: false, reason: 'boot-error', detail: status.boot_error };
      const cvm = await client.getCvm(id, { signal: o.signal });
      const version = await this.#versionOf(id, cvm.composeHash ?? '', o.signal);
      const moved = o.to ? version === o.to : version !== o.from;
      if (moved && !cvm.inProgress) return this.#checkImages(id, version, o.signal);
      // Settled but still the old manifest: the platform has not started the update yet.
      if (clock.now() >= o.deadlineAt)
        return { ok: false, reason: 'deadline', detail: 'the upgrade had not started at the healthy deadline' };
      await clock.sleep(this.#o.fleet.pollIntervalMs, o.signal);
    }
  }

  async close(): Promise<void> {}

  /** Requests sent so far (for the report and the scale bench). */
  get requests(): number {
    return this.#o.client.meter.requests;
  }

  async #checkImages(id: string, version: string, signal: AbortSignal): Promise<BootOutcome> {
    const stats = await this.#o.client.getContainers(id, { signal });
    const running = stats.containers ?? [];
    const want = this.#expect.get(id) ?? this.#o.target.images;
    const problems: string[] = [];
    for (const [service, image] of Object.entries(want)) {
      const c = running.find((x) => x.image === image);
      if (!c) problems.push(`no container runs ${image} (${service})`);
      else if (c.state !== 'running') problems.push(`${service} (${image}) is ${c.state ?? 'not running'}`);
    }
    if (problems.length) return { ok: false, reason: 'images', detail: problems.join('; '), version };
    return { ok: true, version, detail: `${Object.keys(want).length} container(s) of the new version running` };
  }

  #targetChanges(): CvmChanges {
    const t = this.#o.target;
    const changes: CvmChanges = { docker_compose_file: t.composeText };
    if (t.preLaunchScript !== undefined) changes.pre_launch_script = t.preLaunchScript;
    if (t.secrets) {
      changes.allowed_envs = t.secrets.envKeys;
      changes.encrypted_env = t.secrets.encryptedEnv;
    }
    return changes;
  }

  /**
   * The compose of the revision that ran `version` (with its `+env:` part: the revision whose
   * encrypted env it names), and its encrypted env only if the rollout replaced it.
   */
  async #rollbackChanges(id: string, version: string, signal: AbortSignal): Promise<CvmChanges> {
    const { client } = this.#o;
    const compose = composeHashOf(version);
    const env = envOf(version);
    let detail: Awaited<ReturnType<PhalaClient['getRevision']>> | undefined;
    for (const rev of await this.#revisionsOf(id, compose, signal)) {
      const d = await client.getRevision(this.appId, rev.revision_id, { signal });
      if (env === undefined || envFingerprint(d.encrypted_env) === env) {
        detail = d;
        break;
      }
    }
    if (!detail)
      throw new PhalaApiError(`Phala Cloud: no revision of ${this.#names.get(id) ?? id} with version ${version}`, {
        kind: 'http',
        operation: 'getAppRevisions',
        attempts: 1,
      });
    const manifest = manifestOf(detail.compose_file);
    const changes: CvmChanges = { docker_compose_file: String(manifest.docker_compose_file ?? '') };
    if (typeof manifest.pre_launch_script === 'string') changes.pre_launch_script = manifest.pre_launch_script;
    if (this.#o.target.secrets) {
      changes.allowed_envs = Array.isArray(manifest.allowed_envs) ? (manifest.allowed_envs as string[]) : [];
      changes.encrypted_env = detail.encrypted_env;
    }
    return changes;
  }

  async #prepare(signal?: AbortSignal): Promise<void> {
    const { client } = this.#o;
    const fleet = await this.#records(signal);
    if (!fleet.length) throw new InputError('Phala Cloud: the fleet has no CVM');
    const first = await client.getCvm(fleet[0]!.id, { signal });
    this.appId = first.appId ?? this.#o.fleet.appId ?? '';
    const kmsType = (first.info as { kms_type?: string | null }).kms_type ?? undefined;
    if (kmsType === 'ethereum' || kmsType === 'base') this.#onChain = kmsType;
    if (!this.appId) throw new InputError('Phala Cloud: the CVM record has no app_id');
    // The deployed manifest of the first replica, from its newest revision, with the changes applied.
    const rev = (await this.#revisionsOf(fleet[0]!.id, fleet[0]!.version, signal))[0];
    if (rev) {
      const detail = await client.getRevision(this.appId, rev.revision_id, { signal });
      const next = { ...manifestOf(detail.compose_file) } as Record<string, unknown>;
      const c = this.#targetChanges();
      for (const k of ['docker_compose_file', 'pre_launch_script', 'allowed_envs'] as const)
        if (c[k] !== undefined) next[k] = c[k];
      this.#targetCompose = composeHash(next);
      const secrets = this.#o.target.secrets;
      const env = secrets ? `${ENV_PART}${envFingerprint(secrets.encryptedEnv)}` : '';
      this.targetVersion = `${this.#targetCompose}${env}`;
    }
  }
}

/** Service → image of a compose file's text (a service without `image:` is built: nothing to compare). */
export function imagesOf(composeText: string): Record<string, string> {
  try {
    const doc = parseYaml(composeText) as { services?: Record<string, { image?: unknown }> } | null;
    const out: Record<string, string> = {};
    for (const [name, svc] of Object.entries(doc?.services ?? {}))
      if (typeof svc?.image === 'string') out[name] = svc.image;
    return out;
  } catch {
    return {};
  }
}

/** A revision's compose_file: the SDK types it as an object or a JSON string. */
function manifestOf(v: unknown): Record<string, unknown> {
  if (v && typeof v === 'object') return v as Record<string, unknown>;
  if (typeof v === 'string') {
    try {
      const parsed = JSON.parse(v) as unknown;
      if (parsed && typeof parsed === 'object') return parsed as Record<string, unknown>;
    } catch {}
  }
  throw new PhalaApiError('Phala Cloud: getAppRevisionDetail: unexpected answer (at compose_file: not a manifest)', {
    kind: 'schema',
    operation: 'getAppRevisionDetail',
    attempts: 1,
  });
}
