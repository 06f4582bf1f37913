/**
 * The rollout's load generator: open-loop constant-rate HTTP traffic through the balancer, every
 * request recorded, summarised as availability, latency percentiles and a per-second timeline.
 */
export { startLoad, runLoad, type LoadRun } from './generator.js';
export { renderTimeline, formatMs, type TimelineChartOptions } from './chart.js';
export { LatencyHistogram, percentileSorted } from './histogram.js';
export type {
  FailureKind,
  LatencySummary,
  LoadOptions,
  LoadProgress,
  LoadSummary,
  Outcome,
  RequestRecord,
  TimelineSecond,
} from './types.js';
