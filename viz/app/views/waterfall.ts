/**
 * One request's spans across hops, Jaeger-style: a row per span (host · phase) on the request's own time
 * axis, nested by start, coloured by host; the request's outcome on top. Buttons jump to the slowest request
 * and to failed ones; clicking a span moves the cursor to its start.
 */
import * as d3 from 'd3';
import type { RequestInfo, Span } from '../../model/types.js';
import type { ViewState } from '../store.js';
import { el } from '../dom.js';
import { formatSeconds, formatTime } from './time-chart.js';

const ROW_PX = 18;
const LABEL_PX = 190;

/** What the waterfall reads from a run. */
export interface WaterfallSource {
  request(id: string): RequestInfo | undefined;
  spans(request: RequestInfo): Span[];
  slowest(): RequestInfo | undefined;
  /** The first failed request starting at or after t. */
  failedFrom(tUs: number): RequestInfo | undefined;
  /** The request in flight at t (the latest started), if any. */
  inFlightAt(tUs: number): RequestInfo | undefined;
}

export interface WaterfallView {
  setSource(source: WaterfallSource | null): void;
  update(state: ViewState): void;
}

export function createWaterfall(root: HTMLElement, actions: { select(id: string | null): void; setCursor(tUs: number): void }): WaterfallView {
  const slowest = el('button', { type: 'button', id: 'req-slowest' }, 'Slowest');
  const failed = el('button', { type: 'button', id: 'req-failed' }, 'First failed');
  const nextFailed = el('button', { type: 'button', id: 'req-next-failed' }, 'Next failed after cursor');
  const atCursor = el('button', { type: 'button', id: 'req-at-cursor' }, 'At cursor');
  const idInput = el('input', { type: 'text', placeholder: 'request id (r12)', 'aria-label': 'Request id', size: '10' });
  const summary = el('div', { class: 'chart-title', id: 'waterfall-summary' });
  const chart = el('div', {});
  root.append(el('div', { class: 'buttons' }, slowest, failed, nextFailed, atCursor, idInput), summary, chart);

  let source: WaterfallSource | null = null;
  let shownId: string | null | undefined;
  let cursorUs = 0;

  slowest.addEventListener('click', () => actions.select(source?.slowest()?.id ?? null));
  failed.addEventListener('click', () => actions.select(source?.failedFrom(0)?.id ?? null));
  nextFailed.addEventListener('click', () => actions.select(source?.failedFrom(cursorUs + 1)?.id ?? null));
  atCursor.addEventListener('click', () => actions.select(source?.inFlightAt(cursorUs)?.id ?? null));
  idInput.addEventListener('change', () => actions.select(idInput.value.trim() || null));

  const draw = (request: RequestInfo | undefined, id: string | null) => {
    chart.replaceChildren();
    if (!request) {
      summary.textContent = id ? `no request ${id} in this trace` : 'Pick a request: slowest, a failed one, or one in flight at the cursor.';
      return;
    }
    const spans = source!.spans(request).sort((a, b) => a.startUs - b.startUs || b.endUs - a.endUs);
    const endUs = Math.max(request.endUs ?? request.startUs, ...spans.map((s) => s.endUs));
    const durationUs = (request.endUs ?? endUs) - request.startUs;
    summary.textContent = `${request.id} from ${request.origin}: ${request.outcome ?? 'in flight'} after ${formatSeconds(durationUs)}, ${request.attempts} attempt(s), started ${formatTime(request.startUs)}`;
    const width = Math.max(360, root.clientWidth || 560);
    const height = (spans.length + 1) * ROW_PX + 24;
    // The axis counts from the request's start, so its ticks are round offsets (0, 200ms, …).
    const offset = d3.scaleLinear().domain([0, Math.max(1, endUs - request.startUs)]).range([LABEL_PX, width - 10]);
    const x = (tUs: number) => offset(tUs - request.startUs);
    const hosts = [...new Set(spans.map((s) => s.host))];
    const colour = d3.scaleOrdinal<string, string>().domain(hosts).range(d3.schemeTableau10);
    const svg = d3.select(chart).append('svg').attr('class', 'chart').attr('width', width).attr('height', height);
    svg.append('g').attr('class', 'axis').attr('transform', `translate(0,${height - 20})`)
      .call(d3.axisBottom(offset).ticks(6).tickFormat((d) => formatSeconds(Number(d))));
    const rows: { label: string; startUs: number; endUs: number; fill: string; title: string }[] = [
      { label: `${request.origin} · request ${request.outcome ?? 'in flight'}`, startUs: request.startUs, endUs: request.endUs ?? endUs, fill: request.outcome === 'ok' ? '#2b8a3e' : '#c92a2a', title: request.id },
      ...spans.map((s) => ({ label: `${s.host} · ${s.phase}${s.attempt > 1 ? ` #${s.attempt}` : ''}`, startUs: s.startUs, endUs: s.endUs, fill: colour(s.host), title: `${s.host} ${s.phase}: ${formatSeconds(s.endUs - s.startUs)}` })),
    ];
    const row = svg.selectAll('g.row').data(rows).join('g').attr('class', 'row waterfall-bar').attr('transform', (_d, i) => `translate(0,${i * ROW_PX})`)
      .on('click', (_event, d) => actions.setCursor(d.startUs));
    row.append('text').attr('x', 4).attr('y', 13).text((d) => d.label);
    row.append('rect').attr('x', (d) => x(d.startUs)).attr('y', 3).attr('height', ROW_PX - 6).attr('width', (d) => Math.max(1.5, x(d.endUs) - x(d.startUs))).attr('fill', (d) => d.fill)
      .append('title').text((d) => d.title);
    row.append('text').attr('x', (d) => x(d.endUs) + 3).attr('y', 13).attr('fill', '#6b7684').text((d) => formatSeconds(d.endUs - d.startUs))
      .attr('text-anchor', (d) => (x(d.endUs) > width - 60 ? 'end' : 'start')).attr('dx', (d) => (x(d.endUs) > width - 60 ? -6 : 0));
  };

  return {
    setSource(next) {
      source = next;
      shownId = undefined;
      chart.replaceChildren();
    },
    update(state) {
      cursorUs = state.cursorUs;
      if (!source || state.requestId === shownId) return;
      shownId = state.requestId;
      idInput.value = state.requestId ?? '';
      draw(state.requestId ? source.request(state.requestId) : undefined, state.requestId);
    },
  };
}
