import type { Service } from '../compose/types.js';
import { parseImage } from '../knowledge/image.js';
import { pathCovers } from '../knowledge/paths.js';
import { statefulService } from '../rules/lib/stateful.js';
import type { DiffContext } from './context.js';
import { isAnonymousVolume, isThrowawayPath } from '../rules/lib/volumes.js';
import { dataDirs, namedMounts, placeInVolume, projectName, type NamedMount } from './mounts.js';

/**
 * Where the data of each service lives, OLD against NEW: volumes renamed or no longer mounted,
 * services removed with their data, and data directories that moved relative to their volume.
 */
export function checkVolumes(ctx: DiffContext): void {
  const oldMounts = namedMounts(ctx.old);
  const newMounts = namedMounts(ctx.new);
  const newVolumes = new Set(newMounts.map((m) => m.volume));
  const oldServices = ctx.old.model.services ?? {};
  const newServices = ctx.new.model.services ?? {};
  /** OLD Docker volumes already explained by a finding. */
  const explained = new Set<string>();
  // A volume that only got the new project's prefix is project-name-changed's finding, not a rename of its own.
  const byProject = (m: NamedMount) =>
    projectName(ctx.old) !== projectName(ctx.new) && m.prefixed && newMounts.some((n) => n.key === m.key && n.prefixed);
  for (const m of oldMounts) if (byProject(m)) explained.add(m.volume);

  for (const m of oldMounts) {
    if (newVolumes.has(m.volume) || explained.has(m.volume) || !(m.service in newServices)) continue;
    const n = newMounts.find((x) => x.service === m.service && x.target === m.target);
    if (!n || n.volume === m.volume) continue;
    explained.add(m.volume);
    ctx.report({
      ruleId: 'volume-renamed',
      side: 'new',
      service: m.service,
      valuePath: ['services', m.service, 'volumes', n.index],
      message:
        `${m.service} mounts volume ${n.key} (Docker volume ${n.volume}) at ${m.target}, where OLD ` +
        `mounted ${m.key} (${m.volume}): NEW starts with an empty volume and OLD's data stays orphaned ` +
        `in ${m.volume}`,
    });
  }

  for (const [name, oldSvc] of Object.entries(oldServices)) {
    const newSvc = newServices[name];
    if (!newSvc) continue;
    const placed = checkDataDirs(ctx, name, oldMounts, newMounts, explained);
    if (placed) continue;
    // No known data directory: a mount target that moved is suspicious by itself.
    for (const m of oldMounts.filter((x) => x.service === name)) {
      const sameVolume = newMounts.filter((x) => x.service === name && x.volume === m.volume);
      if (sameVolume.length === 0 || sameVolume.some((x) => x.target === m.target)) continue;
      const n = sameVolume[0]!;
      ctx.report({
        ruleId: 'data-dir-moved',
        side: 'new',
        service: name,
        severity: 'warning',
        valuePath: ['services', name, 'volumes', n.index],
        message:
          `${name} now mounts volume ${m.key} at ${n.target} instead of ${m.target}: unless the app's data ` +
          `directory moved with it, NEW finds ${m.target} empty`,
      });
    }
    void oldSvc;
  }

  for (const [name, svc] of Object.entries(oldServices)) {
    if (name in newServices) continue;
    const mine = oldMounts.filter((m) => m.service === name);
    const orphaned = [...new Set(mine.filter((m) => !newVolumes.has(m.volume) && !byProject(m)).map((m) => m.volume))];
    if (orphaned.length === 0) continue;
    for (const v of orphaned) explained.add(v);
    const renamedTo = probableRename(ctx, name, svc.image);
    const keys = [...new Set(mine.filter((m) => orphaned.includes(m.volume)).map((m) => m.key))];
    ctx.report({
      ruleId: 'service-data-orphaned',
      side: 'old',
      service: name,
      path: ['services', name],
      message:
        `service ${name} is ${renamedTo ? `renamed to ${renamedTo}` : 'removed'} in NEW, and no service of NEW ` +
        `mounts its volume${keys.length > 1 ? 's' : ''} ${keys.join(', ')} ` +
        `(${orphaned.join(', ')}): ${renamedTo ? `${renamedTo} starts empty and ` : ''}the data is orphaned`,
    });
  }

  checkAnonymousData(ctx);

  const byVolume = new Map<string, NamedMount[]>();
  for (const m of oldMounts) byVolume.set(m.volume, [...(byVolume.get(m.volume) ?? []), m]);
  for (const [volume, mounts] of byVolume) {
    if (newVolumes.has(volume) || explained.has(volume)) continue;
    const key = mounts[0]!.key;
    const users = [...new Set(mounts.map((m) => m.service))];
    const stillDeclared = key in (ctx.new.model.volumes ?? {});
    ctx.report({
      ruleId: 'volume-removed',
      side: 'old',
      path:
        key in (ctx.old.model.volumes ?? {})
          ? ['volumes', key]
          : ['services', mounts[0]!.service, 'volumes', mounts[0]!.index],
      ...(users.length === 1 ? { service: users[0]! } : {}),
      message:
        `volume ${key} (Docker volume ${volume}) holds the data of ${users.join(', ')} in OLD, but no service of ` +
        `NEW mounts it${stillDeclared ? ' (it is still declared)' : ''}: the data stays on the disk, unread, ` +
        `and ${users.join(', ')} start${users.length === 1 ? 's' : ''} without it`,
    });
  }
}

/**
 * Compare where a service's data directory sits inside its volume, OLD against NEW. Returns true
 * when the service has a known or conventional data directory (then the mount check is done here).
 */
