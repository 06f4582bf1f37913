import { oldVersionTakes } from '../lib/old-version.js';
import { pullsAtBoot } from '../lib/pre-launch.js';
import type { Rule } from '../types.js';

export const restartServesOldVersion: Rule = {
  id: 'restart-serves-old-version',
  section: 'upgrades',
  severity: 'info',
  title: '`restart: always` brings the old version back at the start of every upgrade',
  rationale:
    'At every boot dockerd starts `restart: always` containers by itself, with the configuration and image they ' +
    'had (`unless-stopped` ones only after an unclean stop), before the pre-launch script and `docker compose ' +
    'up` recreate them (docs/platform.md#boot-sequence, steps 6–8). During an upgrade the old version therefore ' +
    "answers requests and writes data for a while, possibly against a database that the new version's containers " +
    'are already migrating.',
  fixHint:
    'Use `restart: unless-stopped`: a graceful shutdown runs `docker compose stop`, after which dockerd leaves ' +
    'the container down at boot and `compose up` starts the new version; only a forced stop (power cut) brings ' +
    'it back. `on-failure` is no better: dockerd restarts it whenever its last exit code was not 0, which after ' +
    'a power cut is every container that was running (docs/platform.md#boot-sequence, step 6). Or make the old ' +
    'version safe to run for a while after an upgrade began (no schema it cannot read). `preflight drill ' +
    'upgrade` measures the window.',
  example: {
    bad: `services:
  web:
    image: ghcr.io/acme/shop:1.4.2
    restart: always
    ports:
      - "8080:8080"
`,
    good: `services:
  web:
    image: ghcr.io/acme/shop:1.4.2
    restart: unless-stopped
    ports:
      - "8080:8080"
`,
  },
  check(ctx) {
    const pulls = pullsAtBoot(ctx.project);
    // pre-launch-not-ordered leaves these services to this finding: one `restart:` line, one finding.
    const script = Boolean(ctx.deployment.pre_launch_script?.trim());
    for (const [name, svc] of ctx.services) {
      const what = oldVersionTakes(ctx.model, name, svc);
      if (!what) continue;
      ctx.report({
        service: name,
        valuePath: ['services', name, 'restart'],
        message: (who) =>
          `${who} ${who.v('has', 'have')} restart: always and ${who.v('takes', 'take')} ${what}: in an upgrade ` +
          `dockerd starts ${who.v('its', 'their')} old version at boot, and ${who.v('it keeps', 'they keep')} ` +
          `taking ${what} until compose up recreates ${who.v('it', 'them')}` +
          (pulls ? ' (after the pre-launch script, whose docker compose pull can take minutes)' : '') +
          (script
            ? `; at every reboot ${who.v('it also starts', 'they also start')} before the pre_launch_script has run ` +
              '(pre-launch-not-ordered)'
            : ''),
      });
    }
  },
};
