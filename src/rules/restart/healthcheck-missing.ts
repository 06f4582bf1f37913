import { EXPORTER_IMAGES, PROMETHEUS_EXPORTER_NAME } from '../../knowledge/exporters.js';
import { IMAGES_WITH_OWN_HEALTHCHECK, LOG_SIDECAR_IMAGES } from '../../knowledge/healthcheck-images.js';
import { matchImage, parseImage } from '../../knowledge/image.js';
import { healthcheckState } from '../lib/healthcheck.js';
import { dependentsOf, isOneShot, servesTraffic } from '../lib/services.js';
import { keyWritten } from '../lib/written.js';
import type { Rule } from '../types.js';
import type { FixContext, FixOutcome, FixTarget } from '../fix-types.js';
import { PROBE_TEMPLATES, PROBE_TIMINGS, SLOW_START_PERIOD } from '../../knowledge/fix-templates.js';

export const healthcheckMissing: Rule = {
  id: 'healthcheck-missing',
  section: 'restart',
  severity: 'warning',
  title: 'Service that serves traffic or is depended on has no healthcheck',
  rationale:
    'After every CVM restart and upgrade all containers start at once; without a healthcheck, dependents cannot ' +
    'wait for the service to be ready and nothing shows that it is up but not working (the gateway routes to ' +
    'instances before they are healthy: dstack PR 1079). The checklist asks services to expose health endpoints ' +
    'for monitoring.',
  fixHint:
    "Add a `healthcheck:` with a cheap readiness probe that fits the service (its database client's ping, or " +
    "the app's own health endpoint), unless the image already declares a HEALTHCHECK.",
  fix: fixHealthcheckMissing,
  example: {
    bad: `services:
  web:
    image: ghcr.io/acme/shop:1.4.2
    restart: unless-stopped
    ports:
      - "8080:8080"
`,
    good: `services:
  web:
    image: ghcr.io/acme/shop:1.4.2
    restart: unless-stopped
    ports:
      - "8080:8080"
    healthcheck:
      test: ["CMD", "wget", "-qO-", "http://localhost:8080/healthz"]
      interval: 10s
      timeout: 5s
      retries: 5
`,
  },
  check(ctx) {
    for (const [name, svc] of ctx.services) {
      if (healthcheckState(svc) !== 'none' || isOneShot(ctx.model, name, svc)) continue;
      if (matchImage(IMAGES_WITH_OWN_HEALTHCHECK, svc.image)) continue;
      const dependents = dependentsOf(ctx.model, name).filter(
        ([other]) => other !== name && other in (ctx.model.services ?? {}),
      );
      const waitsHealthy = dependents
        .filter(([, s]) => s.depends_on?.[name]?.condition === 'service_healthy')
        .map(([other]) => other);
      // A dependent that wrote its condition (service_started, service_completed_successfully) chose not
      // to wait for health: the healthcheck would be for nobody (docs/decisions.md, explicit service_started).
      const waiting = dependents.filter(
        ([other, s]) =>
          s.depends_on?.[name]?.condition === 'service_healthy' ||
          !keyWritten(ctx.project, ['services', other, 'depends_on', name, 'condition']),
      );
      const traffic = servesTraffic(svc);
      if (!traffic && waiting.length === 0) continue;
      // Sidecars the checklist recommends (exporters, collectors, log shippers) are scraped, not waited for.
      if (waiting.length === 0 && svc.image && isMonitoringSidecar(svc.image)) continue;
      const unseen = 'unless its image declares a HEALTHCHECK, which this check cannot see';
      const message = waitsHealthy.length
        ? `service "${waitsHealthy[0]}" waits for "${name}" to be healthy, but "${name}" has no healthcheck in ` +
          `the compose file; ${unseen}, compose will not start "${waitsHealthy[0]}"`
        : `service "${name}" ${traffic ? 'serves traffic' : `is depended on by "${waiting[0]![0]}"`} but has no ` +
          `healthcheck (${unseen})`;
      // The hint names a probe only where the product documents one (no pg_isready for Caddy).
      const probe = matchImage(PROBE_TEMPLATES, svc.image);
      const hint = probe
        ? `Add ${probe.product}'s readiness probe: \`healthcheck: { test: ${JSON.stringify(probe.test)} ` +
          `}\`${probe.slowStart ? ' with a `start_period`' : ''}.`
        : `Add a \`healthcheck:\` that checks what "${name}" serves (its health endpoint or port, with a client ` +
          `its image ships), unless ${svc.image ? `image ${svc.image}` : 'its image'} already declares a ` +
          `HEALTHCHECK.`;
      ctx.report({ service: name, path: ['services', name], message, hint });
    }
  },
};

function isMonitoringSidecar(image: string): boolean {
  return (
    matchImage([...EXPORTER_IMAGES, ...LOG_SIDECAR_IMAGES], image) !== undefined ||
    PROMETHEUS_EXPORTER_NAME.test(parseImage(image).name)
  );
}

/** The documented probe of a known image (knowledge/fix-templates.ts); for any other image, none is invented. */
function fixHealthcheckMissing(ctx: FixContext, { report }: FixTarget): FixOutcome {
  const name = report.service!;
  const image = ctx.project.model.services?.[name]?.image;
  const probe = matchImage(PROBE_TEMPLATES, image);
  if (!probe)
    return ctx.refuse(
      `no probe is known for ${image ? `image ${image}` : 'a service without an image'}; write one that checks ` +
        `the app's own health`,
    );
  ctx.service(name).set(['healthcheck'], {
    test: probe.test,
    ...PROBE_TIMINGS,
    ...(probe.slowStart ? { start_period: SLOW_START_PERIOD } : {}),
  });
  return {
    description: `add ${probe.product}'s readiness probe to service "${name}" (${probe.test.slice(1).join(' ')})`,
    changesBehaviour:
      `Docker marks "${name}" unhealthy while the probe fails; services waiting for it to be healthy start only ` +
      `once it passes`,
  };
}
