/**
 * Two runs side by side: for A (the baseline) and B (the run on show), the pools and requests charts (the
 * same views as the main ones, on one time axis, following the one cursor), then a table of their figures
 * with the rows that differ marked, and what differs in their inputs.
 */
import type { ViewState } from '../store.js';
import { el } from '../dom.js';
import type { SummaryRow } from '../compare-summary.js';
import { createPoolsView, type PoolsSource, type PoolsView } from './pools.js';
import { createRequestsView, type RequestsSource, type RequestsView } from './requests.js';

export interface CompareColumn {
  title: string;
  pools: PoolsSource;
  requests: RequestsSource;
}

export interface CompareData {
  a: CompareColumn;
  b: CompareColumn;
  rows: SummaryRow[];
  /** What B's inputs change from A's, one line each; empty: the same inputs. */
  differences: string[];
}

export interface CompareView {
  setData(data: CompareData | null): void;
  update(state: ViewState, domain: readonly [number, number]): void;
}

export function createCompareView(root: HTMLElement, actions: { setCursor(tUs: number): void }): CompareView {
  let columns: { pools: PoolsView; requests: RequestsView }[] = [];

  const summary = (data: CompareData) => {
    const head = el('tr', {}, el('th', {}, ''), el('th', {}, 'A (baseline)'), el('th', {}, 'B (on show)'));
    const rows = data.rows.map((r) => el('tr', r.differs ? { class: 'differs' } : {}, el('th', {}, r.label), el('td', {}, r.a), el('td', {}, r.b)));
    const diffs = data.differences.length === 0 ? [el('li', {}, 'none: same scenario, seed, parameters and faults')] : data.differences.map((d) => el('li', {}, d));
    return el('div', { class: 'compare-summary' }, el('table', { id: 'compare-table' }, el('thead', {}, head), el('tbody', {}, ...rows)), el('div', { class: 'compare-diffs' }, el('div', { class: 'chart-title' }, 'B differs from A in:'), el('ul', { id: 'compare-differences' }, ...diffs)));
  };

  return {
    setData(data) {
      root.replaceChildren();
      columns = [];
      root.hidden = data === null;
      if (data === null) return;
      const grid = el('div', { class: 'compare-columns' });
      root.append(el('h2', {}, 'Compare'), grid, summary(data));
      // The section is shown before the charts are made: each sizes itself to its column's width.
      for (const [key, column] of [['a', data.a], ['b', data.b]] as const) {
        const poolsBody = el('div', { class: 'body' });
        const requestsBody = el('div', { class: 'body' });
        grid.append(el('section', { class: 'view compare-column', 'data-run': key }, el('h2', {}, column.title), poolsBody, requestsBody));
        const pools = createPoolsView(poolsBody, actions);
        const requests = createRequestsView(requestsBody, actions, { idPrefix: `compare-${key}-` });
        pools.setSource(column.pools);
        requests.setSource(column.requests);
        columns.push({ pools, requests });
      }
    },
    update(state, domain) {
      for (const c of columns) {
        c.pools.update(state, domain);
        c.requests.update(state, domain);
      }
    },
  };
}
