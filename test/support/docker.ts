import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { drillLeftovers } from '../../src/docker/cleanup.js';
import { COMPOSE_CHOICE_VAR, detectCompose } from '../../src/docker/compose.js';
import { Engine } from '../../src/docker/engine.js';
import { ownerValue } from '../../src/docker/labels.js';

/**
 * Docker tests run on the real engine. Without one they skip with a visible message, unless
 * PREFLIGHT_REQUIRE_DOCKER=1 (CI), where a missing engine is a failure. `npm test` runs the
 * Docker-backed files once per Compose CLI with PREFLIGHT_COMPOSE set (scripts/run-tests.mjs);
 * the suite names then end in `[compose v2]` or `[compose v1]`.
 */
let availability: Promise<string | undefined> | undefined;

/** Why Docker suites cannot run here (no engine, or the chosen Compose does not answer); undefined when they can. */
export function dockerUnavailable(): Promise<string | undefined> {
  availability ??= (async () => {
    if (!(await new Engine().available())) return 'no Docker engine available (`docker version` failed)';
    try {
      if (!(await detectCompose())) return 'no Docker Compose (neither `docker compose` nor `docker-compose` answers)';
    } catch (e) {
      return e instanceof Error ? e.message : String(e);
    }
    return undefined;
  })();
  return availability;
}

export async function dockerAvailable(): Promise<boolean> {
  return (await dockerUnavailable()) === undefined;
}

export function dockerRequired(): boolean {
  return process.env.PREFLIGHT_REQUIRE_DOCKER === '1';
}

/** The Compose CLI this run is pinned to (PREFLIGHT_COMPOSE), if any. */
export function composeChoice(): 'v2' | 'v1' | undefined {
  const c = process.env[COMPOSE_CHOICE_VAR];
  return c === 'v2' || c === 'v1' ? c : undefined;
}

type SuiteFn = () => void | Promise<void>;

/**
 * `describe` that runs only when a Docker engine and the chosen Compose answer. Checked once,
 * before the suite is declared (top-level await in the test file: `await describeDocker('…', () => {...})`).
 */
export async function describeDocker(name: string, fn: SuiteFn): Promise<void> {
  const choice = composeChoice();
  const label = choice ? `${name} [compose ${choice}]` : name;
  const why = await dockerUnavailable();
  if (!why) {
    describe(label, fn);
    return;
  }
  if (dockerRequired()) {
    // A failing test, not only a failing suite, so the runner's own count says so.
    describe(label, () => {
      it('needs a Docker engine and Compose', () => {
        throw new Error(`PREFLIGHT_REQUIRE_DOCKER=1 but ${why}`);
      });
    });
    return;
  }
  process.stderr.write(`\n# SKIPPED (${why}): ${label} — set PREFLIGHT_REQUIRE_DOCKER=1 to make this a failure\n`);
  describe(label, () => {
    it('needs a Docker engine and Compose', { skip: why }, () => {});
  });
}

/**
 * After a suite: no container, volume or network with the drill label is left by this test process
 * or the CLI processes it started (SIGKILLed ones included); a concurrent process's drills on the
 * same engine are not this suite's leftovers.
 */
export async function assertNoDrillLeftovers(): Promise<void> {
  const left = await drillLeftovers(undefined, undefined, { launchedBy: ownerValue() });
  assert.deepEqual(left, { containers: [], volumes: [], networks: [] }, 'drill-labelled resources left behind');
}
