import type { Rule } from '../types.js';

export const sharedDiskKey: Rule = {
  id: 'shared-disk-key',
  section: 'keys',
  severity: 'warning',
  title: 'no_instance_id: every instance of the app shares one disk key',
  rationale:
    "The persistent disk is LUKS-encrypted with a key from the KMS that is per instance; `no_instance_id: true` empties the instance id, so all instances of the app share one disk key (platform-facts.md, app-compose.json fields). A disk taken from one instance then opens on any other, and one leaked key exposes every replica's data.",
  fixHint:
    "Remove `no_instance_id` (or set it to false) unless instances must open each other's disks by design; document why if so.",
  check(ctx) {
    if (!ctx.deployment.no_instance_id) return;
    ctx.report({
      loc: ctx.deploymentLocation('no_instance_id'),
      message: 'no_instance_id is true: all instances of the app share one disk encryption key',
    });
  },
};
