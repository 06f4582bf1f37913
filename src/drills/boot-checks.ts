import type { BootEvent, BootResult, CvmApp, MixedVersionWindow, Where } from '../cvm/index.js';
import { formatMs } from '../util/format-ms.js';
import type { Finding } from '../findings/types.js';
import { finding } from './checks.js';

/**
 * The drills' findings about a CVM boot (src/cvm/boot.ts): a boot that stopped, an image a boot has
 * to pull again, a bind mount that is not shipped. Each points where the user fixes it.
 */

/** Relative bind mounts: only the compose file reaches the CVM (docs/platform.md#shipped-files). */
export function unshippedBindFindings(app: CvmApp): Finding[] {
  return app.unshippedBinds.map((b) =>
    finding(
      'drill-bind-not-shipped',
      `${b.service} bind-mounts ${b.source} → ${b.target}, but only the compose file is shipped to the CVM: the ` +
        `drill ran it with an empty directory there (under the work dir /dstack, emptied at every boot)`,
      b.where,
      b.service,
    ),
  );
}

/** Where a boot failure is fixed: the pre-launch script, the allowed_envs list, or the compose file. */
function failureWhere(app: CvmApp, step: string): Where {
  const d = app.project.deployment;
  const field = step === 'pre-launch' ? 'pre_launch_script' : step === 'env' ? 'allowed_envs' : undefined;
  const loc = field ? d.locations[field] : undefined;
  if (loc) return { file: loc.file, line: loc.line, column: loc.column };
  if (step === 'pre-launch' || step === 'env')
    return { file: d.file ?? app.where(app.services[0]!).file, line: 1, column: 1 };
  return app.where(app.services[0]!);
}

/** `drill-boot-failed` for a boot that stopped, quoting the script line where it did. */
export function bootFailedFinding(app: CvmApp, result: BootResult, during: string): Finding | undefined {
  if (result.ok || !result.failed) return undefined;
  const { step, reason, at } = result.failed;
  const quoted = at ? ` (script line ${at.line}: \`${at.text}\`)` : '';
  const after =
    step === 'pre-launch' || step === 'env' ? '; `compose up` never ran, so the app was not (re)started' : '';
  const restored = result.restored.length
    ? `; only ${result.restored.map((c) => c.service).join(', ')}, ` +
      'restored by dockerd with the old config, kept running'
    : '';
  return finding(
    'drill-boot-failed',
    `the CVM boot of ${during} stopped at step ${step}: ${reason}${quoted}${after}${restored}`,
    failureWhere(app, step),
  );
}

/** `drill-image-pruned` for each image this boot had to pull again (a rollback after an upgrade). */
export function imagePrunedFindings(app: CvmApp, events: readonly BootEvent[], during: string): Finding[] {
  return events.flatMap((e) =>
    e.type === 'image-pulled-again'
      ? [
          finding(
            'drill-image-pruned',
            `${during} needs ${e.image} for ${e.service}, which boot ${e.prunedAtBoot}'s ` +
              '`docker image prune -af` deleted from the CVM: the CVM pulls it again' +
              (/@sha256:/.test(e.image)
                ? ' (pinned by digest: the registry must still have it)'
                : ', and the tag may have moved or been deleted since') +
              ' (the drill ran the local copy)',
            app.where(e.service),
            e.service,
            /@sha256:/.test(e.image) ? 'info' : undefined,
          ),
        ]
      : [],
  );
}

/**
 * `drill-old-version-served`: the old version ran again during the upgrade (restored by dockerd
 * before `compose up`), answered the drill, or ran alongside the new one. An error when both
 * versions had the same volume mounted read-write while writes were acknowledged; a warning when
 * the old version answered or ran alongside; info when it only ran (no traffic went to it).
 */
export function oldVersionServedFinding(
  app: CvmApp,
  w: MixedVersionWindow,
  boot: BootResult,
  during: string,
): Finding | undefined {
  if (!w.oldRan.length && !w.overlaps.length) return undefined;
  const policies = new Map(boot.restored.map((c) => [c.service, c.policy]));
  const ran = w.oldRan
    .map((r) => `${r.service}${policies.get(r.service) ? ` (restart: ${policies.get(r.service)})` : ''}`)
    .join(', ');
  const parts = [
    `during ${during} the old version of ${ran || w.overlaps.map((o) => o.old).join(', ')} ran again ` +
      `for ${formatMs(w.oldRanMs)} after the upgrade began: dockerd restored it with its old config before the ` +
      `pre-launch script and \`compose up\``,
  ];
  if (w.oldAnswers)
    parts.push(
      `it answered ${w.oldAnswers} of the drill's requests (${w.oldWrites} acknowledged write(s)), the ` +
        `last ${formatMs(w.lastOldAnswerMs ?? 0)} in`,
    );
  for (const o of w.overlaps)
    parts.push(
      `OLD ${o.old} and NEW ${o.new} ran at once ` +
        `for ${formatMs(o.ms)}${o.volumes.length ? `, both with ${o.volumes.join(', ')} mounted read-write` : ''}`,
    );
  for (const b of w.bothWrote)
    parts.push(`${b.writes} write(s) were acknowledged while both versions could write ${b.volume}`);
  const severity = w.bothWrote.length ? 'error' : w.oldAnswers || w.overlapMs ? 'warning' : 'info';
  const service = w.oldRan[0]?.service ?? w.overlaps[0]!.old;
  const where = app.services.includes(service) ? app.where(service) : app.where(app.services[0]!);
  return finding('drill-old-version-served', parts.join('; '), where, service, severity);
}
