import type { DiffContext } from './context.js';
import { namedMounts, projectName } from './mounts.js';

/**
 * Restart policies under which dockerd starts a container at boot by itself (docs/platform.md#boot-sequence,
 * step 6): `always` at every boot; `unless-stopped` after a forced stop (the clean stop of the upgrade marked
 * it stopped); `on-failure` whenever its last exit code was not 0, which a power cut makes 255.
 */
const AT_EVERY_BOOT = /^always$/;
const AFTER_A_FORCED_STOP = /^(?:unless-stopped|on-failure(?::\d+)?)$/;

/**
 * The compose project name OLD against NEW (docs/platform.md#boot-sequence, step 5, and #volumes):
 * a new name gives prefixed volumes new Docker names and leaves the old project's containers in place.
 */
export function checkProject(ctx: DiffContext): void {
  const before = projectName(ctx.old);
  const after = projectName(ctx.new);
  if (before === after) return;
  const volumes = [
    ...new Map(
      namedMounts(ctx.old)
        .filter((m) => m.prefixed)
        .map((m) => [m.key, m]),
    ).values(),
  ].map((m) => `${m.key} (${m.volume} → ${after}_${m.key})`);
  const withPolicy = (policy: RegExp) =>
    Object.entries(ctx.old.model.services ?? {})
      .filter(([, s]) => policy.test(s.restart?.trim() ?? ''))
      .map(([n, s]) => `${n} (restart: ${s.restart!.trim()})`);
  const always = withPolicy(AT_EVERY_BOOT);
  const forced = withPolicy(AFTER_A_FORCED_STOP);
  const s = (list: string[], one: string, many: string) => (list.length > 1 ? many : one);
  const parts = [
    volumes.length ? `volume${s(volumes, '', 's')} ${volumes.join(', ')} start${s(volumes, 's', '')} empty` : '',
    always.length
      ? `the old project's ${always.join(', ')} ${s(always, 'keeps', 'keep')} starting at every boot with the old ` +
        `image and data`
      : '',
    forced.length
      ? `the old project's ${forced.join(', ')} may come back with the old image at a later boot (after a forced ` +
        `stop${forced.some((f) => f.includes('on-failure')) ? '; on-failure after any exit code other than 0' : ''})`
      : '',
    always.length || forced.length
      ? ''
      : "the old project's containers are left behind (orphan removal only looks at the current project)",
  ].filter(Boolean);
  const inNew = ctx.new.model.name !== undefined;
  ctx.report({
    ruleId: 'project-name-changed',
    side: inNew ? 'new' : 'old',
    path: ['name'],
    message: `the compose project changes from ${before} to ${after}: ${parts.join('; ')}`,
  });
}
