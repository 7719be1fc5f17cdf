/**
 * Comparing two runs: the pin buttons that make the run on show the baseline (run A), and the compare view's
 * data for A and the run on show (B): each run's pools and requests sources, set to share their y scales and
 * colours, the summary table and what differs between their inputs.
 */
import type { RunModel } from '../model/run-model.js';
import type { PoolInfo } from '../model/types.js';
import { runDifferences, summarizeRun, summaryRows } from './compare-summary.js';
import { el } from './dom.js';
import { poolsSource, requestsSource } from './sources.js';
import type { CompareData } from './views/compare-view.js';
import { poolPeak, poolWeight, type PoolsSource } from './views/pools.js';
import { requestExtents, type RequestExtents, type RequestsSource } from './views/requests.js';

export function compareData(a: RunModel, b: RunModel): CompareData {
  const [poolsA, poolsB] = sharedPools(poolsSource(a), poolsSource(b));
  const [requestsA, requestsB] = sharedRequests(requestsSource(a), requestsSource(b));
  return {
    a: { title: runTitle('A (baseline)', a), pools: poolsA, requests: requestsA },
    b: { title: runTitle('B (on show)', b), pools: poolsB, requests: requestsB },
    rows: summaryRows(summarizeRun(a), summarizeRun(b)),
    differences: runDifferences(a.header, b.header),
  };
}

function runTitle(which: string, m: RunModel): string {
  return `${which}: ${String(m.header.scenario)} · seed ${String(m.header.seed)} · digest ${m.digest ?? '?'}`;
}

/** Pools matched by name: each drawn to the higher of the two peaks, both lists in one order. */
export function sharedPools(a: PoolsSource, b: PoolsSource): [PoolsSource, PoolsSource] {
  const byName = (pools: readonly PoolInfo[]) => new Map(pools.map((p) => [p.name, p]));
  const inA = byName(a.pools);
  const inB = byName(b.pools);
  const both = (pool: PoolInfo, f: (p: PoolInfo) => number) => Math.max(...[inA.get(pool.name), inB.get(pool.name)].filter((p) => p !== undefined).map(f));
  const shared = { peak: (pool: PoolInfo) => both(pool, poolPeak), weight: (pool: PoolInfo) => both(pool, poolWeight) };
  return [{ ...a, shared }, { ...b, shared }];
}

/** Both request charts drawn to the larger extents of the two runs, failures coloured alike. */
export function sharedRequests(a: RequestsSource, b: RequestsSource): [RequestsSource, RequestsSource] {
  const extents = (fromUs: number, toUs: number, bucketUs: number): RequestExtents => {
    const x = requestExtents(a.throughput(fromUs, toUs, bucketUs), a.latency(fromUs, toUs, bucketUs));
    const y = requestExtents(b.throughput(fromUs, toUs, bucketUs), b.latency(fromUs, toUs, bucketUs));
    const least = (p: number | null, q: number | null) => (p === null ? q : q === null ? p : Math.min(p, q));
    const most = (p: number | null, q: number | null) => (p === null ? q : q === null ? p : Math.max(p, q));
    return {
      countMax: Math.max(x.countMax, y.countMax),
      latencyMinUs: least(x.latencyMinUs, y.latencyMinUs),
      latencyMaxUs: most(x.latencyMaxUs, y.latencyMaxUs),
      outcomes: [...new Set([...x.outcomes, ...y.outcomes])],
    };
  };
  return [{ ...a, extents }, { ...b, extents }];
}

export interface PinPanel {
  update(model: RunModel | null, baseline: RunModel | null): void;
}

/** "Pin as baseline" and "Unpin"; the store holds the pinned run, these only ask for changes. */
export function createPinPanel(root: HTMLElement, actions: { pin(): void; unpin(): void }): PinPanel {
  const pin = el('button', { type: 'button', id: 'pin-baseline', title: 'Keep the run on show as run A, to compare the next run with' }, 'Pin as baseline');
  const unpin = el('button', { type: 'button', id: 'unpin-baseline', title: 'Forget the baseline and close the comparison' }, 'Unpin');
  const note = el('span', { class: 'chart-title', id: 'baseline-note' });
  root.append(pin, unpin, note);
  pin.addEventListener('click', actions.pin);
  unpin.addEventListener('click', actions.unpin);
  return {
    update(model, baseline) {
      pin.disabled = model === null || model === baseline;
      unpin.disabled = baseline === null;
      note.textContent =
        baseline === null ? '' : `baseline: ${String(baseline.header.scenario)} · seed ${String(baseline.header.seed)} · digest ${baseline.digest ?? '?'}${model === baseline ? ' (on show: run another to compare)' : ''}`;
    },
  };
}
