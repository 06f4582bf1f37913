import { movingTag } from '../../knowledge/moving-tags.js';
import { parseImage } from '../../knowledge/image.js';
import type { Rule } from '../types.js';

export const imageUnpinned: Rule = {
  id: 'image-unpinned',
  section: 'upgrades',
  severity: 'warning',
  title: 'Image without a tag, on `latest`, or on another moving tag',
  rationale:
    'The checklist\'s upgrade flow restarts the CVM and pulls your images, but a tag the CVM already has is not pulled again (platform-facts.md: "Reused image tags not re-pulled on upgrade: bump tags or pin digests"). With `latest`, `main`, `stable`… the upgrade silently keeps the old build, and a new instance or replica may run a different build than the others.',
  fixHint:
    'Use an immutable version tag (`app:1.4.2`) and bump it on every release, or pin a digest (`app:1.4.2@sha256:…`).',
  check(ctx) {
    for (const [name, svc] of ctx.services) {
      // A service with `build:` is built in the CVM; build-in-cvm covers it.
      if (!svc.image || svc.build) continue;
      const ref = parseImage(svc.image);
      if (ref.digest) continue;
      const at = { service: name, valuePath: ['services', name, 'image'] as const };
      if (!ref.tag) {
        ctx.report({
          ...at,
          message: `service "${name}" uses image ${svc.image} without a tag (latest): an upgrade will not pull a newer build`,
        });
        continue;
      }
      const moving = movingTag(ref.tag);
      if (moving)
        ctx.report({
          ...at,
          message: `service "${name}" uses image ${svc.image} on the moving tag "${ref.tag}": an upgrade will not pull a newer build`,
        });
    }
  },
};
