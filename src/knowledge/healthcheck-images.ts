/**
 * Images and healthchecks (for healthcheck-missing). Matched like stateful-images.ts: repository path
 * without registry, or the last path segment for entries without a slash.
 */

/** Images whose Dockerfile declares a HEALTHCHECK: a service using them has one without writing it in compose. */
export const IMAGES_WITH_OWN_HEALTHCHECK: { images: string[]; source: string }[] = [
  {
    images: ['open-webui/open-webui'],
    source: 'https://github.com/open-webui/open-webui/blob/main/Dockerfile (HEALTHCHECK curl /health)',
  },
  {
    images: ['vaultwarden/server'],
    source:
      'https://github.com/dani-garcia/vaultwarden/blob/main/docker/Dockerfile.debian (HEALTHCHECK healthcheck.sh)',
  },
  {
    images: ['jellyfin/jellyfin'],
    source: 'https://github.com/jellyfin/jellyfin-packaging/blob/master/docker/Dockerfile (HEALTHCHECK curl /health)',
  },
  {
    images: ['pihole/pihole'],
    source: 'https://github.com/pi-hole/docker-pi-hole/blob/master/src/Dockerfile (HEALTHCHECK)',
  },
];

/**
 * Log shippers run as sidecars like the metrics exporters in exporters.ts: read, not depended on, so a missing
 * healthcheck on them is not reported unless another service waits for them.
 */
export const LOG_SIDECAR_IMAGES: string[] = ['grafana/promtail', 'fluent/fluent-bit', 'timberio/vector'];
