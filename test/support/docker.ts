import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { drillLeftovers } from '../../src/docker/cleanup.js';
import { Engine } from '../../src/docker/engine.js';

/**
 * Docker tests run on the real engine. Without one they skip with a visible message, unless
 * PREFLIGHT_REQUIRE_DOCKER=1 (CI), where a missing engine is a failure.
 */
let availability: Promise<boolean> | undefined;

export function dockerAvailable(): Promise<boolean> {
  availability ??= new Engine().available();
  return availability;
}

export function dockerRequired(): boolean {
  return process.env.PREFLIGHT_REQUIRE_DOCKER === '1';
}

type SuiteFn = () => void | Promise<void>;

/**
 * `describe` that runs only when a Docker engine answers. Checked once, before the suite is
 * declared (top-level await in the test file: `await describeDocker('…', () => {...})`).
 */
export async function describeDocker(name: string, fn: SuiteFn): Promise<void> {
  const ok = await dockerAvailable();
  if (ok) {
    describe(name, fn);
    return;
  }
  if (dockerRequired()) {
    // A failing test, not only a failing suite, so the runner's own count says so.
    describe(name, () => {
      it('needs a Docker engine', () => {
        throw new Error('PREFLIGHT_REQUIRE_DOCKER=1 but no Docker engine answers (`docker version` failed)');
      });
    });
    return;
  }
  process.stderr.write(
    `\n# SKIPPED (no Docker engine): ${name} — set PREFLIGHT_REQUIRE_DOCKER=1 to make this a failure\n`,
  );
  describe(name, () => {
    it('needs a Docker engine', { skip: 'no Docker engine available' }, () => {});
  });
}

/**
 * After a suite: no container, volume or network with the drill label is left, except those of
 * drills other live processes are running right now (a concurrent suite, not a leftover).
 */
export async function assertNoDrillLeftovers(): Promise<void> {
  const left = await drillLeftovers(undefined, undefined, { exceptLiveOthers: true });
  assert.deepEqual(left, { containers: [], volumes: [], networks: [] }, 'drill-labelled resources left behind');
}
