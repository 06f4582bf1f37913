/**
 * A pure function of a short string with its results remembered: the secret detectors judge the same
 * names (`environment`, `image`, `POSTGRES_PASSWORD`) over and over across a project's files, in the
 * rules and again in the report's masking. Bounded: keys longer than `maxKeyLength` are not kept, and
 * when `cap` results are held they are all forgotten at once (cheaper than an LRU, and the run's
 * working set is far below the cap).
 */
export function memoized<R>(fn: (key: string) => R, opts: { cap: number; maxKeyLength: number }): (key: string) => R {
  const known = new Map<string, R>();
  return (key) => {
    if (key.length > opts.maxKeyLength) return fn(key);
    const hit = known.get(key);
    if (hit !== undefined || known.has(key)) return hit as R;
    const value = fn(key);
    if (known.size >= opts.cap) known.clear();
    known.set(key, value);
    return value;
  };
}
