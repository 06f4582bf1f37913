/**
 * What a rollout asks Phala Cloud, through `@phala/cloud`'s own actions (each answer validated by
 * the SDK's zod schema). Every id is checked against the API's id forms and encoded before it
 * reaches a path (ids.ts); every request is counted, retried and budgeted (transport.ts, retry.ts).
 */
import type {
  AppRevisionDetailResponse,
  AppRevisionsResponse,
  CvmContainersStats,
  CvmInfoDetailV20260121,
  CvmInfoV20260121,
  CvmNetwork,
  CvmState,
  GetCvmStatusBatchResponse,
} from '@phala/cloud';
import { UsageError } from '../util/errors.js';
import { PhalaApiError } from './errors.js';
import { parseAppId, parseCvmId, parseRevisionId, parseVmUuid, pathSegment } from './ids.js';
import type { RequestMeter } from './retry.js';
import { Transport, type TransportOptions } from './transport.js';
import { type ConfirmOutcome, type CvmChanges, type PatchOutcome, refusalOf, registrationFrom } from './updates.js';
import { type PollOptions, type PollResult, pollStatuses, type WatchOptions, watchState } from './watch.js';

export type PhalaClientOptions = TransportOptions;

export interface CallOptions {
  signal?: AbortSignal;
}

/** One replica of an app, from `getAppCvms`. */
export interface Replica {
  /** The VM's UUID (lowercase, as the API gave it); null when the API has none for it. */
  vmUuid: string | null;
  /** The API's CVM id. */
  id: string;
  name: string;
  appId: string | null;
  composeHash: string | null;
  status: string;
  /** The node's device id (what an on-chain KMS must allow). */
  deviceId: string | null;
  /** The record as the SDK returned it. */
  info: CvmInfoV20260121;
}

/** A CVM's current state, from `getCvmInfo`. */
export interface CvmSummary {
  id: string;
  name: string;
  appId: string | null;
  vmUuid: string | null;
  composeHash: string | null;
  status: string;
  /**
   * An operation is running. API version 2026-01-21 (the SDK's default) has no `in_progress` on
   * this record; it sets `progress` (target, started_at, correlation_id) while one runs.
   */
  inProgress: boolean;
  correlationId: string | null;
  deviceId: string | null;
  info: CvmInfoDetailV20260121;
}

export class PhalaClient {
  readonly #t: Transport;

  private constructor(t: Transport) {
    this.#t = t;
  }

  /** Resolve the key (see credentials.ts) and load the SDK. Sends no request. */
  static async connect(options: PhalaClientOptions = {}): Promise<PhalaClient> {
    return new PhalaClient(await Transport.open(options));
  }

  /** Every request this client sent (shared when a meter was passed in). */
  get meter(): RequestMeter {
    return this.#t.meter;
  }

  /** Where the API key came from, for messages; never the key. */
  get credentialSource(): string {
    return this.#t.credentialSource;
  }

  get baseURL(): string {
    return this.#t.baseURL;
  }

