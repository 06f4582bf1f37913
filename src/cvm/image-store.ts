/**
 * The images on the CVM's data disk, as a model: the local CVM shares the user's engine, so it must
 * never delete or re-pull the user's images, yet the CVM's `docker image prune -af` at every boot
 * (docs/platform.md#boot-sequence, step 8) deletes each image no container uses. The model records
 * what the CVM would still have, so a later boot that needs a pruned image (a rollback) is reported
 * as a pull the CVM has to make again instead of silently running the user's local copy.
 *
 * Keyed by image id, as prune is: an image a container uses keeps every tag pointing to it.
 */
export class CvmImageStore {
  /** Image id → the boot whose prune deleted it. */
  private readonly prunedAt = new Map<string, number>();
  private readonly present = new Set<string>();
  private readonly refsOf = new Map<string, Set<string>>();

  /** An image the CVM has on its disk: pulled by a boot, or there from the first deployment. */
  add(id: string, ref: string): void {
    this.present.add(id);
    this.prunedAt.delete(id);
    const refs = this.refsOf.get(id) ?? new Set<string>();
    refs.add(ref);
    this.refsOf.set(id, refs);
  }

  has(id: string): boolean {
    return this.present.has(id);
  }

  /** The boot whose prune deleted this image, if one did and nothing pulled it since. */
  prunedBy(id: string): number | undefined {
    return this.prunedAt.get(id);
  }

  /** `image prune -a`: every image no container of this CVM uses goes. Returns the refs deleted. */
  prune(usedIds: ReadonlySet<string>, boot: number): string[] {
    const gone: string[] = [];
    for (const id of [...this.present]) {
      if (usedIds.has(id)) continue;
      this.present.delete(id);
      this.prunedAt.set(id, boot);
      gone.push(...[...(this.refsOf.get(id) ?? [id])].sort());
    }
    return gone;
  }

  /** `docker rmi` of an image the CVM has. */
  remove(id: string, boot: number): void {
    if (this.present.delete(id)) this.prunedAt.set(id, boot);
  }

  /** Refs of the images on the disk (what `docker images` in the sandbox lists). */
  refs(): string[] {
    return [...this.present].flatMap((id) => [...(this.refsOf.get(id) ?? [])]).sort();
  }

  ids(): string[] {
    return [...this.present];
  }

  /** As journaled at the end of each boot (types.ts CvmDisk). */
  snapshot(): { images: [string, string[]][]; pruned: [string, number][] } {
    return {
      images: [...this.present].map((id) => [id, [...(this.refsOf.get(id) ?? [])].sort()]),
      pruned: [...this.prunedAt],
    };
  }

  restore(s: { images: [string, string[]][]; pruned: [string, number][] }): void {
    this.present.clear();
    this.prunedAt.clear();
    for (const [id, refs] of s.images) for (const r of refs) this.add(id, r);
    for (const [id, boot] of s.pruned) this.prunedAt.set(id, boot);
  }
}
