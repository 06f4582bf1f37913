import { formatDuration, healthcheckState, healthcheckTimings } from '../lib/healthcheck.js';
import { statefulService } from '../lib/stateful.js';
import type { Rule } from '../types.js';

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
    'After every CVM restart or upgrade all services start at once (checklist: "the entire CVM and all containers in your Compose will reboot"). A slow starter without start_period is marked unhealthy during initialisation or crash recovery and services waiting on it fail to start; retries: 0 silently means 3; a timeout at or over the interval or an interval of many minutes hides a hung service.',
  fixHint:
    'Keep timeout below interval, retries ≥ 1, an interval of seconds to a minute, and give slow starters a `start_period` (e.g. `start_period: 1m`).',
  check(ctx) {
    for (const [name, svc] of ctx.services) {
      const state = healthcheckState(svc);
      if (state !== 'defined' && state !== 'inherited') continue;
      const hc = svc.healthcheck!;
      const t = healthcheckTimings(svc);
      const at = (key: string) => ['services', name, 'healthcheck', key];

      if ((hc.timeout !== undefined || hc.interval !== undefined) && t.timeoutMs >= t.intervalMs) {
        ctx.report({
          service: name,
          path: at(hc.timeout !== undefined ? 'timeout' : 'interval'),
          severity: 'info',
          message: `service "${name}" has a healthcheck timeout of ${formatDuration(t.timeoutMs)}${hc.timeout === undefined ? ' (the default)' : ''}, not below its interval of ${formatDuration(t.intervalMs)}; a hung probe delays the next one`,
        });
      }
      if (typeof hc.retries === 'number' && hc.retries < 1) {
        ctx.report({
          service: name,
          path: at('retries'),
          message: `service "${name}" sets healthcheck retries: ${hc.retries}, which Docker ignores (it uses the default of 3)`,
        });
      }
      if (t.intervalMs > MAX_SENSIBLE_INTERVAL_MS) {
        ctx.report({
          service: name,
          path: at('interval'),
          message: `service "${name}" probes its health every ${formatDuration(t.intervalMs)}, so a broken service is noticed only after ${formatDuration(t.intervalMs * t.retries)}`,
        });
      }
      const stateful = statefulService(svc);
      if (stateful?.entry.slowStart && t.startPeriodMs === 0 && t.intervalMs * t.retries < SLOW_START_GRACE_MS) {
        ctx.report({
          service: name,
          path: ['services', name, 'healthcheck'],
          message: `service "${name}" (${stateful.entry.product}) starts slowly but its healthcheck has no start_period: it is marked unhealthy after ${formatDuration(t.intervalMs * t.retries)} of startup or crash recovery`,
        });
      }
    }
  },
};
