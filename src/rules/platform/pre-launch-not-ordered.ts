import { phalaDefaultPreLaunchVersion } from '../../knowledge/phala-pre-launch.js';
import { oldVersionTakes } from '../lib/old-version.js';
import type { Rule } from '../types.js';

/** Restart policies dockerd applies by itself when it starts, before anyone runs compose. */
const RESTARTED_BY_DOCKERD = new Set(['always', 'unless-stopped']);

export const preLaunchNotOrdered: Rule = {
  id: 'pre-launch-not-ordered',
  section: 'platform',
  severity: 'info',
  title: 'Service may start before the pre-launch script has run',
  rationale:
    'The `pre_launch_script` runs after dockerd starts, and dockerd restores `restart: always` containers (and ' +
    '`unless-stopped` ones after an unclean stop) by itself before that, so they may start before the script has ' +
    'prepared what they need (docs/platform.md#boot-sequence, steps 6 and 7; docs/platform.md#pre-launch-script; ' +
    'dstack#1023). The default script of Phala Cloud is not reported: it logs in, prunes, pulls and sets SSH ' +
    'access, nothing a container reads when it starts. Where `restart-serves-old-version` reports the service, ' +
    'its message says this too, so one `restart:` line gets one finding.',
  // Not `depends_on`: dockerd restores the container by itself, without Compose, so no condition holds it back.
  fixHint:
    'Use `restart: on-failure` (dockerd does not start it by itself, so `docker compose up` starts it after the ' +
    "script), or do the preparation in the image's entrypoint, or have the service wait at start for what the " +
    'script prepares (a file or marker) and suppress this finding with that reason. `depends_on` does not help: ' +
    'dockerd restores the container without Compose.',
  example: {
    file: 'app-compose.json',
    beside: {
      '.preflight.yml': `rules:
  restart-serves-old-version: off
`,
    },
    bad: `{
  "manifest_version": 2,
  "name": "shop",
  "runner": "docker-compose",
  "docker_compose_file": "services:\\n  web:\\n    image: ghcr.io/acme/shop:1.4.2\\n    restart: always\\n",
  "pre_launch_script": "#!/bin/sh\\ndocker login -u acme --password-stdin ghcr.io <<< \\"$REGISTRY_TOKEN\\"\\n"
}
`,
    good: `{
  "manifest_version": 2,
  "name": "shop",
  "runner": "docker-compose",
  "docker_compose_file": "services:\\n  web:\\n    image: ghcr.io/acme/shop:1.4.2\\n    restart: on-failure\\n",
  "pre_launch_script": "#!/bin/sh\\ndocker login -u acme --password-stdin ghcr.io <<< \\"$REGISTRY_TOKEN\\"\\n"
}
`,
  },
  check(ctx) {
    const script = ctx.deployment.pre_launch_script;
    if (!script?.trim()) return;
    // Phala Cloud's default script prepares nothing a container reads at start (knowledge/phala-pre-launch.ts).
    if (phalaDefaultPreLaunchVersion(script)) return;
    // One `restart:` line, one finding: restart-serves-old-version's message says this too for the services it reports.
    const saidByOldVersion = ctx.project.config.rules['restart-serves-old-version'] !== 'off';
    for (const [name, svc] of ctx.services) {
      const policy = svc.restart?.trim();
      if (!policy || !RESTARTED_BY_DOCKERD.has(policy)) continue;
      if (saidByOldVersion && oldVersionTakes(ctx.model, name, svc)) continue;
      ctx.report({
        service: name,
        valuePath: ['services', name, 'restart'],
        message: (who) =>
          `${who} ${who.v('has', 'have')} restart: ${policy}, so after a reboot dockerd may ` +
          `start ${who.v('it', 'them')} before the pre_launch_script has run`,
      });
    }
  },
};
