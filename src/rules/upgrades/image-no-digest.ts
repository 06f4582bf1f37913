import { movingTag } from '../../knowledge/moving-tags.js';
import { writtenImage } from '../lib/image.js';
import type { Rule } from '../types.js';
import type { FixContext, FixOutcome, FixTarget } from '../fix-types.js';

export const imageNoDigest: Rule = {
  id: 'image-no-digest',
  section: 'upgrades',
  severity: 'info',
  title: 'Version-tagged image not pinned by digest',
  rationale:
    'The compose hash that attestation shows is the sha256 of app-compose.json: it attests the compose text, ' +
    'not what an image tag points at (docs/platform.md#compose-hash). A registry can move even a version tag to ' +
    "a different build, and the CVM pulls tags at boot (Phala Cloud's default pre-launch script runs `docker " +
    'compose pull`, docs/platform.md#pre-launch-script). Only `@sha256:` makes the attested compose name one ' +
    "exact image (docs/platform.md#images). Images with no tag or a moving tag are image-unpinned's finding, not " +
    'this one.',
  fixHint:
    'Pin the digest: `image: app:1.4.2@sha256:<digest>` (`docker buildx imagetools inspect app:1.4.2` shows it).',
  fix: fixImageNoDigest,
  example: {
    bad: `services:
  web:
    image: ghcr.io/acme/shop:1.4.2
`,
    good: `services:
  web:
    image: ghcr.io/acme/shop:1.4.2@sha256:9b2a7c4e1f0d3b5a6c8e7f9d1b3a5c7e9f0b2d4a6c8e0f1b3d5a7c9e1f3b5d7a
`,
  },
  check(ctx) {
    for (const [name, svc] of ctx.services) {
      if (svc.build) continue;
      const image = writtenImage(ctx.project, name, svc.image);
      if (!image?.literalVersion) continue;
      const { tag, digest } = image.ref;
      if (digest?.startsWith('sha256:') || !tag || movingTag(tag)) continue;
      const shown = svc.image;
      ctx.report({
        service: name,
        valuePath: ['services', name, 'image'],
        messageId: 'noDigest',
        message: (who) =>
          `${who} ${who.v('uses', 'use')} image ${shown} without a @sha256: digest, so the attested compose ` +
          `does not fix which build runs`,
      });
    }
  },
};

/**
 * `image: name:tag@sha256:…` with the digest the user supplied (`--digest`, `--lock`); none supplied, none invented.
 */
function fixImageNoDigest(ctx: FixContext, { report }: FixTarget): FixOutcome {
  const name = report.service!;
  const svc = ctx.project.model.services?.[name];
  const image = svc && writtenImage(ctx.project, name, svc.image);
  if (!svc?.image || !image) return ctx.refuse(`service "${name}" has no image`);
  if (image.refs.length)
    ctx.refuse(`image ${image.written} is built from \${…} variables; pin the digest where they are set`);
  const digest = ctx.digestFor(image.written) ?? ctx.digestFor(svc.image);
  if (!digest) ctx.refuse(`no digest given for ${image.written} (--digest ${image.written}=sha256:… or --lock FILE)`);
  ctx.service(name).set(['image'], `${image.written}@${digest}`);
  return { description: `pin image ${image.written} of service "${name}" to ${digest.slice(0, 19)}…` };
}
