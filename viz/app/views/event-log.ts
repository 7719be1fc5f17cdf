/**
 * The event log: every trace record, virtualised (only the rows in view exist in the DOM, so a million
 * records scroll like ten), filtered by host, kind, request and connection. Clicking a row moves the cursor
 * to its time; moving the cursor elsewhere scrolls the log to the first record at or after it.
 */
import type { TraceRecord } from '../../model/types.js';
import type { LogFilter, ViewState } from '../store.js';
import { el } from '../dom.js';
import { formatTime } from './time-chart.js';

const ROW_PX = 18;
const OVERSCAN_ROWS = 10;

/** What the log reads from a run: its records by index, in trace (time) order. */
export interface LogSource {
  count: number;
  record(index: number): TraceRecord;
  /** Time, kind and host of a record without building it: filtering a million records must not parse them. */
  time(index: number): number;
  kind(index: number): string;
  host(index: number): string | undefined;
  hosts: readonly string[];
  kinds: readonly string[];
}

export interface EventLogView {
  setSource(source: LogSource | null): void;
  update(state: ViewState): void;
}

export function createEventLog(root: HTMLElement, actions: { setCursor(tUs: number): void; setFilter(filter: LogFilter): void }): EventLogView {
  const host = el('select', { 'aria-label': 'Filter by host', name: 'log-host' });
  const kind = el('select', { 'aria-label': 'Filter by kind', name: 'log-kind' });
  const req = el('input', { type: 'text', placeholder: 'request (r12)', 'aria-label': 'Filter by request', name: 'log-req' });
  const conn = el('input', { type: 'text', placeholder: 'connection contains', 'aria-label': 'Filter by connection', name: 'log-conn' });
  const count = el('span', { class: 'chart-title' });
  const viewport = el('div', { class: 'log-viewport', tabindex: '0' });
  const spacer = el('div', {});
  viewport.append(spacer);
  root.append(el('div', { class: 'log-filter' }, host, kind, req, conn, count), viewport);

  let source: LogSource | null = null;
  let filterKey = '';
  let rows: Int32Array | null = null; // indexes of the records that pass the filter; null: all
  let cursorUs = -1;
  let atCursorRow = -1;
  let lastRendered = '';

  const rowCount = () => (rows ? rows.length : source?.count ?? 0);
  const recordIndex = (row: number) => (rows ? rows[row]! : row);

  const readFilter = (): LogFilter => ({ host: host.value, kind: kind.value, req: req.value.trim(), conn: conn.value.trim() });
  for (const input of [host, kind]) input.addEventListener('change', () => actions.setFilter(readFilter()));
  for (const input of [req, conn]) input.addEventListener('input', () => actions.setFilter(readFilter()));

  const applyFilter = (f: LogFilter) => {
    const key = JSON.stringify(f);
    if (key === filterKey || !source) return;
    filterKey = key;
    if (!f.host && !f.kind && !f.req && !f.conn) {
      rows = null;
    } else {
      const out: number[] = [];
      for (let i = 0; i < source.count; i++) {
        if (f.host && source.host(i) !== f.host) continue;
        if (f.kind && source.kind(i) !== f.kind) continue;
        if (f.req || f.conn) {
          const r = source.record(i);
          // A request's id also finds its sub-requests: r12 finds the database query r12.1.
          if (f.req && String(r.req ?? '') !== f.req && !String(r.req ?? '').startsWith(`${f.req}.`)) continue;
          if (f.conn && !String(r.conn ?? '').includes(f.conn)) continue;
        }
        out.push(i);
      }
      rows = Int32Array.from(out);
    }
    spacer.style.height = `${rowCount() * ROW_PX}px`;
    count.textContent = `${rowCount().toLocaleString('en')} of ${source.count.toLocaleString('en')} records`;
    lastRendered = '';
  };

  /** The first row at or after t (binary search: rows are in time order). */
  const rowAt = (tUs: number): number => {
    let lo = 0;
    let hi = rowCount();
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (source!.time(recordIndex(mid)) < tUs) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };

  const render = () => {
    if (!source) return;
    const first = Math.max(0, Math.floor(viewport.scrollTop / ROW_PX) - OVERSCAN_ROWS);
    const last = Math.min(rowCount(), Math.ceil((viewport.scrollTop + viewport.clientHeight) / ROW_PX) + OVERSCAN_ROWS);
    const key = `${first}:${last}:${atCursorRow}:${filterKey}`;
    if (key === lastRendered) return;
    lastRendered = key;
    const nodes: HTMLElement[] = [spacer];
    for (let row = first; row < last; row++) {
      const index = recordIndex(row);
      const r = source.record(index);
      const line = el('div', { class: row === atCursorRow ? 'log-row at-cursor' : 'log-row', 'data-t': String(r.t) });
      line.style.top = `${row * ROW_PX}px`;
      line.append(el('span', { class: 't' }, formatTime(r.t)), el('span', { class: 'k' }, r.kind), el('span', { class: 'h' }, r.host ?? ''), describe(r));
      line.title = `#${index}`;
      nodes.push(line);
    }
    viewport.replaceChildren(...nodes);
  };

  viewport.addEventListener('scroll', render);
  viewport.addEventListener('click', (event) => {
    const line = (event.target as HTMLElement).closest('.log-row');
    if (line instanceof HTMLElement) actions.setCursor(Number(line.dataset.t));
  });

  return {
    setSource(next) {
      source = next;
      filterKey = '';
      rows = null;
      cursorUs = -1;
      const options = (select: HTMLSelectElement, all: string, values: readonly string[]) => {
        select.replaceChildren(el('option', { value: '' }, all), ...values.map((v) => el('option', { value: v }, v)));
      };
      options(host, 'every host', next?.hosts ?? []);
      options(kind, 'every kind', next?.kinds ?? []);
      req.value = '';
      conn.value = '';
      viewport.scrollTop = 0;
      if (next) applyFilter({ host: '', kind: '', req: '', conn: '' });
      else viewport.replaceChildren(spacer);
      render();
    },
    update(state) {
      if (!source) return;
      applyFilter(state.logFilter);
      if (state.cursorUs !== cursorUs) {
        cursorUs = state.cursorUs;
        atCursorRow = rowAt(cursorUs);
        const top = atCursorRow * ROW_PX;
        // Scroll only when the cursor's row is out of view: a click in the log keeps the log where it is.
        if (top < viewport.scrollTop || top > viewport.scrollTop + viewport.clientHeight - ROW_PX) viewport.scrollTop = Math.max(0, top - ROW_PX * 3);
      }
      render();
    },
  };
}

/** The rest of a record on one line: actor, conn, req and fields, as text. */
function describe(r: TraceRecord): string {
  const parts: string[] = [];
  if (r.actor !== undefined) parts.push(`actor=${r.actor}`);
  if (r.conn !== undefined) parts.push(`conn=${r.conn}`);
  if (r.req !== undefined) parts.push(`req=${r.req}`);
  if (r.fields !== undefined) parts.push(JSON.stringify(r.fields));
  return parts.join(' ');
}