function checkDataDirs(
  ctx: DiffContext,
  service: string,
  oldMounts: NamedMount[],
  newMounts: NamedMount[],
  explained: Set<string>,
): boolean {
  const oldSvc = ctx.old.model.services![service]!;
  const newSvc = ctx.new.model.services![service]!;
  const oldDirs = dataDirs(oldSvc);
  const newDirs = dataDirs(newSvc);
  if (oldDirs.length === 0 || newDirs.length === 0) return false;
  const oldPlace = oldDirs.map((d) => ({ d, p: placeInVolume(oldMounts, service, d.dir) })).find((x) => x.p);
  // OLD kept no data on a volume: nothing to carry over (stateful-no-volume says so in `check`).
  if (!oldPlace?.p) return true;
  const newPlaces = newDirs.map((d) => ({ d, p: placeInVolume(newMounts, service, d.dir) }));
  if (newPlaces.some((x) => x.p && x.p.volume === oldPlace.p!.volume && x.p.rel === oldPlace.p!.rel)) return true;
  if (explained.has(oldPlace.p.volume)) return true;

  const known = oldPlace.d.known && newDirs[0]!.known;
  const first = newPlaces.find((x) => x.p) ?? newPlaces[0]!;
  const where =
    first.d.via in (newSvc.environment ?? {})
      ? { valuePath: ['services', service, 'environment', first.d.via] }
      : { valuePath: ['services', service, 'volumes'] };
  const inVolume = (key: string, rel: string) => (rel ? `${key}/${rel}` : `${key} (its root)`);
  const oldAt = inVolume(oldPlace.p.key, oldPlace.p.rel);
  let message: string;
  let severity: 'error' | 'warning' = 'error';
  if (!first.p) {
    message =
      `${service} keeps its data in ${first.d.dir} (${first.d.via}) in NEW, which no named volume covers; OLD's ` +
      `data is in volume ${oldAt} (${oldPlace.d.dir}): NEW starts empty, and keeps what it writes only until its ` +
      `container is recreated`;
  } else if (first.p.volume === oldPlace.p.volume) {
    message =
      `${service}'s data directory moved inside volume ${first.p.key}: OLD kept it at ${oldAt} ` +
      `(${oldPlace.d.dir}, ${oldPlace.d.via}), NEW looks in ${inVolume(first.p.key, first.p.rel)} ` +
      `(${first.d.dir}, ${first.d.via}): NEW does not see the existing data`;
    if (!known) severity = 'warning';
  } else {
    message =
      `${service} keeps its data in volume ${first.p.key} (${first.d.dir}) in NEW, but OLD's data is in ${oldAt}: ` +
      `NEW does not see the existing data`;
  }
  ctx.report({ ruleId: 'data-dir-moved', side: 'new', service, severity, ...where, message });
  // This finding already says the service leaves OLD's volume behind: no volume-removed for it too.
  const volume = oldPlace.p.volume;
  if (oldMounts.every((m) => m.volume !== volume || m.service === service)) explained.add(volume);
  return true;
}

/** Services of OLD that NEW removes or renames, with anonymous volumes: deleted at the next boot. */
function checkAnonymousData(ctx: DiffContext): void {
  const newServices = ctx.new.model.services ?? {};
  for (const [name, svc] of Object.entries(ctx.old.model.services ?? {})) {
    if (name in newServices) continue;
    const anonymous = (svc.volumes ?? []).filter((v) => isAnonymousVolume(v) && !isThrowawayPath(v.target));
    const unmounted = unmountedDataDir(svc);
    if (anonymous.length === 0 && !unmounted) continue;
    const renamedTo = probableRename(ctx, name, svc.image);
    const where = [
      ...(anonymous.length
        ? [`anonymous volume${anonymous.length > 1 ? 's' : ''} at ${anonymous.map((v) => v.target).join(', ')}`]
        : []),
      ...(unmounted
        ? [`${unmounted}, which no volume covers (the image's anonymous VOLUME or the container's own layer)`]
        : []),
    ].join(' and ');
    ctx.report({
      ruleId: 'service-renamed-anonymous-data',
      side: 'old',
      service: name,
      path: ['services', name],
      message:
        `service ${name} is ${renamedTo ? `renamed to ${renamedTo}` : 'removed'} in NEW and keeps data ` +
        `in ${where}: the next boot removes its container as an orphan and prunes its anonymous volumes, so the ` +
        `data is deleted${renamedTo ? ` and ${renamedTo} starts without it` : ''}`,
    });
  }
}

/**
 * The data directory of a known data store that nothing is mounted over (`the PostgreSQL data
 * directory /var/lib/postgresql/data`): its data lives and dies with the container.
 */
function unmountedDataDir(svc: Service): string | undefined {
  const stateful = statefulService(svc);
  if (!stateful) return undefined;
  const targets = [...(svc.volumes ?? []).map((v) => v.target), ...(svc.tmpfs ?? [])];
  if (stateful.dataDirs.some((dir) => targets.some((t) => pathCovers(t.split(':')[0]!, dir)))) return undefined;
  return `the ${stateful.entry.product} data directory ${stateful.mountAt}`;
}

/** A service new in NEW running the same image repository as a service gone from OLD: probably a rename. */
function probableRename(ctx: DiffContext, _oldName: string, image: string | undefined): string | undefined {
  if (!image) return undefined;
  const path = parseImage(image).path;
  const oldServices = ctx.old.model.services ?? {};
  const candidates = Object.entries(ctx.new.model.services ?? {}).filter(
    ([n, s]) => !(n in oldServices) && s.image && parseImage(s.image).path === path,
  );
  return candidates.length === 1 ? candidates[0]![0] : undefined;
}
