import type { CvmApp } from './app.js';
import type { LocalCvm } from './local-cvm.js';
import { pruneImages, pruneVolumes } from './prune.js';
import type { PreLaunchOutcome } from './sandbox/index.js';
import type { BootListener } from './types.js';

/**
 * Phala Cloud gives every CVM whose deployment names no script its default pre-launch script
 * (dstack-examples `phala-cloud-prelaunch-script/prelaunch.sh`, v0.0.19; docs/platform.md#pre-launch-script).
 * Its text is not ours to ship, so its effects are modelled here instead of run:
 * - it reads `$DSTACK_DOCKER_USERNAME` with no default (its line 94): sourced under main's `set -u`,
 *   an env without that variable stops the boot ("unbound variable"; inferred, not seen on a CVM);
 * - with registry credentials it logs in (not rehearsed: no registry is contacted);
 * - it prunes images and volumes (as step 8 does) and runs `docker compose pull`, so a tag that
 *   moved in the registry is pulled at every boot (the local engine keeps the user's copy).
 */
export const PHALA_DEFAULT_SCRIPT = {
  version: 'v0.0.19',
  source:
    'https://github.com/Dstack-TEE/dstack-examples/blob/f9cc05ee808219bbcdd7ed4aa3fb340aedccb3a3/phala-cloud-pre' +
    'launch-script/prelaunch.sh',
  usernameLine: 94,
} as const;

export async function phalaDefaultPreLaunch(
  cvm: LocalCvm,
  app: CvmApp,
  env: ReadonlyMap<string, string>,
  boot: number,
  emit: BootListener,
): Promise<PreLaunchOutcome> {
  const name = `Phala's default pre-launch script ${PHALA_DEFAULT_SCRIPT.version}`;
  if (cvm.os === 'main' && !env.has('DSTACK_DOCKER_USERNAME')) {
    const message =
      `${name} reads $DSTACK_DOCKER_USERNAME without a default; under main's \`set -euo pipefail\` the boot stops ` +
      `there: DSTACK_DOCKER_USERNAME: unbound variable (set it, even empty, or deploy your own pre_launch_script)`;
    emit({ type: 'pre-launch-failure', boot, code: 1, fatal: true, message });
    return {
      ok: false,
      reason: message,
      at: { line: PHALA_DEFAULT_SCRIPT.usernameLine, text: 'the registry-credentials check of the default script' },
      exports: new Map(),
      unset: [],
    };
  }
  const notes: string[] = [`${name} (modelled)`];
  if (env.get('DSTACK_DOCKER_USERNAME') && env.get('DSTACK_DOCKER_PASSWORD'))
    notes.push(`registry login to ${env.get('DSTACK_DOCKER_REGISTRY') || 'docker.io'} not rehearsed`);
  const containers = await cvm.containers();
  const images = await pruneImages(cvm, boot, containers);
  const volumes = await pruneVolumes(cvm, containers);
  emit({ type: 'sandbox-call', boot, method: 'POST', path: '/images/prune', verdict: 'modelled', status: 200 });
  emit({ type: 'sandbox-call', boot, method: 'POST', path: '/volumes/prune', verdict: 'modelled', status: 200 });
  emit({ type: 'pruned', boot, images, volumes });
  const pulls = app.images();
  for (const p of pulls)
    emit({
      type: 'sandbox-call',
      boot,
      method: 'POST',
      path: `/images/create?fromImage=${p.image}`,
      verdict: 'modelled',
      status: 200,
      note: 'the CVM pulls the tag again at every boot; the local copy is kept',
    });
  notes.push(`pruned ${images.length} image(s) and ${volumes.length} volume(s), pulled ${pulls.length} image(s)`);
  return { ok: true, detail: notes.join('; '), exports: new Map(), unset: [] };
}
