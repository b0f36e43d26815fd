import type { LatencySummary } from './results';

/** Percentile `p` (0-100) of sorted values, nearest-rank. */
function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] ?? 0;
}

/** Count, mean, p50, p95, p99 and max of latencies given in milliseconds, in seconds. */
export function summarise(latenciesMs: readonly number[]): LatencySummary {
  const sorted = [...latenciesMs].sort((a, b) => a - b);
  const seconds = (ms: number) => Math.round(ms) / 1000;
  const total = sorted.reduce((a, b) => a + b, 0);
  return {
    count: sorted.length,
    mean: sorted.length ? seconds(total / sorted.length) : 0,
    p50: seconds(percentile(sorted, 50)),
    p95: seconds(percentile(sorted, 95)),
    p99: seconds(percentile(sorted, 99)),
    max: seconds(sorted.at(-1) ?? 0),
  };
}
