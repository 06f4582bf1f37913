import type { Rule } from '../types.js';

/** Phala Cloud's cap on compose text + pre-launch script (platform-facts.md: "about 200 KB"). */
export const COMPOSE_SIZE_LIMIT = 200 * 1024;
/** Warn from this share of the cap on: the next feature or an inlined config pushes it over. */
export const COMPOSE_SIZE_WARN_RATIO = 0.8;

export const composeTooLarge: Rule = {
  id: 'compose-too-large',
  section: 'upgrades',
  severity: 'error',
  title: 'Compose file plus pre-launch script over (or near) the ~200 KB platform cap',
  rationale:
    'Phala Cloud caps the compose file plus the pre-launch script at about 200 KB (platform-facts.md). Over it, a deploy or an upgrade is refused; apps grow there by inlining configs and scripts, which is also what moves them close to it before an upgrade.',
  fixHint:
    'Move large inline configs and scripts into the image (or fetch them at start from a pinned, verified URL); keep the compose file to service definitions.',
  check(ctx) {
    const composeBytes = ctx.project.composeFiles.reduce(
      (sum, f) => sum + Buffer.byteLength(ctx.project.sources.get(f)?.text ?? '', 'utf8'),
      0,
    );
    const scriptBytes = Buffer.byteLength(ctx.deployment.pre_launch_script ?? '', 'utf8');
    const total = composeBytes + scriptBytes;
    if (total < COMPOSE_SIZE_LIMIT * COMPOSE_SIZE_WARN_RATIO) return;
    const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
    const parts = scriptBytes
      ? `compose ${kb(composeBytes)} + pre_launch_script ${kb(scriptBytes)} = ${kb(total)}`
      : `the compose file is ${kb(composeBytes)}`;
    const over = total > COMPOSE_SIZE_LIMIT;
    ctx.report({
      loc: ctx.deploymentLocation(
        ctx.project.deployment.source === 'app-compose.json' ? 'docker_compose_file' : undefined,
      ),
      severity: over ? 'error' : 'warning',
      message: over
        ? `${parts}, over Phala Cloud's ~${kb(COMPOSE_SIZE_LIMIT)} cap: the deploy is refused`
        : `${parts}, ${Math.round((total / COMPOSE_SIZE_LIMIT) * 100)}% of Phala Cloud's ~${kb(COMPOSE_SIZE_LIMIT)} cap`,
    });
  },
};
