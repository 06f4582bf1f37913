import { isReadOnly } from '../lib/volumes.js';
import { isOneShot, servesTraffic } from '../lib/services.js';
import { statefulService } from '../lib/stateful.js';
import { pullsAtBoot } from '../lib/pre-launch.js';
import type { Service } from '../../compose/types.js';
import type { Rule } from '../types.js';

/**
 * Products of the stateful-image table that are applications (their releases migrate their own
 * schema); every other entry is a data store, left out: its old version serving until it is
 * recreated is what any upgrade of it does, and whether the new version reads its data is
 * `preflight diff`'s question.
 */
const APPLICATIONS = new Set(['Gitea', 'Forgejo', 'Nextcloud', 'WordPress', 'Ghost', 'n8n', 'Open WebUI', 'Grafana']);

/** What the service does that its old version would keep doing during an upgrade, if anything. */
function takes(svc: Service): string | undefined {
  const stateful = statefulService(svc);
  if (stateful && !APPLICATIONS.has(stateful.entry.product)) return undefined;
  if (servesTraffic(svc)) return 'traffic';
  if (stateful) return 'writes';
  if ((svc.volumes ?? []).some((v) => v.type === 'volume' && v.source && !isReadOnly(v))) return 'writes';
  return undefined;
}

export const restartServesOldVersion: Rule = {
  id: 'restart-serves-old-version',
  section: 'upgrades',
  severity: 'info',
  title: '`restart: always` brings the old version back at the start of every upgrade',
  rationale:
    "At every boot dockerd starts `restart: always` containers by itself, with the configuration and image they had (and `unless-stopped` ones after an unclean stop), before the pre-launch script and `docker compose up` recreate them (docs/platform.md#boot-sequence, steps 6–8). During an upgrade the old version therefore answers requests and writes data for a while, possibly against a database that the new version's containers are already migrating.",
  fixHint:
    'Use `restart: on-failure` (dockerd does not start it at boot; `compose up` does, with the new version), or make the old version safe to run for a while after an upgrade began (no schema it cannot read). `preflight drill upgrade` measures the window.',
  check(ctx) {
    const pulls = pullsAtBoot(ctx.project);
    for (const [name, svc] of ctx.services) {
      if (svc.restart?.trim() !== 'always' || isOneShot(ctx.model, name, svc)) continue;
      const what = takes(svc);
      if (!what) continue;
      ctx.report({
        service: name,
        valuePath: ['services', name, 'restart'],
        message: `service "${name}" has restart: always and takes ${what}: in an upgrade dockerd starts its old version at boot, and it keeps taking ${what} until compose up recreates it${pulls ? ' (after the pre-launch script, whose docker compose pull can take minutes)' : ''}`,
      });
    }
  },
};
