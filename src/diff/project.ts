import type { DiffContext } from './context.js';
import { namedMounts, projectName } from './mounts.js';

/** Restart policies dockerd applies at boot: containers of the old project with these come back every boot. */
const RESTORED = new Set(['always', 'unless-stopped']);

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
  const comeBack = Object.entries(ctx.old.model.services ?? {})
    .filter(([, s]) => RESTORED.has(s.restart?.trim() ?? ''))
    .map(([n]) => n);
  const parts = [
    volumes.length
      ? `volume${volumes.length > 1 ? 's' : ''} ${volumes.join(', ')} start${volumes.length > 1 ? '' : 's'} empty`
      : '',
    comeBack.length
      ? `the old project's ${comeBack.join(', ')} (restart: always/unless-stopped) keep${comeBack.length > 1 ? '' : 's'} starting at every boot with the old image and data`
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
