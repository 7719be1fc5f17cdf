/**
 * Requests over time: throughput by outcome (stacked per bucket: ok, then each error), latency p50 / p99 /
 * max of the successful ones, and the errors by kind in the shown range. Buckets follow the shown range, so
 * a brushed second gets finer buckets than the whole run.
 */
import * as d3 from 'd3';
import type { FaultPeriod, LatencyBucket, ThroughputBucket } from '../../model/types.js';
import type { ViewState } from '../store.js';
import { el } from '../dom.js';
import { formatSeconds, timeChart, type TimeChart } from './time-chart.js';

/** Buckets across the shown range: enough to see a 2 s slope, few enough that each holds a count worth reading. */
const BUCKETS = 80;
const OK_COLOUR = '#2b8a3e';

export interface RequestsSource {
  endUs: number;
  faults: readonly FaultPeriod[];
  throughput(fromUs: number, toUs: number, bucketUs: number): ThroughputBucket[];
  latency(fromUs: number, toUs: number, bucketUs: number): LatencyBucket[];
  /**
   * Set when the charts sit beside another run's (compare): the y extents and outcome colours both share, so
   * bars and lines can be read across. Default: this source's own, from the buckets in view.
   */
  extents?(fromUs: number, toUs: number, bucketUs: number): RequestExtents;
}

/** What the y scales and the colours are drawn to. */
export interface RequestExtents {
  /** Most requests ended in one bucket. */
  countMax: number;
  /** Lowest p50 and highest max latency of ok requests, µs; null without any. */
  latencyMinUs: number | null;
  latencyMaxUs: number | null;
  /** Failure outcomes in first-seen order: each keeps its colour. */
  outcomes: string[];
}

export function requestExtents(tb: readonly ThroughputBucket[], lb: readonly LatencyBucket[]): RequestExtents {
  return {
    countMax: d3.max(tb, (b) => b.ok + b.failed) ?? 0,
    latencyMinUs: d3.min(lb, (b) => b.p50Us ?? undefined) ?? null,
    latencyMaxUs: d3.max(lb, (b) => b.maxUs ?? undefined) ?? null,
    outcomes: [...new Set(tb.flatMap((b) => [...b.byOutcome.keys()]))],
  };
}

/** The first bucket width the charts use for a domain: callers sharing extents ask for the same. */
export function bucketFor(domain: readonly [number, number]): number {
  return Math.max(1000, niceBucket((domain[1] - domain[0]) / BUCKETS));
}

export interface RequestsView {
  setSource(source: RequestsSource | null): void;
  update(state: ViewState, domain: readonly [number, number]): void;
}