  /** All replicas of an app (`getAppCvms`). */
  async listReplicas(appId: string, o: CallOptions = {}): Promise<Replica[]> {
    const app = parseAppId(appId, 'app');
    const { sdk, client } = this.#t;
    const cvms = await this.#t.call({ operation: 'getAppCvms', target: `app ${app}`, idempotent: true, ...o }, () =>
      sdk.getAppCvms(client, { appId: pathSegment(app) }),
    );
    return cvms.map((c) => ({
      vmUuid: c.vm_uuid ? answerId(() => parseVmUuid(c.vm_uuid!), 'getAppCvms', 'vm_uuid') : null,
      id: c.id,
      name: c.name,
      appId: c.app_id ?? null,
      composeHash: c.compose_hash ?? null,
      status: c.status,
      deviceId: c.node_info?.device_id ?? null,
      info: c,
    }));
  }

  /** One CVM's record (`getCvmInfo`): compose hash, status, whether an operation runs. */
  async getCvm(cvm: string, o: CallOptions = {}): Promise<CvmSummary> {
    const ref = cvmRef(cvm);
    const { sdk, client } = this.#t;
    const info = await this.#t.call({ operation: 'getCvmInfo', target: `cvm ${ref}`, idempotent: true, ...o }, () =>
      sdk.getCvmInfo(client, { id: ref }),
    );
    const p = info.progress;
    return {
      id: info.id,
      name: info.name,
      appId: info.app_id ?? null,
      vmUuid: info.vm_uuid ?? null,
      composeHash: info.compose_hash ?? null,
      status: info.status,
      inProgress: !!(p && (p.target || p.correlation_id || p.started_at)),
      correlationId: p?.correlation_id ?? null,
      deviceId: info.node_info?.device_id ?? null,
      info,
    };
  }

  /** Status of several replicas in one request (`getCvmStatusBatch`: in_progress, boot_progress, boot_error). */
  async getStatuses(vmUuids: readonly string[], o: CallOptions = {}): Promise<GetCvmStatusBatchResponse> {
    const uuids = vmUuids.map((u) => parseVmUuid(u));
    if (!uuids.length) return {};
    const { sdk, client } = this.#t;
    const target = uuids.length === 1 ? `cvm ${uuids[0]}` : `${uuids.length} cvms`;
    return this.#t.call({ operation: 'getCvmStatusBatch', target, idempotent: true, ...o }, () =>
      sdk.getCvmStatusBatch(client, { vmUuids: uuids }),
    );
  }

  /**
   * Poll `getCvmStatusBatch` for the replicas until each meets `until` (default: no operation
   * running, and running or failed to boot), or `timeoutMs` passes. One request per interval for
   * all replicas still pending; a deadline is a result (`timedOut`), not an error.
   */
  async waitForStatuses(vmUuids: readonly string[], o: PollOptions): Promise<PollResult> {
    const uuids = vmUuids.map((u) => parseVmUuid(u));
    return pollStatuses(this.#t, uuids, (pending) => this.getStatuses(pending, { signal: o.signal }), o);
  }

  /** Follow one CVM's state over server-sent events (`watchCvmState`) until it reaches `o.target`. */
  async watchState(cvm: string, o: WatchOptions): Promise<CvmState> {
    const ref = cvmRef(cvm);
    return watchState(this.#t, ref, `cvm ${ref}`, o);
  }

  /** The CVM's containers (`getCvmContainersStats`): per container state, image and image id. */
  async getContainers(cvm: string, o: CallOptions = {}): Promise<CvmContainersStats> {
    const ref = cvmRef(cvm);
    const { sdk, client } = this.#t;
    return this.#t.call({ operation: 'getCvmContainersStats', target: `cvm ${ref}`, idempotent: true, ...o }, () =>
      sdk.getCvmContainersStats(client, { id: ref }),
    );
  }

  /** The CVM's network (`getCvmNetwork`): `public_urls[].instance` reaches this replica alone. */
  async getNetwork(cvm: string, o: CallOptions = {}): Promise<CvmNetwork> {
    const ref = cvmRef(cvm);
    const { sdk, client } = this.#t;
    return this.#t.call({ operation: 'getCvmNetwork', target: `cvm ${ref}`, idempotent: true, ...o }, () =>
      sdk.getCvmNetwork(client, { id: ref }),
    );
  }

  /**
   * Start an upgrade (`patchCvm`, PATCH /cvms/{id}). Accepted (202, correlation id), or, when the
   * app's KMS is on chain, what must be registered first (HTTP 465), or refused (466-468).
   * A 409 (another operation running) is retried with backoff; a 5xx other than 503 is not
   * (the upgrade may have started): it fails saying the outcome is unknown.
   */
  async patchCvm(cvm: string, changes: CvmChanges, o: CallOptions = {}): Promise<PatchOutcome> {
    const ref = cvmRef(cvm);
    const { sdk, client } = this.#t;
    return this.#t.call(
      { operation: 'patchCvm', target: `cvm ${ref}`, idempotent: false, ...o },
      async (): Promise<PatchOutcome> => {
        try {
          const r = await sdk.patchCvm(client, { ...changes, id: ref });
          return r.requiresOnChainHash
            ? { kind: 'onchain-registration-required', registration: registrationFrom(r) }
            : { kind: 'accepted', correlationId: r.correlationId, sdk: r };
        } catch (err) {
          const refused = refusalOf(err);
          if (refused) return refused;
          throw err;
        }
      },
    );
  }

  /** After registering `composeHash` on chain: go on with the upgrade (`confirmCvmPatch`). */
  async confirmCvmPatch(
    cvm: string,
    proof: { composeHash: string; transactionHash: string },
    o: CallOptions = {},
  ): Promise<ConfirmOutcome> {
    const ref = cvmRef(cvm);
    // They travel as HTTP headers (X-Compose-Hash, X-Transaction-Hash).
    const hex = /^(0x)?[0-9a-f]{1,128}$/i;
    if (!hex.test(proof.composeHash)) throw new UsageError('the compose hash to confirm is not hex');
    if (!hex.test(proof.transactionHash) && proof.transactionHash !== 'already-registered') {
      throw new UsageError('the transaction hash to confirm is not hex');
    }
    const { sdk, client } = this.#t;
    return this.#t.call(
      { operation: 'confirmCvmPatch', target: `cvm ${ref}`, idempotent: false, ...o },
      async (): Promise<ConfirmOutcome> => {
        try {
          const r = await sdk.confirmCvmPatch(client, { id: ref, ...proof });
          return { kind: 'accepted', correlationId: r.correlationId, sdk: r };
        } catch (err) {
          const refused = refusalOf(err);
          if (refused) return refused;
          throw err;
        }
      },
    );
  }

  /** An app's revisions, newest first as the API lists them (`getAppRevisions`). */
  async listRevisions(
    appId: string,
    o: CallOptions & { page?: number; pageSize?: number } = {},
  ): Promise<AppRevisionsResponse> {
    const app = parseAppId(appId, 'app');
    const { sdk, client } = this.#t;
    return this.#t.call(
      { operation: 'getAppRevisions', target: `app ${app}`, idempotent: true, signal: o.signal },
      () =>
        sdk.getAppRevisions(client, {
          appId: pathSegment(app),
          ...(o.page ? { page: o.page } : {}),
          ...(o.pageSize ? { page_size: o.pageSize } : {}),
        }),
    );
  }

  /** One revision with its compose file and encrypted env (`getAppRevisionDetail`): a rollback source. */
  async getRevision(
    appId: string,
    revisionId: string,
    o: CallOptions & { rawComposeFile?: boolean } = {},
  ): Promise<AppRevisionDetailResponse> {
    const app = parseAppId(appId, 'app');
    const rev = parseRevisionId(revisionId, 'revision');
    const { sdk, client } = this.#t;
    return this.#t.call(
      { operation: 'getAppRevisionDetail', target: `app ${app} revision ${rev}`, idempotent: true, signal: o.signal },
      () =>
        sdk.getAppRevisionDetail(client, {
          appId: pathSegment(app),
          revisionId: pathSegment(rev),
          ...(o.rawComposeFile !== undefined ? { rawComposeFile: o.rawComposeFile } : {}),
        }),
    );
  }

  /**
   * What a replica ran before `currentComposeHash`: the newest revision of `vmUuid` with another
   * compose hash, in detail (compose file, encrypted env), looked for among the app's newest 100
   * revisions. Undefined when there is none.
   */
  async previousRevision(
    appId: string,
    vmUuid: string,
    currentComposeHash: string,
    o: CallOptions = {},
  ): Promise<AppRevisionDetailResponse | undefined> {
    const uuid = parseVmUuid(vmUuid).replace(/-/g, '');
    const list = await this.listRevisions(appId, { ...o, pageSize: 100 });
    const mine = list.revisions
      .filter((r) => r.vm_uuid.toLowerCase().replace(/-/g, '') === uuid && r.compose_hash !== currentComposeHash)
      .sort((a, b) => Date.parse(b.created_at) - Date.parse(a.created_at));
    return mine[0] ? this.getRevision(appId, mine[0].revision_id, o) : undefined;
  }
}

/** Resolve the key and load the SDK; the client sends nothing until asked. */
export function connectPhala(options: PhalaClientOptions = {}): Promise<PhalaClient> {
  return PhalaClient.connect(options);
}

/** The public instance URLs of a CVM (each reaches that replica alone). */
export function instanceUrls(network: CvmNetwork): string[] {
  return (network.public_urls ?? []).map((u) => u.instance).filter((u) => !!u);
}

function cvmRef(cvm: string): string {
  return pathSegment(parseCvmId(cvm, 'CVM').id);
}

/** An id from an answer that fails its form is an unexpected answer, not a usage error. */
function answerId<T>(parse: () => T, operation: string, field: string): T {
  try {
    return parse();
  } catch {
    throw new PhalaApiError(`Phala Cloud: ${operation}: unexpected answer (at ${field}: not an id)`, {
      kind: 'schema',
      operation,
      attempts: 1,
    });
  }
}
