import fc from 'fast-check';
import { LatencyHistogram } from '../../lib/metrics/latency-histogram';

/** Every power of two of a millisecond from 1 to 2^23: the edges of `buckets()`. */
const EDGES = Array.from({ length: 24 }, (_, power) => 2 ** power);

/** The cumulative buckets of `values`, counted one by one: how many are at most each edge (a negative one counts as 0). */
function bucketsOf(values: readonly number[]): { le: number[]; counts: number[] } {
  return { le: EDGES, counts: EDGES.map((edge) => values.filter((value) => Math.max(0, value) <= edge).length) };
}

describe('LatencyHistogram', () => {
  it('reports zeros when nothing is recorded', () => {
    expect(new LatencyHistogram().summary()).toEqual({
      p50: 0,
      p95: 0,
      p99: 0,
      max: 0,
      count: 0,
      sum: 0,
    });
    expect(new LatencyHistogram().buckets()).toEqual(bucketsOf([]));
  });

  it('counts in its buckets, exactly, how many values were at most each power of two from 1 ms to 2^23 ms', () => {
    // Those are edges of the fine buckets, so the counts are exact for any value, between edges,
    // on them, a hair either side, below 1 ms or past the last edge (and past 2^26, the open bucket).
    const value = fc.oneof(
      fc.double({ min: -1, max: 2 ** 28, noNaN: true }),
      fc.integer({ min: 0, max: 25 }).map((power) => 2 ** power),
      fc
        .tuple(fc.integer({ min: 0, max: 25 }), fc.constantFrom(-1, 1))
        .map(([power, side]) => 2 ** power * (1 + side * Number.EPSILON)),
      fc.integer({ min: 0, max: 5_000 }),
    );
    fc.assert(
      fc.property(fc.array(value, { maxLength: 200 }), (values) => {
        const histogram = new LatencyHistogram();
        for (const ms of values) histogram.record(ms);
        const { count } = histogram.summary();
        expect(histogram.buckets()).toEqual(bucketsOf(values));
        // Cumulative: no count above the next, none above `count` (Prometheus' +Inf).
        const { counts } = histogram.buckets();
        counts.forEach((seen, index) => expect(seen).toBeLessThanOrEqual(index + 1 < counts.length ? counts[index + 1] : count));
      }),
      { numRuns: 300 },
    );
  });

  it('reports the exact maximum and percentiles within 7 % of the true value', () => {
    const histogram = new LatencyHistogram();
    for (let ms = 1; ms <= 1000; ms++) histogram.record(ms);
    const summary = histogram.summary();
    expect(summary.max).toBe(1000);
    expect(summary.p50).toBeGreaterThanOrEqual(500);
    expect(summary.p50).toBeLessThanOrEqual(500 * 1.07);
    expect(summary.p95).toBeGreaterThanOrEqual(950);
    expect(summary.p95).toBeLessThanOrEqual(950 * 1.07);
    expect(summary.p99).toBeGreaterThanOrEqual(990);
    expect(summary.p99).toBeLessThanOrEqual(1000);
  });

  it('resolves sub-millisecond latencies to 1/16 ms', () => {
    const histogram = new LatencyHistogram();
    histogram.record(0.3);
    expect(histogram.summary().p50).toBe(0.3);
    histogram.record(0.1);
    histogram.record(0.1);
    expect(histogram.summary().p50).toBe(0.125);
  });

  // A Prometheus summary has `_sum` beside `_count` (OpenTelemetry's Prometheus compatibility spec reads both):
  // the histogram kept no total, so metricsToPrometheus could write no `_sum` and no mean could be computed.
  it('keeps how many latencies it recorded and their exact total, a negative one as 0', () => {
    const histogram = new LatencyHistogram();
    histogram.record(12.5);
    histogram.record(3, 4);
    histogram.record(-7);
    histogram.record(Number.NaN, 2);
    expect(histogram.summary()).toMatchObject({ count: 6, sum: 24.5, max: 12.5 });
  });

  it('counts negative values as 0 and huge ones in the last bucket', () => {
    const histogram = new LatencyHistogram();
    histogram.record(-5);
    histogram.record(1e12);
    expect(histogram.count).toBe(2);
    expect(histogram.summary().p50).toBeLessThan(0.1);
    expect(histogram.summary().max).toBe(1e12);
    expect(histogram.summary().p99).toBe(1e12);
  });

  it('records nothing for NaN, ±Infinity or a value that is not a number, so the summary stays finite and JSON-safe', () => {
    const histogram = new LatencyHistogram();
    histogram.record(3);
    for (const value of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, '5', undefined, null])
      histogram.record(value as number, 4);
    expect(histogram.count).toBe(1);
    const summary = histogram.summary();
    expect(summary).toEqual({ p50: 3, p95: 3, p99: 3, max: 3, count: 1, sum: 3 });
    expect(JSON.parse(JSON.stringify(summary))).toEqual(summary);
  });

  it('records a value several times at once as it records it once per time', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.double({ min: -1, max: 1e6, noNaN: true }), fc.integer({ min: 1, max: 50 })), { maxLength: 50 }),
        (runs) => {
          const once = new LatencyHistogram();
          const many = new LatencyHistogram();
          for (const [value, count] of runs) {
            many.record(value, count);
            for (let i = 0; i < count; i++) once.record(value);
          }
          // The totals may differ in the last bits (3 × 0.1 is not 0.1 + 0.1 + 0.1); all else is exact.
          const { sum: manySum, ...manyRest } = many.summary();
          const { sum: onceSum, ...onceRest } = once.summary();
          expect([many.count, manyRest]).toEqual([once.count, onceRest]);
          expect(manySum).toBeCloseTo(onceSum, 3);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('records nothing for a count that is not a positive integer', () => {
    const histogram = new LatencyHistogram();
    for (const count of [0, -1, 1.5, Number.NaN, Infinity]) histogram.record(5, count);
    expect(histogram.count).toBe(0);
    expect(histogram.summary().max).toBe(0);
  });

  it('forgets everything on reset', () => {
    const histogram = new LatencyHistogram();
    histogram.record(42);
    histogram.reset();
    expect(histogram.count).toBe(0);
    expect(histogram.summary()).toEqual({ p50: 0, p95: 0, p99: 0, max: 0, count: 0, sum: 0 });
    expect(histogram.buckets()).toEqual(bucketsOf([]));
  });

  it('counts a latency exactly on a bucket boundary in the bucket it bounds, as a Prometheus `le` does: whole milliseconds up to 32 are exact', () => {
    // The default clock is Date.now(), so every recorded latency is a whole number of milliseconds.
    // Before: buckets took their lower edge, so p50 of 5 ms and 100 ms was 5.25, of 1 ms and 9 ms 1.0625.
    const histogram = new LatencyHistogram();
    histogram.record(5);
    histogram.record(100);
    expect(histogram.summary().p50).toBe(5);
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.integer({ min: 0, max: 32 }),
            fc.integer({ min: 0, max: 25 }).map((power) => 2 ** power),
          ),
          {
            minLength: 1,
            maxLength: 100,
          },
        ),
        (values) => {
          const exact = new LatencyHistogram();
          for (const value of values) exact.record(value);
          const sorted = [...values].sort((a, b) => a - b);
          const rank = (fraction: number): number => sorted[Math.max(1, Math.ceil(fraction * sorted.length)) - 1];
          expect(exact.summary()).toEqual({
            p50: rank(0.5),
            p95: rank(0.95),
            p99: rank(0.99),
            max: sorted[sorted.length - 1],
            count: values.length,
            sum: values.reduce((total, value) => total + value, 0),
          });
          expect(exact.buckets()).toEqual(bucketsOf(values));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('puts every percentile within 7 % above the true one and never above max', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0, max: 1e7, noNaN: true }), { minLength: 1, maxLength: 200 }), (values) => {
        const histogram = new LatencyHistogram();
        for (const value of values) histogram.record(value);
        const sorted = [...values].sort((a, b) => a - b);
        const summary = histogram.summary();
        for (const [fraction, reported] of [
          [0.5, summary.p50],
          [0.95, summary.p95],
          [0.99, summary.p99],
        ] as const) {
          const exact = sorted[Math.max(1, Math.ceil(fraction * sorted.length)) - 1];
          expect(reported).toBeGreaterThanOrEqual(exact);
          expect(reported).toBeLessThanOrEqual(Math.max(exact * 1.07, exact + 1 / 16));
          expect(reported).toBeLessThanOrEqual(summary.max);
        }
        expect(summary.max).toBe(sorted[sorted.length - 1]);
      }),
      { numRuns: 300 },
    );
  });
});
