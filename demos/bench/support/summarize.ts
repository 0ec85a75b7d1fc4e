/** Median and range of one metric over a variant's successful runs. */
export interface Spread {
  readonly median: number;
  readonly min: number;
  readonly max: number;
  /** Runs that reported this metric. */
  readonly count: number;
}

/** The median (mean of the middle two for an even count), minimum and maximum of `values`; undefined when empty. */
export function summarize(values: readonly number[]): Spread | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  const median = sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
  return { median, min: sorted[0], max: sorted[sorted.length - 1], count: sorted.length };
}
