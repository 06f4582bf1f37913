/** Milliseconds for people: `850ms`, `2.35s`, `41.2s`. */
export function formatMs(ms: number): string {
  return ms >= 10_000
    ? `${(ms / 1000).toFixed(1)}s`
    : ms >= 1000
      ? `${(ms / 1000).toFixed(2)}s`
      : `${Math.round(ms)}ms`;
}
