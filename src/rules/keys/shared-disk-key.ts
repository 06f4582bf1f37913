import type { Rule } from '../types.js';

export const sharedDiskKey: Rule = {
  id: 'shared-disk-key',
  section: 'keys',
  severity: 'warning',
  title: 'no_instance_id: every instance of the app shares one disk key',
  rationale:
    'The data disk is LUKS-encrypted with a key the KMS derives from the app id and the instance id; ' +
    '`no_instance_id: true` empties the instance id, so every instance of the app gets the same disk key ' +
    '(docs/platform.md#volumes). A disk taken from one instance then opens on any other, and one leaked key ' +
    "exposes every replica's data. The gateway also refuses to register a CVM without an instance id, so it gets " +
    'no ingress route (docs/platform.md#ingress; read from the dstack source, not tested).',
  fixHint:
    "Remove `no_instance_id` (or set it to false) unless instances must open each other's disks by design; " +
    'document why if so.',
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
  kms_enabled: true
  no_instance_id: true
`,
    good: `deployment:
  kms_enabled: true
`,
  },
  check(ctx) {
    if (!ctx.deployment.no_instance_id) return;
    ctx.report({
      loc: ctx.deploymentLocation('no_instance_id'),
      message: 'no_instance_id is true: all instances of the app share one disk encryption key',
    });
  },
};
