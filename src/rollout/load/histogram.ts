/**
 * A fixed-size latency histogram (the HdrHistogram layout, log-linear): values in whole
 * microseconds, exact below 2,048 µs, above that 1,024 buckets per power of two, so a reported
 * percentile is within 0.05 % of the true one (half a bucket). 22,528 counters (88 KiB) cover
 * 1 µs … 35 minutes, whatever the number of samples: the summary of a long run stays bounded.
 */

const SUB_BITS = 10;
const SUB = 1 << SUB_BITS;
const MAX_US = 2 ** 31 - 1;
const BUCKETS = SUB * (31 - SUB_BITS + 1);

function bucketOf(us: number): number {
  if (us < 2 * SUB) return us;
  const shift = 31 - Math.clz32(us) - SUB_BITS;
  return SUB * (shift + 1) + ((us >>> shift) - SUB);
}

/** Middle of a bucket's value range, in µs. */
function bucketValue(bucket: number): number {
  if (bucket < 2 * SUB) return bucket;
  const shift = Math.floor(bucket / SUB) - 1;
  const low = ((bucket % SUB) + SUB) * 2 ** shift;
  return low + (2 ** shift - 1) / 2;
}

export class LatencyHistogram {
  private readonly counts = new Uint32Array(BUCKETS);
  private n = 0;
  private sumUs = 0;
  private maxUs = 0;
  private minUs = Number.POSITIVE_INFINITY;

  /** Record one value in milliseconds (negative values count as 0; beyond 35 min as 35 min). */
  record(ms: number): void {
    const us = Math.min(MAX_US, Math.max(0, Math.round(ms * 1000)));
    this.counts[bucketOf(us)]!++;
    this.n++;
    this.sumUs += us;
    if (us > this.maxUs) this.maxUs = us;
    if (us < this.minUs) this.minUs = us;
  }

  get count(): number {
    return this.n;
  }

  /** Largest recorded value, exact (µs resolution), in ms; null when empty. */
  get max(): number | null {
    return this.n ? this.maxUs / 1000 : null;
  }

  get mean(): number | null {
    return this.n ? this.sumUs / this.n / 1000 : null;
  }

  /**
   * Nearest-rank percentile in ms: the smallest value with at least p % of the samples at or below
   * it (p in 0…100). Null when empty.
   */
  percentile(p: number): number | null {
    if (this.n === 0) return null;
    const rank = Math.max(1, Math.ceil((p / 100) * this.n));
    let seen = 0;
    for (let b = 0; b < BUCKETS; b++) {
      seen += this.counts[b]!;
      if (seen >= rank) return Math.min(this.maxUs, Math.max(this.minUs, bucketValue(b))) / 1000;
    }
    return this.maxUs / 1000;
  }
}

/** Nearest-rank percentile of an ascending array (exact); null when empty. */
export function percentileSorted(sorted: ArrayLike<number>, p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(sorted.length, rank) - 1]!;
}
