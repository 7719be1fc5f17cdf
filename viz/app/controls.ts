/**
 * Time controls: a scrubber, play at a chosen speed, step to the next event of a kind (the next acquire
 * timeout, the next RST, the next fault), and an overview strip with the fault periods where a brush picks
 * the range the time charts show. Everything goes through the store's actions.
 */
import * as d3 from 'd3';
import type { FaultPeriod } from '../model/types.js';
import type { ViewState } from './store.js';
import { el } from './dom.js';
import { formatSeconds, formatTime } from './views/time-chart.js';

const SPEEDS = [0.01, 0.1, 0.5, 1, 2, 5, 10];
/** Kinds with a button of their own; the select offers every kind in the trace. */
const STEP_BUTTONS = [
  { kind: 'pool.timeout', label: 'Next timeout' },
  { kind: 'tcp.rst', label: 'Next RST' },
  { kind: 'req.end', label: 'Next request end' },
];
const STRIP_PX = 34;
/** Room either side of the strip for its first and last tick labels. */
const STRIP_PAD_PX = 14;

export interface ControlsSource {
  endUs: number;
  kinds: readonly string[];
  faults: readonly FaultPeriod[];
  /** Time of the first record of `kind` strictly after t, or null. */
  nextOfKind(kind: string, afterUs: number): number | null;
}

export interface ControlsActions {
  setCursor(tUs: number): void;
  setRange(range: readonly [number, number] | null): void;
  setPlaying(playing: boolean, speed: number): void;
}

export interface Controls {
  setSource(source: ControlsSource | null): void;
  update(state: ViewState): void;
}

export function createControls(root: HTMLElement, actions: ControlsActions): Controls {
  const play = el('button', { type: 'button', id: 'play' }, 'Play');
  const speed = el('select', { id: 'speed', 'aria-label': 'Speed (virtual per wall second)' });
  for (const s of SPEEDS) speed.append(el('option', { value: String(s) }, `${s}×`));
  speed.value = '1';
  const scrub = el('input', { type: 'range', id: 'scrub', min: '0', max: '1', step: '1', value: '0', 'aria-label': 'Time cursor' });
  const time = el('span', { class: 'time', id: 'cursor-time' }, formatTime(0));
  const kindSelect = el('select', { id: 'step-kind', 'aria-label': 'Kind to step to' });
  const stepKind = el('button', { type: 'button', id: 'step-next' }, 'Next of kind');
  const stepNote = el('span', { class: 'chart-title', id: 'step-note' });
  const buttons = STEP_BUTTONS.map((b) => {
    const button = el('button', { type: 'button', 'data-kind': b.kind }, b.label);
    button.addEventListener('click', () => step(b.kind));
    return button;
  });
  const strip = el('div', { id: 'overview', style: 'flex-basis:100%' });
  root.append(play, speed, scrub, time, ...buttons, kindSelect, stepKind, stepNote, strip);

  let source: ControlsSource | null = null;
  let state: ViewState | null = null;
  let brushSvg: d3.Selection<SVGSVGElement, unknown, null, undefined> | null = null;
  let stripX = d3.scaleLinear();
  let stripCursor: d3.Selection<SVGLineElement, unknown, null, undefined> | null = null;
  let brush: d3.BrushBehavior<unknown> | null = null;
  let shownRange: string = '';

  const step = (kind: string) => {
    if (!source || !state) return;
    const t = source.nextOfKind(kind, state.cursorUs);
    stepNote.textContent = t === null ? `no ${kind} after ${formatTime(state.cursorUs)}` : '';
    if (t !== null) actions.setCursor(t);
  };

  play.addEventListener('click', () => actions.setPlaying(!(state?.playing ?? false), Number(speed.value)));
  speed.addEventListener('change', () => actions.setPlaying(state?.playing ?? false, Number(speed.value)));
  scrub.addEventListener('input', () => actions.setCursor(Number(scrub.value)));
  stepKind.addEventListener('click', () => step(kindSelect.value));

  const buildStrip = () => {
    strip.replaceChildren();
    if (!source) return;
    const width = Math.max(320, strip.clientWidth || root.clientWidth || 800);
    stripX = d3.scaleLinear().domain([0, Math.max(1, source.endUs)]).range([STRIP_PAD_PX, width - STRIP_PAD_PX]);
    brushSvg = d3.select(strip).append('svg').attr('class', 'chart').attr('width', width).attr('height', STRIP_PX);
    for (const f of source.faults) {
      brushSvg.append('rect').attr('class', 'fault').attr('x', stripX(f.fromUs)).attr('width', Math.max(2, stripX(f.toUs ?? source.endUs) - stripX(f.fromUs))).attr('height', STRIP_PX - 12)
        .append('title').text(f.label);
    }
    brushSvg.append('g').attr('class', 'axis').attr('transform', `translate(0,${STRIP_PX - 12})`).call(d3.axisBottom(stripX).ticks(10).tickSize(3).tickFormat((d) => formatSeconds(Number(d))));
    stripCursor = brushSvg.append('line').attr('class', 'cursor').attr('y1', 0).attr('y2', STRIP_PX - 12);
    brush = d3.brushX().extent([[STRIP_PAD_PX, 0], [width - STRIP_PAD_PX, STRIP_PX - 12]]).on('end', (event: d3.D3BrushEvent<unknown>) => {
      if (!event.sourceEvent) return; // moved by code, not by the user
      const sel = event.selection as [number, number] | null;
      actions.setRange(sel && sel[1] - sel[0] > 2 ? [stripX.invert(sel[0]), stripX.invert(sel[1])] : null);
    });
    brushSvg.append('g').attr('class', 'brush').call(brush);
    strip.append(el('div', { class: 'chart-title' }, 'Drag on the strip to zoom every time chart to a range; click it to clear.'));
  };

  return {
    setSource(next) {
      source = next;
      shownRange = '';
      scrub.max = String(next?.endUs ?? 1);
      kindSelect.replaceChildren(...(next?.kinds ?? []).map((k) => el('option', { value: k }, k)));
      if (next?.kinds.includes('pool.timeout')) kindSelect.value = 'pool.timeout';
      buildStrip();
    },
    update(next) {
      state = next;
      scrub.value = String(next.cursorUs);
      time.textContent = formatTime(next.cursorUs);
      play.textContent = next.playing ? 'Pause' : 'Play';
      stripCursor?.attr('x1', stripX(next.cursorUs)).attr('x2', stripX(next.cursorUs));
      const rangeKey = next.range ? `${next.range[0]}:${next.range[1]}` : '';
      if (brush && brushSvg && rangeKey !== shownRange) {
        shownRange = rangeKey;
        const g = brushSvg.select<SVGGElement>('g.brush');
        if (next.range) brush.move(g, [stripX(next.range[0]), stripX(next.range[1])]);
        else brush.move(g, null);
      }
    },
  };
}
