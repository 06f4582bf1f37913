import type { Rule } from '../types.js';

export const publicSysinfo: Rule = {
  id: 'public-sysinfo',
  section: 'logs',
  severity: 'info',
  title: 'Guest system metrics are public (the Phala Cloud default)',
  rationale:
    "With `public_sysinfo: true` (Phala Cloud's default) the guest agent serves its Prometheus `/metrics` to anyone (docs/platform.md#logs-and-sysinfo, docs/platform.md#manifest). That tells outsiders your load, your traffic pattern and what runs inside.",
  fixHint:
    'Set `public_sysinfo: false` unless you want public status; collect metrics with your own exporter behind authentication instead.',
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
  public_sysinfo: true
`,
    good: `deployment:
  public_sysinfo: false
`,
  },
  check(ctx) {
    if (!ctx.deployment.public_sysinfo) return;
    const written = ctx.project.deployment.locations.public_sysinfo !== undefined;
    ctx.report({
      loc: ctx.deploymentLocation('public_sysinfo'),
      message: `public_sysinfo is ${written ? 'true' : 'on (the Phala Cloud default)'}: anyone can read the guest's system metrics`,
    });
  },
};
