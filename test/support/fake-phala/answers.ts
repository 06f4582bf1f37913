/**
 * The answers of the fake Phala Cloud API, built from the fleet's state and checked against
 * `@phala/cloud`'s own zod schemas before they are served.
 */
import {
  AppRevisionDetailResponseSchema,
  AppRevisionsResponseSchema,
  CvmInfoV20260121Schema,
  GetCvmStatusBatchResponseSchema,
} from '@phala/cloud';
import type { FakeReplica, Fleet } from './fleet.js';

export const BASE_DOMAIN = 'phala.test';

export function info(fleet: Fleet, r: FakeReplica): Record<string, unknown> {
  const v = fleet.view(r);
  const u = r.upgrade;
  const record = {
    id: r.id,
    name: r.name,
    app_id: fleet.appId,
    vm_uuid: r.vmUuid,
    instance_id: r.instanceId,
    resource: { vcpu: 2, memory_in_gb: 4, disk_in_gb: 20 },
    node_info: { object_type: 'node', id: r.index % 4, name: `node-${r.index % 4}`, device_id: r.deviceId },
    kms_type: fleet.onChainKms ? 'base' : 'phala',
    kms_info: fleet.onChainKms
      ? { chain_id: 8453, dstack_app_address: `0x${fleet.appId}`, dstack_kms_address: `0x${'cd'.repeat(20)}` }
      : { encrypted_env_pubkey: 'ab'.repeat(32) },
    status: v.status,
    progress: u
      ? { target: 'running', started_at: new Date(u.startedAt).toISOString(), correlation_id: u.correlationId }
      : null,
    compose_hash: v.composeHash,
    gateway: { base_domain: BASE_DOMAIN },
    public_logs: v.compose.public_logs,
  };
  CvmInfoV20260121Schema.parse(record);
  return record;
}

export function statusBatch(fleet: Fleet, uuids: string[]): unknown {
  const out: Record<string, unknown> = {};
  for (const u of uuids) {
    const r = fleet.find(u);
    if (!r) continue;
    const v = fleet.view(r);
    out[r.vmUuid] = {
      vm_uuid: r.vmUuid,
      status: v.status,
      uptime: v.inProgress ? null : `${Math.max(0, Math.round((fleet.now() - r.bootedAt) / 1000))}s`,
      in_progress: v.inProgress,
      boot_progress: v.bootProgress ?? null,
      boot_error: v.bootError ?? null,
      operation_type: r.upgrade ? 'update' : null,
      operation_started_at: r.upgrade ? new Date(r.upgrade.startedAt).toISOString() : null,
      correlation_id: r.upgrade?.correlationId ?? null,
    };
  }
  return valid(GetCvmStatusBatchResponseSchema, out);
}

export function containers(fleet: Fleet, r: FakeReplica): unknown {
  const v = fleet.view(r);
  const containers =
    v.phase === 'booting' || v.phase === 'stopping'
      ? []
      : fleet.images(v.compose).map(({ service, image }, i) => ({
          id: `${r.id}${i}`,
          names: [`/app-${service}-1`],
          image,
          image_id: `sha256:${Buffer.from(image).toString('hex').padEnd(64, '0').slice(0, 64)}`,
          command: null,
          created: Math.floor(r.bootedAt / 1000),
          state: v.phase === 'failed' ? 'exited' : 'running',
          status: v.phase === 'failed' ? 'Exited (1) 2 seconds ago' : 'Up 5 seconds',
          log_endpoint: null,
        }));
  return {
    is_online: !v.inProgress,
    is_public: true,
    error: null,
    docker_compose_file: v.compose.docker_compose_file,
    manifest_version: 2,
    version: '0.5.4',
    runner: 'docker-compose',
    features: ['kms'],
    containers,
  };
}

export function network(fleet: Fleet, r: FakeReplica): unknown {
  const v = fleet.view(r);
  return {
    is_online: !v.inProgress,
    is_public: true,
    error: null,
    internal_ip: `10.0.0.${r.index + 2}`,
    latest_handshake: null,
    public_urls: [
      {
        app: `https://${fleet.appId}-8080.${BASE_DOMAIN}`,
        instance: fleet.instanceUrl?.(r) ?? `https://${r.instanceId}-8080.${BASE_DOMAIN}`,
      },
    ],
  };
}

export function revisions(fleet: Fleet, query: string): unknown {
  const q = new URLSearchParams(query);
  const size = Number(q.get('page_size') ?? 20);
  const page = Number(q.get('page') ?? 1);
  const all = fleet.revisions;
  const out = {
    revisions: all.slice((page - 1) * size, page * size).map((r) => revisionOf(fleet.appId, r, false)),
    total: all.length,
    page,
    page_size: size,
    total_pages: Math.max(1, Math.ceil(all.length / size)),
  };
  return valid(AppRevisionsResponseSchema, out);
}

export function revision(fleet: Fleet, id: string): { status: number; body: unknown } {
  const r = fleet.revisions.find((x) => x.revision_id === id);
  if (!r) return { status: 404, body: { detail: 'Revision not found' } };
  return { status: 200, body: valid(AppRevisionDetailResponseSchema, revisionOf(fleet.appId, r, true)) };
}

function revisionOf(appId: string, r: Fleet['revisions'][number], detail: boolean): Record<string, unknown> {
  const base = {
    revision_id: r.revision_id,
    app_id: appId,
    vm_uuid: r.vm_uuid,
    compose_hash: r.compose_hash,
    created_at: r.created_at,
    operation_type: 'update',
    cvm: { object_type: 'cvm', vm_uuid: r.vm_uuid, app_id: appId },
  };
  return detail ? { ...base, compose_file: r.compose, encrypted_env: r.encrypted_env, user_config: '' } : base;
}

/** Check with the SDK's schema and serve the object as built (the SDK applies its own defaults). */
export function valid<T>(schema: { parse(v: unknown): unknown }, value: T): T {
  schema.parse(value);
  return value;
}

export function validArray(items: unknown[]): unknown[] {
  for (const i of items) CvmInfoV20260121Schema.parse(i);
  return items;
}
