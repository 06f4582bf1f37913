/** Health gates: what decides that an upgraded instance is healthy. */

/** The instance a gate looks at. */
export interface GateTarget {
  instance: string;
  name: string;
  /** The instance's own URL (on Phala Cloud `public_urls[].instance`), without a trailing slash. */
  url: string;
}

/**
 * One evaluation. `inconclusive`: the gate could not tell (no data, its source unreachable); a
 * rollout pauses on it rather than failing or passing the instance.
 */
export interface GateResult {
  outcome: 'pass' | 'fail' | 'inconclusive';
  /** One line: what was seen ("HTTP 503", "$.status is \"starting\"", "value 0.12 ≥ 0.05"). */
  detail: string;
}

export interface Gate {
  readonly name: string;
  readonly intervalMs: number;
  /** Consecutive passes needed before the gate counts as passing (HTTP `successes`; else 1). */
  readonly successes: number;
  evaluate(target: GateTarget, signal: AbortSignal): Promise<GateResult>;
}
