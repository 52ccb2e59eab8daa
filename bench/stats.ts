/**
 * @module The statistics every benchmark reports, defined once so their figures compare.
 */

/** The nearest-rank p-th percentile of already sorted values; NaN when there are none. */
export const percentile = (sorted: readonly number[], p: number): number => {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
};

/** The median of values in any order; NaN when there are none. */
export const median = (values: readonly number[]): number => percentile([...values].sort((a, b) => a - b), 50);
