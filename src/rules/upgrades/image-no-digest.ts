import { parseImage } from '../../knowledge/image.js';
import type { Rule } from '../types.js';

export const imageNoDigest: Rule = {
  id: 'image-no-digest',
  section: 'upgrades',
  severity: 'info',
  title: 'Image not pinned by digest',
  rationale:
    'The compose hash that attestation shows is the sha256 of app-compose.json: it attests the compose text, not what an image tag points at (platform-facts.md, "compose hash"). A tag can be moved to a different build without changing the hash, and a tag the CVM already has is not re-pulled on upgrade. Only `@sha256:` makes the attested compose name one exact image.',
  fixHint:
    'Pin the digest: `image: app:1.4.2@sha256:<digest>` (`docker buildx imagetools inspect app:1.4.2` shows it).',
  check(ctx) {
    for (const [name, svc] of ctx.services) {
      if (!svc.image || svc.build) continue;
      const ref = parseImage(svc.image);
      if (ref.digest?.startsWith('sha256:')) continue;
      ctx.report({
        service: name,
        valuePath: ['services', name, 'image'],
        message: `service "${name}" uses image ${svc.image} without a @sha256: digest, so the attested compose does not fix which image runs`,
      });
    }
  },
};
