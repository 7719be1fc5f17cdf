/**
 * A sweep's table as columns: the varied keys, then the key figures as `mean ±interval` — throughput, ok,
 * failed, latency percentiles, the top error, and the pools whose callers waited. The CLI pads them into text
 * and the visualizer draws them as an HTML table, so both show the same columns.
 */
import type { MetricInfo } from './figures.js';
import type { SweepPointResult, SweepResult } from './result.js';
import type { Estimate } from './stats.js';

/** Pools shown in the table (those that made callers wait first); --json and --csv have every one. */
const TABLE_POOLS_MAX = 2;

export interface SweepColumn {
  title: string;
  /** The metric the column shows; undefined for a varied key or the top error. */
  metric?: string;
  /** Text, left-aligned (a varied value, an error kind); figures align right. */
  left: boolean;
  cell: (point: SweepPointResult) => string;
}

/** Decimals for a figure of this size: about three significant digits, none for large counts. */
function decimals(v: number): number {
  const a = Math.abs(v);
  if (a === 0 || a >= 100) return 0;
  if (a >= 10) return 1;
  if (a >= 1) return 2;
  return Math.min(6, 2 - Math.floor(Math.log10(a)));
}

/** `mean ±ci` at the mean's precision; '-' where the point has no value. */
export function formatEstimate(e: Estimate | null | undefined): string {
  if (!e) return '-';
  const d = decimals(e.mean === 0 && e.ci95 ? e.ci95 : e.mean);
  return e.ci95 === null ? e.mean.toFixed(d) : `${e.mean.toFixed(d)} ±${e.ci95.toFixed(d)}`;
}

/** The table's columns for this sweep, in order. */
export function sweepColumns(result: SweepResult): SweepColumn[] {
  const has = (key: string) => result.metrics.some((m) => m.key === key);
  const metric = (title: string, key: string): SweepColumn => ({ title, metric: key, left: false, cell: (p) => formatEstimate(p.estimates[key]) });
  const columns: SweepColumn[] = [
    ...result.vary.map((a): SweepColumn => ({ title: a.key, left: true, cell: (p) => p.assignments[a.key]! })),
    metric('ok/s', 'throughputPerS'),
    metric('ok', 'ok'),
    metric('failed', 'failed'),
    metric('p50 ms', 'latencyP50Ms'),
    metric('p99 ms', 'latencyP99Ms'),
    metric('p99.9 ms', 'latencyP999Ms'),
  ];
  const errors = result.metrics.filter((m) => m.key.startsWith('errors.'));
  if (errors.length > 0) columns.push({ title: 'top error', left: true, cell: (p) => topError(errors, p.estimates) });
  for (const pool of tablePools(result)) {
    columns.push(metric(`P(wait) ${pool}`, `pool.${pool}.waitProbability`), metric(`wait ms ${pool}`, `pool.${pool}.meanWaitMs`));
    if (has(`pool.${pool}.acquireTimeouts`)) columns.push(metric(`timeouts ${pool}`, `pool.${pool}.acquireTimeouts`));
  }
  return columns;
}

/** The error kind with the most requests at this point, e.g. `504 ×141`. */
function topError(errors: readonly MetricInfo[], estimates: Record<string, Estimate | null>): string {
  let best: { kind: string; mean: number } | null = null;
  for (const m of errors) {
    const mean = estimates[m.key]?.mean ?? 0;
    if (mean > 0 && (best === null || mean > best.mean)) best = { kind: m.key.slice('errors.'.length), mean };
  }
  return best ? `${best.kind} ×${best.mean.toFixed(decimals(best.mean))}` : '';
}

/** The pools whose callers waited somewhere in the sweep (at most TABLE_POOLS_MAX, first made first); else the first pool. */
function tablePools(result: SweepResult): string[] {
  const pools = [...new Set(result.metrics.flatMap((m) => (m.pool === undefined ? [] : [m.pool])))];
  const waited = pools.filter((pool) => result.points.some((p) => (p.estimates[`pool.${pool}.waitProbability`]?.mean ?? 0) > 0));
  return (waited.length > 0 ? waited : pools).slice(0, TABLE_POOLS_MAX);
}
