import type { ContainerInfo } from '../docker/engine.js';
import type { LocalCvm } from './local-cvm.js';

/**
 * The CVM's `docker image prune -af` and `docker volume prune -f` (docs/platform.md#boot-sequence,
 * step 8, and Phala's default pre-launch script), scoped to this CVM: the engine is the user's, so
 * only this CVM's resources may go.
 *
 * Images: the model (image-store.ts) drops every image no container of the CVM uses; nothing is
 * deleted from the engine. Volumes: the anonymous volumes this CVM's containers used that no
 * container uses any more are removed for real, as the guest's Docker (API 1.42 and later: only
 * anonymous volumes) removes them; named volumes are never pruned.
 */
export async function pruneImages(
  cvm: LocalCvm,
  boot: number,
  /** The CVM's containers, when the caller has just listed them (nothing changed since). */
  listed?: readonly ContainerInfo[],
): Promise<string[]> {
  const containers = listed ?? (await cvm.containers());
  return cvm.images.prune(new Set(containers.map((c) => c.Image)), boot);
}

export async function pruneVolumes(cvm: LocalCvm, listed?: readonly ContainerInfo[]): Promise<string[]> {
  const containers = listed ?? (await cvm.containers());
  cvm.noteAnonymousVolumes(containers);
  if (cvm.anonymousVolumes.size === 0) return [];
  const r = await cvm.engine.run(['volume', 'ls', '-q', '--filter', 'dangling=true']);
  const dangling = new Set(r.stdout.split('\n').map((l) => l.trim()));
  const gone = [...cvm.anonymousVolumes].filter((v) => dangling.has(v)).sort();
  if (gone.length) await cvm.engine.removeVolumes(gone);
  for (const v of gone) cvm.anonymousVolumes.delete(v);
  return gone;
}
