/**
 * What a sweep measures in each run, as plain numbers a worker thread can post back (never the run itself),
 * and what it says about a point across its seeds. Every figure is a named metric: `throughputPerS`, `ok`,
 * `failed`, `latencyP50Ms`/`P99`/`P999`, `errors.<kind>`, and per pool `pool.<name>.waitProbability`,
 * `.meanWaitMs`, `.acquireTimeouts`, `.peakPending`.
 */
import type { Seed } from '../core/random.js';
import type { StopReason } from '../core/simulation.js';
import type { ScenarioRun } from '../run-scenario.js';
import { estimate, type Estimate } from './stats.js';

/** The ledger's latency histogram (ok requests), µs. */
const LATENCY_HISTOGRAM = 'requests.latencyUs';

export interface RunFigures {
  seed: Seed;
  digest: string;
  /** Virtual time the run ended at, µs. */
  endUs: number;
  stop: StopReason;
  /** Actors that threw. */
  failures: number;
  /** Each metric's value; null where the run has none (latency without an ok request). */
  metrics: Record<string, number | null>;
}

const POOL_FIGURES = ['waitProbability', 'meanWaitMs', 'acquireTimeouts', 'peakPending'] as const;

/** The numbers a sweep keeps of a run. */
export function runFigures(run: ScenarioRun): RunFigures {
  const { requests, pools, result } = run;
  const seconds = result.endUs / 1e6;
  const latency = run.metrics.histograms.find((h) => h.name === LATENCY_HISTOGRAM);
  const hasLatency = requests.ok > 0 && latency !== undefined && latency.count > 0;
  const metrics: Record<string, number | null> = {
    throughputPerS: seconds > 0 ? requests.ok / seconds : 0,
    ok: requests.ok,
    failed: requests.failed,
    latencyP50Ms: hasLatency ? latency.p50 / 1000 : null,
    latencyP99Ms: hasLatency ? latency.p99 / 1000 : null,
    latencyP999Ms: hasLatency ? latency.p999 / 1000 : null,
  };
  for (const kind of Object.keys(requests.byError).sort()) metrics[`errors.${kind}`] = requests.byError[kind]!;
  for (const [name, pool] of Object.entries(pools)) for (const f of POOL_FIGURES) metrics[`pool.${name}.${f}`] = pool[f];
  return { seed: run.seed, digest: result.digest, endUs: result.endUs, stop: result.stop, failures: result.failures.length, metrics };
}

export interface MetricInfo {
  key: string;
  /** Words for a column or an axis ('P(wait) service-db'). */
  label: string;
  unit: string;
  /** The pool it is about, for pool metrics. */
  pool?: string;
}

const FIXED: Record<string, Omit<MetricInfo, 'key'>> = {
  throughputPerS: { label: 'throughput', unit: 'ok requests / s' },
  ok: { label: 'ok', unit: 'requests' },
  failed: { label: 'failed', unit: 'requests' },
  latencyP50Ms: { label: 'latency p50', unit: 'ms' },
  latencyP99Ms: { label: 'latency p99', unit: 'ms' },
  latencyP999Ms: { label: 'latency p99.9', unit: 'ms' },
};
const POOL_INFO: Record<(typeof POOL_FIGURES)[number], { label: string; unit: string }> = {
  waitProbability: { label: 'P(wait)', unit: 'share of acquires' },
  meanWaitMs: { label: 'mean wait', unit: 'ms' },
  acquireTimeouts: { label: 'acquire timeouts', unit: 'acquires' },
  peakPending: { label: 'peak pending', unit: 'waiters' },
};

/** A metric's label and unit, from its key. */
export function metricInfo(key: string): MetricInfo {
  const fixed = FIXED[key];
  if (fixed) return { key, ...fixed };
  if (key.startsWith('errors.')) return { key, label: `errors ${key.slice('errors.'.length)}`, unit: 'requests' };
  if (key.startsWith('pool.')) {
    const dot = key.lastIndexOf('.');
    const pool = key.slice('pool.'.length, dot);
    const info = POOL_INFO[key.slice(dot + 1) as keyof typeof POOL_INFO];
    if (info) return { key, label: `${info.label} ${pool}`, unit: info.unit, pool };
  }
  return { key, label: key, unit: '' };
}

/**
 * Every metric any run has, in one order: the request figures, then errors by kind (sorted), then each pool's
 * four (pools in the order the runs first show them) — so every point's table row and CSV row line up.
 */
export function metricKeys(runs: readonly RunFigures[]): string[] {
  const errors = new Set<string>();
  const pools: string[] = [];
  for (const r of runs) {
    for (const key of Object.keys(r.metrics)) {
      if (key.startsWith('errors.')) errors.add(key);
      else if (key.startsWith('pool.') && !pools.includes(key)) pools.push(key);
    }
  }
  return [...Object.keys(FIXED), ...[...errors].sort(), ...pools];
}

/**
 * A point's estimate of each metric across its runs (in seed order). An error kind a run did not have counts
 * 0 there; a metric a run has no value for (a pool it never made, latency without an ok request) is left out,
 * and a metric no run has is null.
 */
export function pointEstimates(runs: readonly RunFigures[], keys: readonly string[]): Record<string, Estimate | null> {
  const out: Record<string, Estimate | null> = {};
  for (const key of keys) {
    const values: number[] = [];
    for (const r of runs) {
      const v = r.metrics[key] ?? (key.startsWith('errors.') ? 0 : null);
      if (v !== null) values.push(v);
    }
    out[key] = values.length === 0 ? null : estimate(values);
  }
  return out;
}
