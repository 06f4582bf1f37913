import { dataFormatOf, type DataFormat } from '../knowledge/data-formats.js';
import { parseImage } from '../knowledge/image.js';
import { statefulService } from '../rules/lib/stateful.js';
import type { DiffContext } from './context.js';
import { namedMounts } from './mounts.js';

/** Version numbers of a tag like `16`, `16.2-alpine`, `v8.0.36`; undefined when the tag is not a version. */
export function versionOf(tag: string | undefined): number[] | undefined {
  const m = /^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:[-_+.]|$)/.exec(tag ?? '');
  if (!m) return undefined;
  return [m[1], m[2], m[3]].filter((x) => x !== undefined).map(Number);
}

/** Position of a version in a product's release series (`8.0` in MySQL's list), else its major number. */
function seriesIndex(format: DataFormat | undefined, v: number[]): number {
  if (!format?.series) return v[0]!;
  const majorMinor = `${v[0]}.${v[1] ?? 0}`;
  const exact = format.series.indexOf(majorMinor);
  if (exact >= 0) return exact;
  const byMajor = format.series.indexOf(String(v[0]));
  if (byMajor >= 0) return byMajor;
  // Not listed: place it by its major number after the listed series with a lower major.
  return format.series.filter((s) => Number(s.split('.')[0]) < v[0]!).length - 0.5;
}

function compare(a: number[], b: number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** Stateful images changing version (format not forward compatible, or going back), and the user changing. */
export function checkStateful(ctx: DiffContext): void {
  const newServices = ctx.new.model.services ?? {};
  const oldMountsBy = new Set(namedMounts(ctx.old).map((m) => m.service));
  const newMountsBy = new Set(namedMounts(ctx.new).map((m) => m.service));
  for (const [name, oldSvc] of Object.entries(ctx.old.model.services ?? {})) {
    const newSvc = newServices[name];
    if (!newSvc) continue;
    const oldState = statefulService(oldSvc);
    const newState = statefulService(newSvc);
    if (oldState && newState && oldState.entry.product === newState.entry.product && oldSvc.image && newSvc.image) {
      const product = newState.entry.product;
      const oldTag = parseImage(oldSvc.image).tag;
      const newTag = parseImage(newSvc.image).tag;
      const ov = versionOf(oldTag);
      const nv = versionOf(newTag);
      if (ov && nv) {
        const format = dataFormatOf(product);
        const step = seriesIndex(format, nv) - seriesIndex(format, ov);
        const at = { side: 'new' as const, service: name, valuePath: ['services', name, 'image'] };
        const how = format ? ` ${format.howTo} (${format.source})` : '';
        if (compare(nv, ov) < 0) {
          ctx.report({
            ruleId: 'stateful-downgrade',
            ...at,
            severity: step < 0 ? 'error' : 'warning',
            message:
              `${name} goes back from ${product} ${oldTag} to ${newTag}: data written by the newer version ` +
              (step < 0
                ? 'is generally not readable by an older major version'
                : 'may use features the older release cannot read') +
              '; restore a backup taken before the upgrade instead',
          });
        } else if (step > 0) {
          const upgrade = format?.upgrade ?? (newState.entry.majorUpgradeNeedsMigration ? 'migration' : 'compatible');
          if (upgrade === 'migration') {
            ctx.report({
              ruleId: 'stateful-major-upgrade',
              ...at,
              message:
                `${name} moves from ${product} ${oldTag} to ${newTag}: the new major version cannot open the old ` +
                `data directory as it is.${how || ' Migrate the data first.'}`,
            });
          } else if (upgrade === 'stepwise') {
            const skip = step > 1;
            ctx.report({
              ruleId: 'stateful-major-upgrade',
              ...at,
              severity: skip ? 'error' : 'warning',
              message: skip
                ? `${name} jumps from ${product} ${oldTag} to ${newTag}, skipping a release series: the server ` +
                  `upgrades data in place only from the previous one.${how}`
                : `${name} moves from ${product} ${oldTag} to ${newTag}: the server upgrades the data in place at ` +
                  `first start, and there is no way back without a backup.${how}`,
            });
          }
        }
      }
    }

    const keepsData = !!(oldState || newState) || (oldMountsBy.has(name) && newMountsBy.has(name));
    const oldUser = oldSvc.user === undefined ? undefined : String(oldSvc.user).trim();
    const newUser = newSvc.user === undefined ? undefined : String(newSvc.user).trim();
    if (keepsData && oldUser !== newUser) {
      const shown = (u: string | undefined) => (u === undefined ? "the image's default user" : `user ${u}`);
      ctx.report({
        ruleId: 'user-changed',
        side: 'new',
        service: name,
        ...(newUser !== undefined ? { valuePath: ['services', name, 'user'] } : { path: ['services', name] }),
        message:
          `${name} runs as ${shown(newUser)} in NEW instead of ${shown(oldUser)}: files it wrote before keep ` +
          `their owner and may be unreadable or read-only to the new user`,
      });
    }
  }
}
