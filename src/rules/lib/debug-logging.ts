import type { Path } from '../../yaml/located.js';
import type { Service } from '../../compose/types.js';
import { DEBUG_ENV, DEBUG_FLAGS, DEBUG_LEVEL_FLAGS, DEBUG_LEVEL_VALUE } from '../../knowledge/debug-logging.js';
import { argv } from './services.js';

export interface DebugSetting {
  /**
   * What turns debug logging on, as shown to users: `LOG_LEVEL=debug`, `--verbose`. Never a secret: only table-matched
   * names and values.
   */
  evidence: string;
  /** Model path of the setting (relative to the service). */
  path: Path;
}

/** The first setting of a service that turns debug or verbose logging on, if any. */
export function debugLogging(svc: Service): DebugSetting | undefined {
  for (const [key, raw] of Object.entries(svc.environment ?? {})) {
    if (raw === null || raw === undefined) continue;
    const value = String(raw).trim();
    const hit = DEBUG_ENV.find(
      (d) => (typeof d.key === 'string' ? d.key === key : d.key.test(key)) && d.value.test(value),
    );
    if (hit) return { evidence: `${key}=${shown(value)}`, path: ['environment', key] };
  }
  for (const field of ['entrypoint', 'command'] as const) {
    const args = argv(svc[field]);
    for (let i = 0; i < args.length; i++) {
      const a = args[i]!.replace(/^["']|["']$/g, '');
      if (DEBUG_FLAGS.some((f) => f.pattern.test(a))) return { evidence: a, path: [field] };
      const next = args[i + 1]?.replace(/^["']|["']$/g, '');
      if (DEBUG_LEVEL_FLAGS.test(a) && next && DEBUG_LEVEL_VALUE.test(next))
        return { evidence: `${a} ${next}`, path: [field] };
    }
  }
  return undefined;
}

/**
 * Show a matched value only when it is short and plainly a level or namespace list (never anything that could be a
 * credential).
 */
function shown(value: string): string {
  return value.length <= 40 && /^[\w.:*,=-]+$/.test(value) ? value : '…';
}
