import { describe, it } from 'node:test';

/**
 * Suites that need a real outside part (Docker engine, HAProxy binary). Without it they skip with
 * one visible message, unless PREFLIGHT_REQUIRE_DOCKER=1 (CI, where every real part is installed):
 * then the missing part is one failed test, so the runner's own counts say so.
 */
export interface Requirement {
  /** What is missing, for the test name and the message: "a Docker engine", "the haproxy binary". */
  what: string;
  /** Why it is considered missing (shown in CI's failure). */
  check: string;
  available: () => Promise<boolean> | boolean;
}

export function partsRequired(): boolean {
  return process.env.PREFLIGHT_REQUIRE_DOCKER === '1';
}

type SuiteFn = () => void | Promise<void>;

/** `describe` that runs only when the requirement holds. Await it at the top level of the test file. */
export async function describeRequiring(req: Requirement, name: string, fn: SuiteFn): Promise<void> {
  if (await req.available()) {
    describe(name, fn);
    return;
  }
  if (partsRequired()) {
    describe(name, () => {
      it(`needs ${req.what}`, () => {
        throw new Error(`PREFLIGHT_REQUIRE_DOCKER=1 but ${req.what} is missing (${req.check})`);
      });
    });
    return;
  }
  process.stderr.write(
    `\n# SKIPPED (no ${req.what.replace(/^(a|an|the) /, '')}): ${name} — set PREFLIGHT_REQUIRE_DOCKER=1 to make this a failure\n`,
  );
  describe(name, () => {
    it(`needs ${req.what}`, { skip: `${req.what} is not available` }, () => {});
  });
}
