import { parseImage } from '../../knowledge/image.js';
import { movingTag } from '../../knowledge/moving-tags.js';
import type { Service } from '../../compose/types.js';
import { pullsAtBoot } from '../lib/pre-launch.js';
import type { Rule } from '../types.js';

/**
 * The moving tag a service's image is on (`latest` when it has none); undefined for pinned, versioned or built images.
 */
export function movingTagOf(svc: Service): string | undefined {
  // A service with `build:` is built in the CVM; build-in-cvm covers it.
  if (!svc.image || svc.build) return undefined;
  const ref = parseImage(svc.image);
  if (ref.digest) return undefined;
  if (!ref.tag) return 'latest';
  return movingTag(ref.tag) ? ref.tag : undefined;
}

/**
 * What a boot does with a moving tag when the deployment pulls at boot: said by image-unpinned's message, or by this
 * rule.
 */
export const PULLED_AT_BOOT =
  "Phala Cloud's default pre-launch script pulls it again at every boot, so any restart can silently switch to " +
  'whatever build the tag points at then';

export const mutableTagPulledAtBoot: Rule = {
  id: 'mutable-tag-pulled-at-boot',
  section: 'upgrades',
  severity: 'warning',
  title: 'A moving image tag that every boot pulls again: a restart can silently upgrade',
  rationale:
    "Phala Cloud's default pre-launch script runs `docker compose pull` at every boot since v0.0.15 " +
    '(docs/platform.md#pre-launch-script), so a restart or a move to another host picks up whatever build a ' +
    "moving tag points at by then, with the same compose hash. dstack's own `compose up` does not pull a tag it " +
    'has. Where `image-unpinned` reports the image, its message says this too, so one image gets one finding; ' +
    'this rule reports it by itself when `image-unpinned` is turned off.',
  fixHint: 'Pin the build: an immutable version tag bumped on every release, or a digest (`app:1.4.2@sha256:…`).',
  example: {
    file: 'docker-compose.yml',
    beside: {
      '.preflight.yml': `rules:
  image-unpinned: off
`,
    },
    bad: `services:
  web:
    image: ghcr.io/acme/shop:latest
`,
    good: `services:
  web:
    image: ghcr.io/acme/shop:1.4.2
`,
  },
  check(ctx) {
    // One image, one finding: image-unpinned's message carries this whenever that rule runs.
    if (ctx.project.config.rules['image-unpinned'] !== 'off' || !pullsAtBoot(ctx.project)) return;
    for (const [name, svc] of ctx.services) {
      const tag = movingTagOf(svc);
      if (!tag) continue;
      ctx.report({
        service: name,
        valuePath: ['services', name, 'image'],
        message: (who) =>
          `${who} ${who.v('uses', 'use')} image ${svc.image} on the moving tag "${tag}": ${PULLED_AT_BOOT}`,
      });
    }
  },
};
