import type { Service } from '../../compose/types.js';
import { parseComposeDuration } from '../../compose/duration.js';

/**
 * Docker's healthcheck defaults (moby daemon/health.go and the Dockerfile reference): values of 0 or
 * below fall back to these.
 */
export const HEALTHCHECK_DEFAULTS = { intervalMs: 30_000, timeoutMs: 30_000, retries: 3, startPeriodMs: 0 } as const;

/**
 * - `none`: no healthcheck in the compose file (the image may still declare a HEALTHCHECK we cannot see);
 * - `disabled`: `disable: true` or test `["NONE"]`;
 * - `defined`: a test is written here;
 * - `inherited`: `healthcheck:` tunes timings but keeps the image's test.
 */
export type HealthcheckState = 'none' | 'disabled' | 'defined' | 'inherited';

export function healthcheckState(svc: Service): HealthcheckState {
  const hc = svc.healthcheck;
  if (!hc) return 'none';
  if (hc.disable === true || hc.test?.[0] === 'NONE') return 'disabled';
  if (hc.test && hc.test.length > 0) return 'defined';
  return 'inherited';
}

/**
 * The healthcheck timings in effect (defaults filled in), in milliseconds. Undefined when a written
 * duration is not one Compose accepts: Compose refuses the file (compose-invalid says so), so no
 * default stands in for what the author wrote.
 */
export function healthcheckTimings(svc: Service):
  | {
      intervalMs: number;
      timeoutMs: number;
      retries: number;
      startPeriodMs: number;
    }
  | undefined {
  const hc = svc.healthcheck ?? {};
  const written = [hc.interval, hc.timeout, hc.start_period].filter((v) => v !== undefined);
  if (written.some((v) => parseComposeDuration(v) === undefined)) return undefined;
  const positive = (v: unknown, d: number) => {
    const ms = parseComposeDuration(v);
    return ms !== undefined && ms > 0 ? ms : d;
  };
  return {
    intervalMs: positive(hc.interval, HEALTHCHECK_DEFAULTS.intervalMs),
    timeoutMs: positive(hc.timeout, HEALTHCHECK_DEFAULTS.timeoutMs),
    retries: typeof hc.retries === 'number' && hc.retries > 0 ? hc.retries : HEALTHCHECK_DEFAULTS.retries,
    startPeriodMs: positive(hc.start_period, HEALTHCHECK_DEFAULTS.startPeriodMs),
  };
}

/** `90000` → `1m30s`, `5000` → `5s`, `500` → `500ms`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  const s = Math.round(ms / 1000);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  return `${h ? `${h}h` : ''}${m ? `${m}m` : ''}${sec || (!h && !m) ? `${sec}s` : ''}`;
}
