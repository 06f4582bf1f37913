import { writtenImage } from '../lib/image.js';
import { pullsAtBoot } from '../lib/pre-launch.js';
import type { Rule } from '../types.js';
import { movingTagOf, PULLED_AT_BOOT } from './mutable-tag-pulled-at-boot.js';

export const imageUnpinned: Rule = {
  id: 'image-unpinned',
  section: 'upgrades',
  severity: 'warning',
  title: 'Image without a tag, on `latest`, or on another moving tag',
  rationale:
    "What runs depends on when the tag was pulled. dstack's `compose up` does not pull a tag the CVM already " +
    "has, so without a pull the upgrade silently keeps the old build; Phala Cloud's default pre-launch script " +
    'pulls at every boot instead, so any restart can switch builds (docs/platform.md#pre-launch-script, ' +
    '#boot-sequence). Either way instances and replicas may run different builds under one compose hash.',
  fixHint:
    'Use an immutable version tag (`app:1.4.2`) and bump it on every release, or pin a digest (`app:1.4.2@sha256:…`).',
  example: {
    bad: `services:
  web:
    image: ghcr.io/acme/shop:latest
    restart: unless-stopped
`,
    good: `services:
  web:
    image: ghcr.io/acme/shop:1.4.2
    restart: unless-stopped
`,
  },
  check(ctx) {
    const pulls = pullsAtBoot(ctx.project);
    for (const [name, svc] of ctx.services) {
      const tag = movingTagOf(svc);
      if (!tag) continue;
      // A tag or digest that comes from a variable is image-from-variable's finding.
      const image = writtenImage(ctx.project, name, svc.image)!;
      if (!image.literalVersion) continue;
      const shown = svc.image;
      const what = image.ref.tag ? `on the moving tag "${tag}"` : 'without a tag (latest)';
      const consequence = pulls
        ? `${PULLED_AT_BOOT} (mutable-tag-pulled-at-boot)`
        : 'an upgrade will not pull a newer build';
      ctx.report({
        service: name,
        valuePath: ['services', name, 'image'],
        messageId: image.ref.tag ? 'movingTag' : 'noTag',
        message: (who) => `${who} ${who.v('uses', 'use')} image ${shown} ${what}: ${consequence}`,
      });
    }
  },
};
