/** Order statistics for run results and latencies. Empty input gives NaN, which the table prints as "-". */

export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  // Nearest rank: a value that was measured, not an interpolation between two.
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1]!;
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

export function sum(values: readonly number[]): number {
  return values.reduce((total, value) => total + value, 0);
}

/** Least-squares line through (x, y): what extrapolations beyond the measured sizes rest on. */
export function linearFit(points: readonly { x: number; y: number }[]): { intercept: number; slope: number } {
  const n = points.length;
  if (n < 2) return { intercept: points[0]?.y ?? Number.NaN, slope: 0 };
  const mx = sum(points.map((point) => point.x)) / n;
  const my = sum(points.map((point) => point.y)) / n;
  const sxx = sum(points.map((point) => (point.x - mx) ** 2));
  const sxy = sum(points.map((point) => (point.x - mx) * (point.y - my)));
  const slope = sxx === 0 ? 0 : sxy / sxx;
  return { intercept: my - slope * mx, slope };
}
