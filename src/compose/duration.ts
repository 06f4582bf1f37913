const UNITS_MS: Record<string, number> = {
  h: 3_600_000,
  m: 60_000,
  s: 1000,
  ms: 1,
  us: 0.001,
  µs: 0.001,
  μs: 0.001,
  ns: 0.000001,
};

/**
 * A duration as Compose reads it (Go's `time.ParseDuration`): an optional sign, then one or more
 * decimal numbers each with a unit (`1m30s`, `500ms`, `1.5h`), or `0` alone. A bare number such as
 * `"10"` is refused (`missing unit`), as are `5 s`, `1d` and the empty string. In milliseconds;
 * undefined when Compose would refuse the value (compose-invalid reports it, see semantics.ts).
 */
export function parseComposeDuration(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  let rest = value;
  let sign = 1;
  if (rest.startsWith('-') || rest.startsWith('+')) {
    if (rest[0] === '-') sign = -1;
    rest = rest.slice(1);
  }
  if (rest === '0') return 0;
  if (rest === '') return undefined;
  const part = /^(\d+\.?\d*|\.\d+)(h|ms|m|s|us|µs|μs|ns)/;
  let total = 0;
  while (rest.length) {
    const m = part.exec(rest);
    if (!m) return undefined;
    total += Number(m[1]) * UNITS_MS[m[2]!]!;
    rest = rest.slice(m[0].length);
  }
  return sign * total;
}

/**
 * Durations in `.preflight.yml` (drill timeouts): a Compose duration, or a number of seconds
 * (the configuration schema accepts both, `definitions/duration`).
 */
export function parseDuration(value: unknown): number | undefined {
  if (typeof value === 'number') return value * 1000;
  if (typeof value !== 'string' || value.trim() === '') return undefined;
  const s = value.trim();
  if (/^\d+(\.\d+)?$/.test(s)) return Number(s) * 1000;
  return parseComposeDuration(s);
}
