import type { Rule } from '../types.js';

export const publicSysinfo: Rule = {
  id: 'public-sysinfo',
  section: 'logs',
  severity: 'info',
  title: 'Guest system metrics are public (the Phala Cloud default)',
  optIn: true,
  rationale:
    "With `public_sysinfo: true` (Phala Cloud's default) the guest agent serves its Prometheus `/metrics` and " +
    'the system part of its dashboard to anyone: OS and kernel version, CPU model, memory, swap, load, uptime ' +
    'and data-disk use (docs/platform.md#logs-and-sysinfo, docs/platform.md#manifest). That tells outsiders your ' +
    'load and traffic pattern, nothing about your data, and the container list is shown either way. Opt-in ' +
    '(`rules: { public-sysinfo: info }`): for most apps it is a public status page Phala turns on on purpose.',
  fixHint:
    'Set `public_sysinfo: false` unless you want public status; collect metrics with your own exporter behind ' +
    'authentication instead.',
  example: {
    file: '.preflight.yml',
    beside: {
      'docker-compose.yml': `services:
  web:
    image: ghcr.io/acme/shop:1.4.2
    restart: unless-stopped
`,
    },
    bad: `rules:
  public-sysinfo: info
deployment:
  public_sysinfo: true
`,
    good: `rules:
  public-sysinfo: info
deployment:
  public_sysinfo: false
`,
  },
  check(ctx) {
    if (!ctx.deployment.public_sysinfo) return;
    const written = ctx.project.deployment.locations.public_sysinfo !== undefined;
    ctx.report({
      loc: ctx.deploymentLocation('public_sysinfo'),
      message:
        `public_sysinfo is ${written ? 'true' : 'on (the Phala Cloud default)'}: anyone can read the guest's ` +
        `system metrics`,
    });
  },
};
