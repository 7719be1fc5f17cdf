/**
 * Topology at the cursor: hosts in layers down the page in the direction requests flow (client at the top,
 * database at the bottom), a line per pair of hosts that ever held a TCP connection, labelled with the
 * connections established at the cursor and those still closing (TIME_WAIT holds a closed one for 60 s);
 * in each host its pools' active / idle / pending at the cursor. A link under a partition, hold, loss or latency fault at the cursor is drawn dashed red, a host
 * that is down, paused or slow is drawn red, with the fault named.
 */
import * as d3 from 'd3';
import type { FaultPeriod } from '../../model/types.js';
import type { ViewState } from '../store.js';

const NODE_W = 280;
const LINE_PX = 14;
/** Between layers: room for the link labels. */
const GAP_PX = 44;
const MARGIN_PX = 8;

export interface PoolFigures {
  name: string;
  /** null: the trace does not say which host holds it. */
  host: string | null;
  /** Figures at t as text: 'active 10 · idle 0 · pending 239'. */
  at(tUs: number): string;
}

/** A link's connections at an instant. */
export interface LinkFigures {
  established: number;
  /** SYN sent, no answer yet. */
  connecting: number;
  /** Closed by one side, not yet by both (TIME_WAIT included). */
  closing: number;
}

export interface TopologySource {
  /** Hosts in layers, first to last in the direction requests flow. */
  layers: readonly (readonly string[])[];
  /** Host pairs that ever had a connection, initiator first. */
  links: readonly (readonly [string, string])[];
  /** Keyed 'from>to'. */
  connectionsAt(tUs: number): Map<string, LinkFigures>;
  faultsAt(tUs: number): FaultPeriod[];
  pools: readonly PoolFigures[];
}

export interface TopologyView {
  setSource(source: TopologySource | null): void;
  update(state: ViewState): void;
}

export function createTopology(root: HTMLElement): TopologyView {
  let source: TopologySource | null = null;
  let svg: d3.Selection<SVGSVGElement, unknown, null, undefined> | null = null;
  /** Each host's box: top centre. */
  let positions = new Map<string, [number, number]>();
  let heights = new Map<string, number>();

  const build = () => {
    root.replaceChildren();
    svg = null;
    if (!source) return;
    const width = Math.max(420, root.clientWidth || 560);
    // Each layer is as tall as its tallest host: the name, a fault line, a line per pool.
    const poolsOn = (h: string) => source!.pools.filter((p) => p.host === h).length;
    const heightOf = (h: string) => (2 + poolsOn(h)) * LINE_PX + 8;
    positions = new Map();
    let y = MARGIN_PX;
    for (const layer of source.layers) {
      const slot = (width - 2 * MARGIN_PX) / layer.length;
      layer.forEach((h, i) => positions.set(h, [Math.max(NODE_W / 2 + 4, Math.min(width - NODE_W / 2 - 4, MARGIN_PX + slot * (i + 0.5))), y]));
      y += Math.max(...layer.map(heightOf)) + GAP_PX;
    }
    heights = new Map(source.layers.flat().map((h) => [h, heightOf(h)]));
    const unplaced = source.pools.filter((p) => p.host === null).length;
    const height = y - GAP_PX + MARGIN_PX + unplaced * LINE_PX;
    svg = d3.select(root).append('svg').attr('class', 'chart topology').attr('width', width).attr('height', height);
    svg.append('g').attr('class', 'links');
    svg.append('g').attr('class', 'nodes');
    svg.append('g').attr('class', 'unplaced').attr('transform', `translate(6,${height - MARGIN_PX - LINE_PX * (unplaced - 1)})`);
  };

  const draw = (tUs: number) => {
    if (!source || !svg) return;
    const open = source.connectionsAt(tUs);
    const faults = source.faultsAt(tUs);
    const linkFault = (a: string, b: string) => faults.find((f) => f.links !== undefined && f.targets.includes(a) && (f.targets.includes(b) || f.targets.length === 1));
    const hostFault = (h: string) => faults.find((f) => f.links === undefined && f.targets.includes(h));
    const links = svg.select('g.links').selectAll<SVGGElement, readonly [string, string]>('g.link-group').data(source.links, (d) => `${d[0]}>${d[1]}`)
      .join((enter) => {
        const g = enter.append('g').attr('class', 'link-group');
        g.append('line').attr('class', 'link');
        g.append('text').attr('text-anchor', 'middle');
        return g;
      });
    links.each(function ([a, b]) {
      // From the bottom of the initiator's box to the top of the acceptor's (or side by side in one layer).
      const [x1, top1] = positions.get(a) ?? [0, 0];
      const [x2, top2] = positions.get(b) ?? [0, 0];
      const y1 = top2 > top1 ? top1 + (heights.get(a) ?? 0) : top1 + 10;
      const y2 = top2 > top1 ? top2 : top2 + 10;
      const fault = linkFault(a, b);
      const g = d3.select(this);
      g.select('line').attr('x1', x1).attr('y1', y1).attr('x2', x2).attr('y2', y2).classed('faulted', fault !== undefined);
      const load = open.get(`${a}>${b}`);
      const parts = [`${load?.established ?? 0} established`];
      if (load && load.connecting > 0) parts.push(`${load.connecting} connecting`);
      if (load && load.closing > 0) parts.push(`${load.closing} closing`);
      if (fault) parts.push(fault.label);
      g.select('text').attr('x', (x1 + x2) / 2 + 6).attr('y', (y1 + y2) / 2 + 4).attr('text-anchor', 'start')
        .text(parts.join(' · ')).attr('fill', fault ? '#c92a2a' : '#4a5562');
    });
    const nodes = svg.select('g.nodes').selectAll<SVGGElement, string>('g.node').data(source.layers.flat(), (d) => d)
      .join((enter) => {
        const g = enter.append('g').attr('class', 'node');
        g.append('rect').attr('rx', 4);
        g.append('text').attr('class', 'name').attr('font-weight', 'bold');
        return g;
      });
    nodes.each(function (host) {
      const [x, y] = positions.get(host) ?? [0, 0];
      const fault = hostFault(host);
      const pools = source!.pools.filter((p) => p.host === host);
      const lines = [host, ...(fault ? [fault.label] : []), ...pools.map((p) => `${p.name}: ${p.at(tUs)}`)];
      const g = d3.select(this).classed('down', fault !== undefined).attr('transform', `translate(${x - NODE_W / 2},${y})`);
      const height = lines.length * LINE_PX + 8;
      g.select('rect').attr('width', NODE_W).attr('height', height);
      g.selectAll('text.line').data(lines.slice(1)).join('text').attr('class', 'line').attr('x', 5).attr('y', (_d, i) => 30 + i * LINE_PX)
        .text((d) => d).attr('font-size', 10).attr('fill', (_d, i) => (fault && i === 0 ? '#c92a2a' : '#1d232b'));
      g.select('text.name').attr('x', 5).attr('y', 15).text(host);
    });
    const unplaced = source.pools.filter((p) => p.host === null);
    svg.select('g.unplaced').selectAll('text').data(unplaced).join('text').attr('y', (_d, i) => i * LINE_PX).attr('font-size', 10)
      .text((p) => `pool ${p.name} (host unknown): ${p.at(tUs)}`);
  };

  return {
    setSource(next) {
      source = next;
      build();
    },
    update(state) {
      draw(state.cursorUs);
    },
  };
}

