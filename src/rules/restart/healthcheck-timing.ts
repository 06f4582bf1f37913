import { formatDuration, healthcheckState, healthcheckTimings } from '../lib/healthcheck.js';
import { statefulService } from '../lib/stateful.js';
import type { Service } from '../../compose/types.js';
import type { Rule } from '../types.js';

/** The services that wait for `target` to be healthy before they start. */
function waitsHealthy(services: readonly [string, Service][], target: string): string[] {
  return services
    .filter(([, svc]) => {
      const dep = svc.depends_on?.[target];
      return dep?.condition === 'service_healthy';
    })
    .map(([name]) => name);
}

/**
 * How long a slow starter gets before its healthcheck may call it unhealthy when no start_period is set
 * (interval × retries): first boot initialises the database and an unclean stop means crash recovery,
 * which take longer than this on a CVM's encrypted disk.
 */
const SLOW_START_GRACE_MS = 60_000;
/** Beyond this, a broken service is noticed too late to matter (retries × interval). */
const MAX_SENSIBLE_INTERVAL_MS = 5 * 60_000;

export const healthcheckTiming: Rule = {
  id: 'healthcheck-timing',
  section: 'restart',
  severity: 'warning',
  title: 'Healthcheck timings that do not do what they seem to',
  rationale:
    'After every CVM restart or upgrade all services start at once (docs/platform.md#boot-sequence). A slow ' +
    'starter without start_period is marked unhealthy during initialisation or crash recovery and services ' +
    'waiting on it fail to start; retries: 0 silently means 3; with an interval of many minutes and no ' +
    'start_period the first probe runs that long after start, and services waiting for it to be healthy wait as ' +
    'long at every boot. A timeout at or above the interval is not flagged: Docker starts the next probe when ' +
    'the previous one ends, so it hides nothing.',
  fixHint:
    'Keep retries ≥ 1, give slow starters a `start_period` (e.g. `start_period: 1m`), and keep the interval of ' +
    'a service others wait for to seconds or a minute (or give it a start_period).',
  example: {
    bad: `services:
  db:
    image: postgres:16.4
    volumes:
      - pgdata:/var/lib/postgresql/data
    healthcheck:
      test: ["CMD-SHELL", "pg_isready -U postgres"]
      interval: 5s
      retries: 3
volumes:
  pgdata:
`,
    good: `services:
  db:
    image: postgres:16.4
    volumes:
      - pgdata:/var/lib/postgresql/data
    healthcheck:
      test: ["CMD-SHELL", "pg_isready -U postgres"]
      interval: 5s
      retries: 3
      start_period: 60s
volumes:
  pgdata:
`,
  },
  check(ctx) {
    for (const [name, svc] of ctx.services) {
      const state = healthcheckState(svc);
      if (state !== 'defined' && state !== 'inherited') continue;
      const hc = svc.healthcheck!;
      const t = healthcheckTimings(svc);
      if (!t) continue; // a duration Compose refuses: compose-invalid reports it
      const at = (key: string) => ['services', name, 'healthcheck', key];

      if (typeof hc.retries === 'number' && hc.retries < 1) {
        ctx.report({
          service: name,
          path: at('retries'),
          messageId: 'retriesIgnored',
          message: (who) =>
            `${who} ${who.v('sets', 'set')} healthcheck retries: ${hc.retries}, which Docker ignores (it uses ` +
            `the default of 3)`,
        });
      }
      // Docker runs the first probe one interval after the container starts (every start_interval
      // during a start_period, Docker 25+), so a long interval only hurts at boot, where a service
      // waiting for it to be healthy waits that long; a slow probe rate on its own is a choice.
      // Who waits is asked only of a late first probe: asked of every service, it is a scan of all services each.
      const late = t.intervalMs > MAX_SENSIBLE_INTERVAL_MS && t.startPeriodMs === 0;
      const waiting = late ? waitsHealthy(ctx.services, name) : [];
      if (waiting.length) {
        const names = waiting.map((w) => `"${w}"`).join(', ');
        ctx.report({
          service: name,
          path: at('interval'),
          messageId: 'firstProbeLate',
          message: (who) =>
            `${who} ${who.v('probes its', 'probe their')} health every ${formatDuration(t.intervalMs)} with no ` +
            `start_period, and ${names} ${waiting.length > 1 ? 'wait' : 'waits'} for it to be healthy: the first ` +
            `probe runs ${formatDuration(t.intervalMs)} after start, so every boot waits that long`,
        });
      }
      const stateful = statefulService(svc);
      if (stateful?.entry.slowStart && t.startPeriodMs === 0 && t.intervalMs * t.retries < SLOW_START_GRACE_MS) {
        ctx.report({
          service: name,
          path: ['services', name, 'healthcheck'],
          messageId: 'noStartPeriod',
          message: (who) =>
            `${who} (${stateful.entry.product}) ${who.v('starts', 'start')} slowly but ${who.v('its', 'their')} ` +
            `healthcheck has no start_period: ${who.v('it is', 'they are')} marked unhealthy ` +
            `after ${formatDuration(t.intervalMs * t.retries)} of startup or crash recovery`,
        });
      }
    }
  },
};
