import type { LatencySummary, SinkMetrics } from './metrics-types';

/** Sub-buckets per power of two, and per millisecond up to 1 ms: about 6 % relative error. */
const SUB_BUCKETS = 16;
/** Powers of two covered above 1 ms: up to 2^26 ms (about 18.6 hours); longer lands in the last bucket. */
const OCTAVES = 26;
/** Bucket 0 holds exactly 0 (a delivery within the clock's millisecond); the others follow it. */
const BUCKET_COUNT = 1 + SUB_BUCKETS + OCTAVES * SUB_BUCKETS;
/**
 * The highest power of two (2^23 ms, about 2.3 hours) that `buckets()` reports: every
 * power of two from 1 ms up to it is an exact edge of the fine buckets, so its cumulative count is
 * exact. 24 edges and `count` make a Prometheus histogram of 25 series a sink: edges below 1 ms
 * would tell nothing, since a logger's clock counts whole milliseconds, and a longer delivery
 * counts in `+Inf`.
 */
const TOP_OCTAVE = 23;
/** The upper edges of `buckets`, in milliseconds: 1, 2, 4 … 2^23, shared by every call. */
const BUCKET_EDGES_MS: readonly number[] = Object.freeze(Array.from({ length: TOP_OCTAVE + 1 }, (_, octave) => 2 ** octave));

/**
 * A fixed log-linear latency histogram (HdrHistogram-lite): one bucket for 0, 1/16 ms buckets up
 * to 1 ms, then 16 sub-buckets per power of two, each up to and including its upper edge (as
 * Prometheus' `le`), so a percentile is within about 6 % of the true value, exact for a value on
 * an edge (every whole millisecond up to 32), while `record` costs a few arithmetic operations
 * and never allocates.
 *
 * @example
 * const histogram = new LatencyHistogram();
 * histogram.record(12.5);
 * histogram.summary(); // { p50: 12.5, p95: 12.5, p99: 12.5, max: 12.5, count: 1, sum: 12.5 }
 * histogram.buckets(); // { le: [1, 2, 4, 8, 16 …], counts: [0, 0, 0, 0, 1 …] }
 */
export class LatencyHistogram {
  readonly #counts = new Float64Array(BUCKET_COUNT);
  #total = 0;
  /** The recorded values added up, in milliseconds (a Prometheus summary's `_sum`). */
  #sum = 0;
  #maxValue = 0;

  /** How many values have been recorded since the last reset. */
  get count(): number {
    return this.#total;
  }

  /**
   * Records a latency in milliseconds, `count` times (default once: a positive integer, anything
   * else records nothing). A latency that is not a finite number (NaN, ±Infinity, not a number at
   * all) records nothing, so `max` and every percentile stay finite and JSON-safe; a negative one
   * (a clock that stepped back) counts as 0.
   */
  record(ms: number, count = 1): void {
    if (!Number.isInteger(count) || count < 1) return;
    // Shaped for the delivery hot path: no allocation, no Math.log. Number.isFinite never coerces.
    if (!Number.isFinite(ms)) return;
    const value = ms > 0 ? ms : 0;
    this.#counts[bucketOf(value)] += count;
    this.#total += count;
    this.#sum += value * count;
    if (value > this.#maxValue) this.#maxValue = value;
  }

  /**
   * p50, p95 and p99 (each the upper edge of its bucket, never above `max`), the exact maximum, how
   * many values were recorded and their exact total, in milliseconds; all 0 when empty.
   */
  summary(): LatencySummary {
    // Empty, every percentile finds no bucket and is the maximum, 0.
    return {
      p50: this.#percentile(0.5),
      p95: this.#percentile(0.95),
      p99: this.#percentile(0.99),
      max: this.#maxValue,
      count: this.#total,
      sum: this.#sum,
    };
  }

  /**
   * How many values were at most each power of two from 1 ms to 2^23 ms (`counts[i]` for `le[i]`):
   * cumulative, as Prometheus' `le` buckets, with `count` as `+Inf`; exact, since those are edges
   * of the fine buckets too.
   */
  buckets(): NonNullable<SinkMetrics['latencyBuckets']> {
    const counts = this.#counts;
    const cumulative: number[] = [];
    // The fine bucket whose upper edge is 2^octave ms is SUB_BUCKETS * (octave + 1).
    for (let index = 0, seen = 0; cumulative.length <= TOP_OCTAVE; index++) {
      seen += counts[index];
      if (index === SUB_BUCKETS * (cumulative.length + 1)) cumulative.push(seen);
    }
    return { le: BUCKET_EDGES_MS, counts: cumulative };
  }

  /** Forgets every recorded value. */
  reset(): void {
    this.#counts.fill(0);
    this.#total = 0;
    this.#sum = 0;
    this.#maxValue = 0;
  }

  #percentile(fraction: number): number {
    const rank = Math.max(1, Math.ceil(fraction * this.#total));
    let seen = 0;
    for (let index = 0; index < BUCKET_COUNT; index++) {
      seen += this.#counts[index];
      // The last bucket is open-ended: its only honest bound is the maximum.
      if (seen >= rank) return index === BUCKET_COUNT - 1 ? this.#maxValue : Math.min(upperEdge(index), this.#maxValue);
    }
    return this.#maxValue;
  }
}

/**
 * The bucket of a value ≥ 0. Each bucket holds the values above its lower edge up to and including
 * its upper edge (Prometheus' `le`), so a value on an edge, as every whole millisecond up to 32 is,
 * reports itself, not the next edge. The arithmetic is exact: `base` is a power of two.
 */
function bucketOf(value: number): number {
  if (value <= 0) return 0;
  if (value <= 1) return Math.ceil(value * SUB_BUCKETS);
  if (value > 2 ** OCTAVES) return BUCKET_COUNT - 1;
  const octave = 31 - Math.clz32(value);
  const base = 2 ** octave;
  // A power of two gets the last bucket of the octave below, whose upper edge it is.
  return SUB_BUCKETS + octave * SUB_BUCKETS + Math.ceil(((value - base) * SUB_BUCKETS) / base);
}

function upperEdge(index: number): number {
  if (index <= SUB_BUCKETS) return index / SUB_BUCKETS;
  const octave = Math.floor((index - SUB_BUCKETS - 1) / SUB_BUCKETS);
  const sub = (index - SUB_BUCKETS - 1) % SUB_BUCKETS;
  const base = 2 ** octave;
  return base + ((sub + 1) * base) / SUB_BUCKETS;
}
