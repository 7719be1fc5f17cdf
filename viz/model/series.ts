/**
 * The request charts' rows: requests bucketed by the time they ended (a request counts when its outcome is
 * known, as the CLI's timeline counts them).
 *
 * API:
 *   throughputSeries(requests, bucketUs, endUs)   ok and failed per bucket, failures by outcome
 *   latencySeries(requests, bucketUs, endUs)      p50 / p99 / max of successful requests per bucket (exact, nearest rank)
 */
import type { LatencyBucket, RequestInfo, ThroughputBucket } from './types.js';

/** Buckets covering [0, endUs]: at least one, so an empty run still draws an axis. */
function bucketCount(bucketUs: number, endUs: number): number {
  if (!(bucketUs > 0)) throw new RangeError(`bucketUs: expected a positive number of µs, got ${bucketUs}`);
  return Math.max(1, Math.floor(endUs / bucketUs) + 1);
}

export function throughputSeries(requests: readonly RequestInfo[], bucketUs: number, endUs: number): ThroughputBucket[] {
  const n = bucketCount(bucketUs, endUs);
  const out: ThroughputBucket[] = [];
  for (let i = 0; i < n; i++) out.push({ fromUs: i * bucketUs, toUs: (i + 1) * bucketUs, ok: 0, failed: 0, byOutcome: new Map() });
  for (const r of requests) {
    if (r.endUs === null || r.outcome === null) continue;
    const b = out[Math.min(n - 1, Math.floor(r.endUs / bucketUs))]!;
    if (r.outcome === 'ok') b.ok++;
    else {
      b.failed++;
      b.byOutcome.set(r.outcome, (b.byOutcome.get(r.outcome) ?? 0) + 1);
    }
  }
  return out;
}

export function latencySeries(requests: readonly RequestInfo[], bucketUs: number, endUs: number): LatencyBucket[] {
  const n = bucketCount(bucketUs, endUs);
  const samples: number[][] = [];
  for (let i = 0; i < n; i++) samples.push([]);
  for (const r of requests) {
    if (r.outcome !== 'ok' || r.endUs === null) continue;
    samples[Math.min(n - 1, Math.floor(r.endUs / bucketUs))]!.push(r.endUs - r.startUs);
  }
  return samples.map((s, i) => {
    const base = { fromUs: i * bucketUs, toUs: (i + 1) * bucketUs, count: s.length };
    if (s.length === 0) return { ...base, p50Us: null, p99Us: null, maxUs: null };
    s.sort((a, b) => a - b);
    return { ...base, p50Us: nearestRank(s, 50), p99Us: nearestRank(s, 99), maxUs: s[s.length - 1]! };
  });
}

/** The smallest sample with at least p% of the samples at or below it. */
function nearestRank(sorted: readonly number[], p: number): number {
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)]!;
}
