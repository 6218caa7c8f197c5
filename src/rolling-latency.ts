/**
 * Latency percentiles over a rolling window in fixed memory: one row of
 * log-scale buckets per minute, reused as the window rolls. Each bucket spans
 * a factor of GROWTH, and a percentile is reported as the geometric middle of
 * its bucket, so it is within LATENCY_RELATIVE_ERROR of the exact value
 * (latencies under 1 ms report 0.5 ms; above MAX_MS they report MAX_MS).
 */

const GROWTH = 1.1;
/** Largest relative error of a reported percentile: sqrt(GROWTH) - 1, about 4.9%. */
export const LATENCY_RELATIVE_ERROR = Math.sqrt(GROWTH) - 1;
const MAX_MS = 15 * 60_000;
/** Bucket 0 holds < 1 ms; bucket i >= 1 holds [GROWTH^(i-1), GROWTH^i); the last also everything above. */
const BUCKETS = 2 + Math.ceil(Math.log(MAX_MS) / Math.log(GROWTH));
const MINUTE_MS = 60_000;

function bucketOf(ms: number): number {
  if (!(ms >= 1)) return 0;
  return Math.min(BUCKETS - 1, 1 + Math.floor(Math.log(ms) / Math.log(GROWTH)));
}

function valueOf(bucket: number): number {
  if (bucket === 0) return 0.5;
  if (bucket === BUCKETS - 1) return MAX_MS;
  return GROWTH ** (bucket - 0.5);
}

/** Counts of one window, as of now. */
export interface LatencySummary {
  count: number;
  errors: number;
  p50: number;
  p95: number;
}

/** Turn outcomes of the last `minutes` whole minutes, in memory that does not grow with traffic. */
export class RollingLatencyWindow {
  private readonly counts: Uint32Array;
  private readonly totals: Uint32Array;
  private readonly errors: Uint32Array;
  /** Which minute (epoch minutes) each row currently holds; -1 for never used. */
  private readonly minuteOfRow: Float64Array;

  constructor(
    private readonly now: () => number,
    private readonly minutes = 60,
  ) {
    this.counts = new Uint32Array(minutes * BUCKETS);
    this.totals = new Uint32Array(minutes);
    this.errors = new Uint32Array(minutes);
    this.minuteOfRow = new Float64Array(minutes).fill(-1);
  }

  /** Counters held, whatever the traffic: rows × buckets. */
  get capacity(): number {
    return this.counts.length;
  }

  /** Count one turn in the current minute. */
  record(latencyMs: number, ok: boolean): void {
    const row = this.rowFor(Math.floor(this.now() / MINUTE_MS));
    this.counts[row * BUCKETS + bucketOf(latencyMs)]! += 1;
    this.totals[row]! += 1;
    if (!ok) this.errors[row]! += 1;
  }

  /** Turns, errors and p50/p95 over the rows still inside the window. */
  summary(): LatencySummary {
    const current = Math.floor(this.now() / MINUTE_MS);
    const merged = new Float64Array(BUCKETS);
    let count = 0;
    let errors = 0;
    for (let row = 0; row < this.minutes; row++) {
      const minute = this.minuteOfRow[row]!;
      if (minute < 0 || minute <= current - this.minutes || minute > current) continue;
      count += this.totals[row]!;
      errors += this.errors[row]!;
      for (let b = 0; b < BUCKETS; b++) merged[b]! += this.counts[row * BUCKETS + b]!;
    }
    return { count, errors, p50: percentile(merged, count, 0.5), p95: percentile(merged, count, 0.95) };
  }

  /** The row for a minute, cleared if it still holds an older minute. */
  private rowFor(minute: number): number {
    const row = minute % this.minutes;
    if (this.minuteOfRow[row] !== minute) {
      this.counts.fill(0, row * BUCKETS, (row + 1) * BUCKETS);
      this.totals[row] = 0;
      this.errors[row] = 0;
      this.minuteOfRow[row] = minute;
    }
    return row;
  }
}

/** Value at rank floor(q × count) (0-based), as the sorted-array version picked it. */
function percentile(buckets: Float64Array, count: number, q: number): number {
  if (count === 0) return 0;
  const rank = Math.min(count - 1, Math.floor(q * count));
  let seen = 0;
  for (let b = 0; b < buckets.length; b++) {
    seen += buckets[b]!;
    if (seen > rank) return valueOf(b);
  }
  return valueOf(buckets.length - 1);
}
