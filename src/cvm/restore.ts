import type { StopMode } from './types.js';

/**
 * Which containers dockerd brings back when it starts at boot (docs/platform.md#boot-sequence,
 * step 6; #stop-and-power): `restart: always` on every boot; `unless-stopped` only after an unclean
 * stop, since a clean stop runs `docker compose stop` first, which counts as a manual stop. They
 * come back with the config and image they had: during an upgrade the OLD version runs again until
 * `compose up` recreates it. `on-failure` and `no` stay down (dstack's docs name only these two
 * policies; what dockerd does with `on-failure` after a power cut is not modelled).
 */
export interface RestoreCandidate {
  id: string;
  policy: string;
  /** Running when the CVM went down (a power cut catches it running; a clean stop stopped it). */
  wasRunning: boolean;
}

export function restoredByEngine(c: RestoreCandidate, lastStop: StopMode): boolean {
  if (c.policy === 'always') return true;
  if (c.policy === 'unless-stopped') return lastStop === 'forced' && c.wasRunning;
  return false;
}
