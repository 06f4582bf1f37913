/**
 * Images whose Dockerfile declares a HEALTHCHECK, for healthcheck-missing: a service that runs one
 * has a healthcheck without writing it in the compose file (Docker runs the image's own unless the
 * service sets `healthcheck: {disable: true}` or `test: ["NONE"]`). Matched with knowledge/image.ts's
 * `matchImage`. Each source is the Dockerfile line, at the commit it was read at.
 */
import type { ImageEntry } from './image.js';

export interface ImageWithHealthcheck extends ImageEntry {
  product: string;
  source: string;
}

const JUPYTER_STACKS = [
  'base-notebook',
  'minimal-notebook',
  'scipy-notebook',
  'r-notebook',
  'julia-notebook',
  'datascience-notebook',
  'pyspark-notebook',
  'all-spark-notebook',
  'tensorflow-notebook',
  'pytorch-notebook',
];

export const IMAGES_WITH_OWN_HEALTHCHECK: readonly ImageWithHealthcheck[] = [
  {
    product: 'Open WebUI',
    images: ['open-webui/open-webui'],
    source:
      'https://github.com/open-webui/open-webui/blob/00a89829a0f3b7c184ff7df2eca16f4252a07c54/Dockerfile ' +
      '(HEALTHCHECK CMD curl --silent --fail http://localhost:${PORT:-8080}/health …)',
  },
  {
    product: 'Paperless-ngx',
    images: ['paperless-ngx/paperless-ngx', 'paperlessngx/paperless-ngx'],
    source:
      'https://github.com/paperless-ngx/paperless-ngx/blob/b0e0e8a35373a5d9d588a507cb63c79e50a23403/Dockerfile#L259',
  },
  {
    product: 'Nextcloud All-in-One (mastercontainer)',
    images: ['nextcloud-releases/all-in-one', 'nextcloud/all-in-one'],
    source:
      'https://github.com/nextcloud/all-in-one/blob/50636f2adcf2dc06b7121f771aca8e03af3fcdbe/Containers/masterco' +
      'ntainer/Dockerfile#L118',
  },
  {
    product: 'Zulip',
    images: ['zulip/zulip-server'],
    source: 'https://github.com/zulip/docker-zulip/blob/3a592adee9e0f6d65fdb580934ce44fd63a5c6cb/Dockerfile#L89-L90',
  },
  {
    product: 'Cal.com',
    images: ['calcom/cal.com'],
    source: 'https://github.com/calcom/docker/blob/4d6a0c425e958e9255c33d872c4975975fe4b074/Dockerfile#L90-L91',
  },
  {
    product: 'Jupyter Docker Stacks',
    images: JUPYTER_STACKS.map((i) => `jupyter/${i}`),
    source:
      'https://github.com/jupyter/docker-stacks/blob/8209386950497966c8a9aa446b9a84a5dd78eab5/images/base-notebo' +
      'ok/Dockerfile#L76-L77 (the other stacks build FROM base-notebook)',
  },
  {
    product: 'Immich server',
    images: ['immich-app/immich-server', 'altran1502/immich-server'],
    source: 'https://github.com/immich-app/immich/blob/main/server/Dockerfile (HEALTHCHECK CMD immich-healthcheck)',
  },
  {
    product: 'Immich machine learning',
    images: ['immich-app/immich-machine-learning', 'altran1502/immich-machine-learning'],
    source:
      'https://github.com/immich-app/immich/blob/main/machine-learning/Dockerfile (HEALTHCHECK CMD python3 ' +
      'healthcheck.py)',
  },
  {
    product: 'authentik',
    images: ['goauthentik/server', 'beryju/authentik'],
    source:
      'https://github.com/goauthentik/authentik/blob/0027813e4b425c638b07946f741345ae170c033d/Dockerfile ' +
      '(HEALTHCHECK … CMD [ "ak", "healthcheck" ])',
  },
  {
    product: 'Uptime Kuma',
    images: ['louislam/uptime-kuma'],
    source:
      'https://github.com/louislam/uptime-kuma/blob/6398a9581d1c3c427a7536559f47ccf45dac08b4/docker/dockerfile#L40',
  },
  {
    product: 'Syncthing',
    images: ['syncthing/syncthing'],
    source: 'https://github.com/syncthing/syncthing/blob/328d910aee822178f55442c76bc7e35ce34d68cc/Dockerfile#L51-L52',
  },
  {
    product: 'Outline',
    images: ['outlinewiki/outline'],
    source: 'https://github.com/outline/outline/blob/d77dcdf853868c5d5fe125c895c9b71f0eff5c68/Dockerfile#L49',
  },
  {
    product: 'Vaultwarden',
    images: ['vaultwarden/server'],
    source:
      'https://github.com/dani-garcia/vaultwarden/blob/46d71107f5094460dd5ecbe1dbac6e6c71e5189a/docker/Dockerfil' +
      'e.debian#L185',
  },
  {
    product: 'Gotify',
    images: ['gotify/server'],
    source: 'https://github.com/gotify/server/blob/d543a8aad22fcbebf25e76d201b4317882b5e148/docker/Dockerfile#L72',
  },
  {
    product: 'Mealie',
    images: ['mealie-recipes/mealie'],
    source:
      'https://github.com/mealie-recipes/mealie/blob/b5643a9399465d8b4ea339e7a6639df2d697741b/docker/Dockerfile#L129',
  },
  {
    product: 'Jellyfin',
    images: ['jellyfin/jellyfin'],
    source:
      'https://github.com/jellyfin/jellyfin-packaging/blob/69a2981c0966d465140e1e1f01c899ac78a30932/docker/Docke' +
      'rfile#L265-L266',
  },
  {
    product: 'Pi-hole',
    images: ['pihole/pihole'],
    source:
      'https://github.com/pi-hole/docker-pi-hole/blob/dd91b4847d97f0aac68bfefd1c108ed0627e6c68/src/Dockerfile#L138',
  },
];

/**
 * Log shippers run as sidecars like the metrics exporters in exporters.ts: read, not depended on, so a missing
 * healthcheck on them is not reported unless another service waits for them.
 */
export const LOG_SIDECAR_IMAGES: readonly (ImageEntry & { product: string })[] = [
  { product: 'Promtail', images: ['grafana/promtail'] },
  { product: 'Fluent Bit', images: ['fluent/fluent-bit'] },
  { product: 'Vector', images: ['timberio/vector'] },
];