/** idPrefix keeps element ids unique when a second view (compare) shares the page. */
export function createRequestsView(root: HTMLElement, actions: { setCursor(tUs: number): void }, options: { idPrefix?: string } = {}): RequestsView {
  const idPrefix = options.idPrefix ?? '';
  let source: RequestsSource | null = null;
  let throughput: TimeChart | null = null;
  let latency: TimeChart | null = null;
  let errors: HTMLElement | null = null;
  let domainKey = '';

  const build = () => {
    root.replaceChildren();
    domainKey = '';
    if (!source) return;
    const a = el('div', { id: `${idPrefix}chart-throughput`, class: 'chart-throughput' });
    const b = el('div', { id: `${idPrefix}chart-latency`, class: 'chart-latency' });
    errors = el('div', { id: `${idPrefix}chart-errors`, class: 'chart-errors' });
    root.append(a, b, errors);
    throughput = timeChart(a, { height: 150, title: 'throughput: requests ended per second, by outcome', onCursor: actions.setCursor });
    latency = timeChart(b, { height: 150, title: 'latency of ok requests: p50 · p99 · max (log scale)', onCursor: actions.setCursor });
  };

  const draw = (domain: readonly [number, number]) => {
    if (!source || !throughput || !latency || !errors) return;
    const bucketUs = bucketFor(domain);
    const tb = source.throughput(domain[0], domain[1], bucketUs);
    const lb = source.latency(domain[0], domain[1], bucketUs);
    const extents = source.extents?.(domain[0], domain[1], bucketUs) ?? requestExtents(tb, lb);
    const outcomes = ['ok', ...extents.outcomes];
    const colour = d3.scaleOrdinal<string, string>().domain(outcomes.slice(1)).range(d3.schemeSet1);
    const perS = 1e6 / bucketUs;

    throughput.setDomain(domain, source.faults, source.endUs);
    throughput.plot.selectAll('*').remove();
    throughput.svg.selectAll('.y-axis, .legend').remove();
    const yT = d3.scaleLinear().domain([0, Math.max(1, extents.countMax * perS)]).nice().range([throughput.innerHeight, 0]);
    throughput.svg.select('g').append('g').attr('class', 'axis y-axis').call(d3.axisLeft(yT).ticks(4));
    for (const b of tb) {
      let base = 0;
      for (const outcome of outcomes) {
        const n = outcome === 'ok' ? b.ok : b.byOutcome.get(outcome) ?? 0;
        if (n === 0) continue;
        const x0 = throughput.x(b.fromUs);
        throughput.plot.append('rect').attr('x', x0).attr('width', Math.max(1, throughput.x(b.toUs) - x0 - 1))
          .attr('y', yT((base + n) * perS)).attr('height', yT(base * perS) - yT((base + n) * perS))
          .attr('fill', outcome === 'ok' ? OK_COLOUR : colour(outcome)).append('title').text(`${outcome}: ${n} in ${formatSeconds(bucketUs)}`);
        base += n;
      }
    }
    const legend = throughput.svg.append('g').attr('class', 'legend').attr('transform', `translate(${throughput.innerWidth - 40 - 70 * Math.min(outcomes.length, 5)},10)`);
    outcomes.slice(0, 6).forEach((o, i) => {
      legend.append('rect').attr('x', i * 70).attr('y', -8).attr('width', 10).attr('height', 10).attr('fill', o === 'ok' ? OK_COLOUR : colour(o));
      legend.append('text').attr('x', i * 70 + 13).attr('y', 1).text(o.length > 9 ? `${o.slice(0, 8)}…` : o);
    });

    latency.setDomain(domain, source.faults, source.endUs);
    latency.plot.selectAll('*').remove();
    latency.svg.selectAll('.y-axis, .legend').remove();
    const maxUs = Math.max(1000, extents.latencyMaxUs ?? 1000);
    const yL = d3.scaleLog().domain([Math.max(1, Math.min(100, extents.latencyMinUs ?? 100)), maxUs * 1.2]).range([latency.innerHeight, 0]).clamp(true);
    latency.svg.select('g').append('g').attr('class', 'axis y-axis').call(d3.axisLeft(yL).ticks(4, '~s').tickFormat((d) => formatSeconds(Number(d))));
    const lines = [
      { key: 'p50Us', colour: '#1c5fb8', label: 'p50' },
      { key: 'p99Us', colour: '#e8590c', label: 'p99' },
      { key: 'maxUs', colour: '#c92a2a', label: 'max' },
    ] as const;
    const ll = latency.svg.append('g').attr('class', 'legend').attr('transform', `translate(${latency.innerWidth - 170},10)`);
    lines.forEach((l, i) => {
      const line = d3.line<LatencyBucket>().defined((b) => b[l.key] !== null).x((b) => latency!.x((b.fromUs + b.toUs) / 2)).y((b) => yL(b[l.key]!));
      latency!.plot.append('path').attr('class', `latency-${l.label}`).attr('d', line(lb) ?? '').attr('fill', 'none').attr('stroke', l.colour).attr('stroke-width', 1.5);
      ll.append('rect').attr('x', i * 55).attr('y', -8).attr('width', 10).attr('height', 10).attr('fill', l.colour);
      ll.append('text').attr('x', i * 55 + 13).attr('y', 1).text(l.label);
    });

    // Errors by kind over the shown range, largest first, as a bar list.
    const totals = new Map<string, number>();
    let ok = 0;
    for (const b of tb) {
      ok += b.ok;
      for (const [o, n] of b.byOutcome) totals.set(o, (totals.get(o) ?? 0) + n);
    }
    const rows = [...totals].sort((p, q) => q[1] - p[1]);
    errors.replaceChildren(el('div', { class: 'chart-title' }, `errors by kind in the shown range (${ok.toLocaleString('en')} ok)`));
    if (rows.length === 0) errors.append(el('div', { class: 'empty' }, 'no failed requests in the shown range'));
    const widest = rows[0]?.[1] ?? 1;
    const svg = d3.select(errors).append('svg').attr('class', 'chart').attr('width', 520).attr('height', rows.length * 18 + 4);
    const row = svg.selectAll('g').data(rows).join('g').attr('transform', (_d, i) => `translate(0,${i * 18})`);
    row.append('text').attr('x', 150).attr('y', 13).attr('text-anchor', 'end').text(([o]) => o);
    row.append('rect').attr('x', 156).attr('y', 3).attr('height', 12).attr('width', ([, n]) => Math.max(1, (n / widest) * 300)).attr('fill', ([o]) => colour(o));
    row.append('text').attr('x', ([, n]) => 160 + (n / widest) * 300).attr('y', 13).text(([, n]) => n.toLocaleString('en'));
  };

  return {
    setSource(next) {
      source = next;
      build();
    },
    update(state, domain) {
      if (!source || !throughput || !latency) return;
      const key = `${domain[0]}:${domain[1]}`;
      if (key !== domainKey) draw(domain);
      domainKey = key;
      throughput.setCursor(state.cursorUs);
      latency.setCursor(state.cursorUs);
    },
  };
}

/** A bucket width of 1, 2 or 5 times a power of ten µs, at least `us`. */
function niceBucket(us: number): number {
  const p = 10 ** Math.floor(Math.log10(Math.max(1, us)));
  for (const m of [1, 2, 5, 10]) if (m * p >= us) return m * p;
  return 10 * p;
}
