/**
 * The frame every time chart shares: an x scale over the store's domain, an axis in seconds, fault periods
 * shaded, the cursor as a line, and a click that moves the cursor. Views draw their series inside it; the
 * frame redraws only the cursor when the cursor alone moves.
 */
import * as d3 from 'd3';
import type { FaultPeriod } from '../../model/types.js';

export const MARGIN = { top: 8, right: 12, bottom: 20, left: 44 };
/** A fault label's width per character at the 10 px label font, and its row height: enough to keep labels apart. */
const LABEL_CHAR_PX = 5.6;
const LABEL_ROW_PX = 11;
/** Clip path ids, unique in the page (counted, so the DOM is the same on every load). */
let clips = 0;

export interface TimeChart {
  svg: d3.Selection<SVGSVGElement, unknown, null, undefined>;
  /** Series go here, under the cursor and above the fault shading. */
  plot: d3.Selection<SVGGElement, unknown, null, undefined>;
  x: d3.ScaleLinear<number, number>;
  innerWidth: number;
  innerHeight: number;
  /** Redraws the axis and fault shading for a domain; views then redraw their series. */
  setDomain(domain: readonly [number, number], faults: readonly FaultPeriod[], endUs: number): void;
  setCursor(tUs: number): void;
}

export function timeChart(container: HTMLElement, options: { height: number; title: string; onCursor: (tUs: number) => void }): TimeChart {
  const width = Math.max(320, container.clientWidth || 560);
  const innerWidth = width - MARGIN.left - MARGIN.right;
  const innerHeight = options.height - MARGIN.top - MARGIN.bottom;
  d3.select(container).append('div').attr('class', 'chart-title').text(options.title);
  const svg = d3.select(container).append('svg').attr('class', 'chart').attr('width', width).attr('height', options.height);
  const root = svg.append('g').attr('transform', `translate(${MARGIN.left},${MARGIN.top})`);
  const clipId = `clip-${++clips}`;
  svg.append('defs').append('clipPath').attr('id', clipId).append('rect').attr('width', innerWidth).attr('height', innerHeight);
  const faultLayer = root.append('g').attr('clip-path', `url(#${clipId})`);
  const plot = root.append('g').attr('clip-path', `url(#${clipId})`);
  const axis = root.append('g').attr('class', 'axis').attr('transform', `translate(0,${innerHeight})`);
  const cursor = root.append('line').attr('class', 'cursor').attr('y1', 0).attr('y2', innerHeight);
  const x = d3.scaleLinear().range([0, innerWidth]);
  // One handler on the svg: a click anywhere over the plot moves the cursor, except on controls marked no-cursor.
  svg.on('click.cursor', (event: MouseEvent) => {
    if ((event.target as Element).closest('.no-cursor')) return;
    const [px] = d3.pointer(event, root.node());
    if (px >= 0 && px <= innerWidth) options.onCursor(x.invert(px));
  });

  return {
    svg,
    plot,
    x,
    innerWidth,
    innerHeight,
    setDomain(domain, faults, endUs) {
      x.domain(domain);
      axis.call(d3.axisBottom(x).ticks(Math.max(2, Math.floor(innerWidth / 80))).tickFormat((d) => formatSeconds(Number(d))));
      faultLayer.selectAll('*').remove();
      // Labels go in the first row where they overlap no earlier one (faults come sorted by start).
      const rowEnds: number[] = [];
      for (const f of faults) {
        const from = x(f.fromUs);
        const to = x(f.toUs ?? endUs);
        if (to < 0 || from > innerWidth) continue;
        faultLayer.append('rect').attr('class', 'fault').attr('x', from).attr('width', Math.max(1, to - from)).attr('height', innerHeight).append('title').text(f.label);
        const labelX = Math.max(2, from + 2);
        let row = rowEnds.findIndex((end) => end < labelX);
        if (row < 0) row = rowEnds.push(0) - 1;
        rowEnds[row] = labelX + f.label.length * LABEL_CHAR_PX + 6;
        faultLayer.append('text').attr('class', 'fault-label').attr('x', labelX).attr('y', 10 + row * LABEL_ROW_PX).text(f.label);
      }
    },
    setCursor(tUs) {
      const px = x(tUs);
      cursor.attr('x1', px).attr('x2', px).attr('visibility', px >= 0 && px <= innerWidth ? 'visible' : 'hidden');
    },
  };
}

/** µs as seconds for an axis: '12s', '12.5s', '350ms' below a second. */
export function formatSeconds(us: number): string {
  if (Math.abs(us) < 1_000_000 && us !== 0) return `${+(us / 1000).toFixed(1)}ms`;
  return `${+(us / 1e6).toFixed(3)}s`;
}

/** µs for a readout: '12.345678 s'. */
export function formatTime(us: number): string {
  return `${(us / 1e6).toFixed(6)} s`;
}
