/**
 * Pools and queues over time: per pool, active / idle / pending from its gauges with the pool's maximum as a
 * dashed line and a red tick for every acquire timeout (pool.timeout); fault periods shaded. Pools that
 * queued or timed out come first: they are the story.
 */
import * as d3 from 'd3';
import type { FaultPeriod, PoolInfo } from '../../model/types.js';
import type { ViewState } from '../store.js';
import { el } from '../dom.js';
import { gaugeBand, gaugeLine } from './gauge-path.js';
import { timeChart, type TimeChart } from './time-chart.js';

const HEIGHT_PX = 150;
const SERIES = [
  { key: 'active', colour: '#1c5fb8' },
  { key: 'idle', colour: '#2b8a3e' },
  { key: 'pending', colour: '#e8590c' },
] as const;

export interface PoolsSource {
  endUs: number;
  pools: readonly PoolInfo[];
  faults: readonly FaultPeriod[];
  /** Times of a pool's acquire timeouts, µs. */
  timeoutTimes(pool: PoolInfo): number[];
  /**
   * Set when the chart sits beside another run's (compare): both draw a pool to one y maximum and list pools
   * in one order, so their heights can be read across. Default: the pool's own peak and weight.
   */
  shared?: { peak(pool: PoolInfo): number; weight(pool: PoolInfo): number };
}

/** The y maximum a pool's chart needs: its cap, its size, any series' peak. */
export function poolPeak(pool: PoolInfo): number {
  return Math.max(1, pool.maxSize ?? 0, pool.total?.peak ?? 0, ...SERIES.map((s) => pool[s.key]?.peak ?? 0));
}

/** Pools that queued or timed out weigh most: they come first. */
export function poolWeight(pool: PoolInfo): number {
  return pool.timeouts.length * 1e6 + (pool.pending?.peak ?? 0);
}

export interface PoolsView {
  setSource(source: PoolsSource | null): void;
  update(state: ViewState, domain: readonly [number, number]): void;
}

interface PoolChart {
  chart: TimeChart;
  pool: PoolInfo;
  readout: HTMLElement;
  timeouts: number[];
  y: d3.ScaleLinear<number, number>;
}

export function createPoolsView(root: HTMLElement, actions: { setCursor(tUs: number): void }): PoolsView {
  let source: PoolsSource | null = null;
  let charts: PoolChart[] = [];
  let domainKey = '';

  const build = () => {
    root.replaceChildren();
    charts = [];
    domainKey = '';
    if (!source) return;
    if (source.pools.length === 0) {
      root.append(el('div', { class: 'empty' }, 'No pool gauges in this trace.'));
      return;
    }
    const weight = source.shared?.weight ?? poolWeight;
    const pools = [...source.pools].sort((a, b) => weight(b) - weight(a));
    for (const pool of pools) {
      const box = el('div', { class: 'pool', 'data-pool': pool.name });
      const readout = el('div', { class: 'chart-title' });
      root.append(box);
      const chart = timeChart(box, { height: HEIGHT_PX, title: `pool ${pool.name}${pool.host ? ` on ${pool.host}` : ''}`, onCursor: actions.setCursor });
      box.append(readout);
      const peak = source.shared?.peak(pool) ?? poolPeak(pool);
      const y = d3.scaleLinear().domain([0, peak * 1.08]).nice().range([chart.innerHeight, 0]);
      chart.svg.select('g').append('g').attr('class', 'axis').call(d3.axisLeft(y).ticks(4));
      const legend = chart.svg.append('g').attr('class', 'legend').attr('transform', `translate(${chart.innerWidth - 190},10)`);
      SERIES.forEach((s, i) => {
        legend.append('rect').attr('x', i * 64).attr('y', -8).attr('width', 10).attr('height', 10).attr('fill', s.colour);
        legend.append('text').attr('x', i * 64 + 13).attr('y', 1).text(s.key);
      });
      charts.push({ chart, pool, readout, timeouts: source.timeoutTimes(pool), y });
    }
  };

  const drawSeries = (c: PoolChart, domain: readonly [number, number]) => {
    const { chart, pool, y } = c;
    chart.setDomain(domain, source!.faults, source!.endUs);
    chart.plot.selectAll('*').remove();
    for (const s of SERIES) {
      const series = pool[s.key];
      if (!series) continue;
      chart.plot.append('path').attr('d', gaugeBand(series, chart.x, y, domain)).attr('fill', s.colour).attr('opacity', 0.18);
      chart.plot.append('path').attr('class', `series-${s.key}`).attr('d', gaugeLine(series, chart.x, y, domain, source!.endUs)).attr('fill', 'none').attr('stroke', s.colour).attr('stroke-width', 1.5);
    }
    if (pool.total) {
      chart.plot.append('path').attr('class', 'series-total').attr('d', gaugeLine(pool.total, chart.x, y, domain, source!.endUs)).attr('fill', 'none').attr('stroke', '#868e96').attr('stroke-width', 1).attr('stroke-dasharray', '2 2');
    }
    if (pool.maxSize !== null) {
      chart.plot.append('line').attr('class', 'max-line').attr('x1', 0).attr('x2', chart.innerWidth).attr('y1', y(pool.maxSize)).attr('y2', y(pool.maxSize));
      chart.plot.append('text').attr('x', 4).attr('y', y(pool.maxSize) - 3).text(`max ${pool.maxSize}`);
    }
    // Timeouts as ticks along the bottom edge: hundreds of them merge into a red bar, which is the point.
    const inView = c.timeouts.filter((t) => t >= domain[0] && t <= domain[1]);
    chart.plot.append('g').attr('class', 'timeouts').selectAll('line').data(inView).join('line').attr('class', 'timeout')
      .attr('x1', (t) => chart.x(t)).attr('x2', (t) => chart.x(t)).attr('y1', chart.innerHeight - 10).attr('y2', chart.innerHeight);
  };

  return {
    setSource(next) {
      source = next;
      build();
    },
    update(state, domain) {
      if (!source) return;
      const key = `${domain[0]}:${domain[1]}`;
      for (const c of charts) {
        if (key !== domainKey) drawSeries(c, domain);
        c.chart.setCursor(state.cursorUs);
        const parts = SERIES.map((s) => {
          const series = c.pool[s.key];
          return series ? `${s.key} ${series.valueAt(state.cursorUs)}` : null;
        }).filter((p) => p !== null);
        const timeoutsBefore = d3.bisectRight(c.timeouts, state.cursorUs);
        c.readout.textContent = `at cursor: ${parts.join(' · ')} · ${timeoutsBefore} of ${c.timeouts.length} acquire timeouts so far`;
      }
      domainKey = key;
    },
  };
}
