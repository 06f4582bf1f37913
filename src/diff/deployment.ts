import { effectiveKeyProvider, type DeploymentSettings } from '../compose/deployment.js';
import type { Project } from '../compose/project.js';
import { deploymentLocation } from '../rules/engine.js';
import type { DiffContext } from './context.js';

/** Settings compared one by one; key-provider fields have their own rule. */
const COMPARED: { field: keyof DeploymentSettings; why: string; worseWhenOn?: boolean }[] = [
  {
    field: 'public_logs',
    why: "container logs become readable by anyone at the CVM's /logs endpoint",
    worseWhenOn: true,
  },
  { field: 'public_sysinfo', why: "the guest's metrics become readable by anyone", worseWhenOn: true },
  { field: 'gateway_enabled', why: 'ingress through the gateway changes' },
  { field: 'secure_time', why: 'boot waits (or no longer waits) for time sync' },
  { field: 'runner', why: 'the guest starts the app differently' },
  { field: 'pre_launch_script', why: 'the script run before the app changes' },
  { field: 'init_script', why: 'the script run before dockerd changes' },
  { field: 'manifest_version', why: 'the manifest format changes' },
];

/** Deployment settings that change, whether the compose hash changes, and key-provider changes. */
export function checkDeployment(ctx: DiffContext): void {
  const a = ctx.old.deployment.settings;
  const b = ctx.new.deployment.settings;
  const at = (field?: string) => ({ loc: deploymentLocation(ctx.new, field) });

  for (const { field, why, worseWhenOn } of COMPARED) {
    const before = a[field];
    const after = b[field];
    if (same(before, after)) continue;
    const scriptish = field === 'pre_launch_script' || field === 'init_script';
    ctx.report({
      ruleId: 'deployment-changed',
      side: 'new',
      ...at(field),
      severity: worseWhenOn && after === true ? 'warning' : 'info',
      message: scriptish
        ? `${field} ${before === undefined ? 'is added' : after === undefined ? 'is removed' : 'changes'}: ${why}`
        : `${field} changes from ${show(before)} to ${show(after)}: ${why}`,
    });
  }

  const envBefore = a.allowed_envs;
  const envAfter = b.allowed_envs;
  if (envBefore && envAfter && !same([...envBefore].sort(), [...envAfter].sort())) {
    const added = envAfter.filter((k) => !envBefore.includes(k));
    const removed = envBefore.filter((k) => !envAfter.includes(k));
    ctx.report({
      ruleId: 'deployment-changed',
      side: 'new',
      ...at('allowed_envs'),
      message:
        `allowed_envs changes (${[...added.map((k) => `+${k}`), ...removed.map((k) => `-${k}`)].join(' ')}): the ` +
        `guest drops decrypted keys not listed, and the compose hash changes`,
    });
  }

  const hash = composeHashChange(ctx.old, ctx.new);
  if (hash) ctx.report({ ruleId: 'deployment-changed', side: 'new', ...at('docker_compose_file'), message: hash });

  const kpBefore = effectiveKeyProvider(a);
  const kpAfter = effectiveKeyProvider(b);
  const idBefore = ctx.old.manifest?.json.key_provider_id;
  const idAfter = ctx.new.manifest?.json.key_provider_id;
  if (kpBefore !== kpAfter || (idBefore !== undefined && idAfter !== undefined && idBefore !== idAfter)) {
    const what =
      kpBefore !== kpAfter ? `the key provider changes from ${kpBefore} to ${kpAfter}` : 'key_provider_id changes';
    ctx.report({
      ruleId: 'key-provider-changed',
      side: 'new',
      ...at(
        b.key_provider !== undefined
          ? 'key_provider'
          : kpAfter === 'kms' || kpBefore === 'kms'
            ? 'kms_enabled'
            : 'local_key_provider_enabled',
      ),
      message:
        `${what}: keys the app derives (GetKey) and the disk key come from another source, so data encrypted with ` +
        `the old keys may become unreadable`,
    });
  }
  if (a.no_instance_id !== b.no_instance_id) {
    ctx.report({
      ruleId: 'instance-id-changed',
      side: 'new',
      ...at('no_instance_id'),
      message:
        `no_instance_id changes from ${a.no_instance_id} to ${b.no_instance_id}: the instance id is part of the ` +
        `disk key, so the encrypted disk (and every named volume on it) does not open after the ` +
        `upgrade${b.no_instance_id ? ', and without an instance id the gateway gives the CVM no route' : ''}`,
    });
  }
  if (a.storage_fs !== b.storage_fs) {
    ctx.report({
      ruleId: 'storage-fs-changed',
      side: 'new',
      ...at('storage_fs'),
      message:
        `storage_fs changes from ${a.storage_fs} to ${b.storage_fs}: the data disk was formatted ` +
        `as ${a.storage_fs} at the first boot and is never reformatted, so the next boot fails to mount it`,
    });
  }
}

/**
 * Whether the compose hash changes. With both manifests, each side's `composeHash`
 * (src/compose/compose-hash.ts: dstack's canonical form, as `getComposeHash` computes it);
 * otherwise it changes whenever the compose text or a deployment setting differs.
 */
export function composeHashChange(oldP: Project, newP: Project): string | undefined {
  if (oldP.manifest && newP.manifest) {
    const h1 = oldP.manifest.composeHash;
    const h2 = newP.manifest.composeHash;
    return h1 === h2
      ? undefined
      : `the compose hash changes from ${h1.slice(0, 16)}… to ${h2.slice(0, 16)}… (full: ${h2}): attestation ` +
          `shows the new hash; update any allow-list that pins it`;
  }
  const text = (p: Project) => p.composeFiles.map((f) => p.sources.get(f)?.text ?? '').join('\n---\n');
  const composeChanged = text(oldP) !== text(newP);
  const settingsChanged = !same(oldP.deployment.settings, newP.deployment.settings);
  if (!composeChanged && !settingsChanged) return undefined;
  const why = [composeChanged ? 'the compose text' : '', settingsChanged ? 'the deployment settings' : '']
    .filter(Boolean)
    .join(' and ');
  return (
    `the compose hash changes (${why} differ${composeChanged && settingsChanged ? '' : 's'}; the exact hash needs ` +
    `both sides as app-compose.json): attestation shows a new hash`
  );
}

function same(x: unknown, y: unknown): boolean {
  return JSON.stringify(x) === JSON.stringify(y);
}

function show(v: unknown): string {
  return v === undefined ? '(unset)' : JSON.stringify(v);
}
