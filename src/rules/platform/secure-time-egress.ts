import type { Rule } from '../types.js';

export const secureTimeEgress: Rule = {
  id: 'secure-time-egress',
  section: 'platform',
  severity: 'info',
  title: '`secure_time` is on: the boot waits for NTP and fails without it',
  rationale:
    "With `secure_time` (dstack's default is `true`) `dstack-util setup` runs `chronyc waitsync` before it asks " +
    'for the app keys, and a clock that does not sync fails the boot (docs/platform.md#boot-sequence, step 2). ' +
    'The CVM therefore needs outbound NTP (UDP 123) to the time servers of its image: a network that blocks it ' +
    'keeps the app from ever starting.',
  fixHint:
    "Allow outbound UDP 123 from the CVM's host network, or set `secure_time: false` if the app does not rely " +
    'on a trusted clock.',
  example: {
    file: '.preflight.yml',
    beside: {
      'docker-compose.yml': `services:
  web:
    image: ghcr.io/acme/shop:1.4.2
    restart: unless-stopped
`,
    },
    bad: `deployment:
  secure_time: true
`,
    good: `deployment:
  secure_time: false
`,
  },
  check(ctx) {
    if (!ctx.deployment.secure_time) return;
    const written = ctx.project.deployment.locations.secure_time !== undefined;
    ctx.report({
      loc: ctx.deploymentLocation('secure_time'),
      message:
        `secure_time is on${written ? '' : " (dstack's default when the manifest does not set it)"}: every boot ` +
        `waits for NTP sync and fails if the CVM cannot reach a time server over UDP 123`,
    });
  },
};
