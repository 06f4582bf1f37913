import { isReadOnly } from '../lib/volumes.js';
import { isOneShot, servesTraffic } from '../lib/services.js';
import { statefulService } from '../lib/stateful.js';
import { pullsAtBoot } from '../lib/pre-launch.js';
import type { Service } from '../../compose/types.js';
import type { Rule } from '../types.js';

/**
 * What the service does that its old version would keep doing during an upgrade, if anything. A data
 * store of the stateful-image table is left out: its old version serving until it is recreated is what
 * any upgrade of it does, and whether the new version reads its data is `preflight diff`'s question.
 * An application of that table (Gitea, Nextcloud…) is not: its old version writes.
 */
function takes(svc: Service): string | undefined {
  const stateful = statefulService(svc);
  if (stateful && !stateful.entry.application) return undefined;
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
    "At every boot dockerd starts `restart: always` containers by itself, with the configuration and image they had (`unless-stopped` ones only after an unclean stop), before the pre-launch script and `docker compose up` recreate them (docs/platform.md#boot-sequence, steps 6–8). During an upgrade the old version therefore answers requests and writes data for a while, possibly against a database that the new version's containers are already migrating.",
  fixHint:
    'Use `restart: unless-stopped`: a graceful shutdown runs `docker compose stop`, after which dockerd leaves the container down at boot and `compose up` starts the new version; only a forced stop (power cut) brings it back. `on-failure` is no better: dockerd restarts it whenever its last exit code was not 0, which after a power cut is every container that was running (docs/platform.md#boot-sequence, step 6). Or make the old version safe to run for a while after an upgrade began (no schema it cannot read). `preflight drill upgrade` measures the window.',
  check(ctx) {
    const pulls = pullsAtBoot(ctx.project);
    for (const [name, svc] of ctx.services) {
      if (svc.restart?.trim() !== 'always' || isOneShot(ctx.model, name, svc)) continue;
      const what = takes(svc);
      if (!what) continue;
      ctx.report({
        service: name,
        valuePath: ['services', name, 'restart'],
        message: (who) =>
          `${who} ${who.v('has', 'have')} restart: always and ${who.v('takes', 'take')} ${what}: in an upgrade dockerd starts ${who.v('its', 'their')} old version at boot, and ${who.v('it keeps', 'they keep')} taking ${what} until compose up recreates ${who.v('it', 'them')}${pulls ? ' (after the pre-launch script, whose docker compose pull can take minutes)' : ''}`,
      });
    }
  },
};
