import { findHaproxy } from '../../src/rollout/lb/haproxy-binary.js';
import { describeRequiring } from './requirement.js';

/**
 * HAProxy tests run Debian's real `haproxy` (apt-get install haproxy; `.ci/run` installs it).
 * Without it they skip visibly, or fail when PREFLIGHT_REQUIRE_DOCKER=1, as the Docker tests do.
 */
export function describeHaproxy(name: string, fn: () => void | Promise<void>): Promise<void> {
  return describeRequiring(
    {
      what: 'the haproxy binary',
      check: 'not at $PREFLIGHT_HAPROXY, /usr/sbin/haproxy or on PATH',
      available: () => findHaproxy() !== undefined,
    },
    name,
    fn,
  );
}
