/**
 * Topology at the cursor: hosts in a ring, a line per pair of hosts that ever held a TCP connection,
 * labelled with the connections open at the cursor; under each host its pools' active / idle / pending at
 * the cursor. A link under a partition, hold, loss or latency fault at the cursor is drawn dashed red, a host
 * that is down, paused or slow is drawn red, with the fault named.
 */
import * as d3 from 'd3';
import type { FaultPeriod } from '../../model/types.js';
import type { ViewState } from '../store.js';

const HEIGHT_PX = 360;
const NODE_W = 230;

export interface PoolFigures {
  name: string;
  /** null: the trace does not say which host holds it. */
  host: string | null;
  /** Figures at t as text: 'active 10 · idle 0 · pending 239'. */
  at(tUs: number): string;
}

export interface TopologySource {
  hosts: readonly string[];
  /** Host pairs that ever had a connection, initiator first. */
  links: readonly (readonly [string, string])[];
  connectionsAt(tUs: number): Map<string, number>;
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
  let positions = new Map<string, [number, number]>();

  const build = () => {
    root.replaceChildren();
    svg = null;
    if (!source) return;
    const width = Math.max(420, root.clientWidth || 560);
    svg = d3.select(root).append('svg').attr('class', 'chart topology').attr('width', width).attr('height', HEIGHT_PX);
    const n = source.hosts.length;
    const rx = width / 2 - NODE_W / 2 - 10;
    const ry = HEIGHT_PX / 2 - 50;
    positions = new Map(source.hosts.map((h, i) => {
      // Start at the left and go round clockwise: with a client first, traffic reads left to right.
      const a = Math.PI + (2 * Math.PI * i) / Math.max(1, n);
      const x = Math.min(width - NODE_W / 2 - 4, Math.max(NODE_W / 2 + 4, width / 2 + rx * Math.cos(a)));
      return [h, [x, HEIGHT_PX / 2 - 10 + ry * Math.sin(a)]];
    }));
    svg.append('g').attr('class', 'links');
    svg.append('g').attr('class', 'nodes');
    svg.append('g').attr('class', 'unplaced').attr('transform', `translate(6,${HEIGHT_PX - 6 - 14 * source.pools.filter((p) => p.host === null).length})`);
  };

  const draw = (tUs: number) => {
    if (!source || !svg) return;
    const open = source.connectionsAt(tUs);
    const faults = source.faultsAt(tUs);
    const linkFault = (a: string, b: string) => faults.find((f) => linkKinds.has(f.kind) && f.targets.includes(a) && (f.targets.includes(b) || f.targets.length === 1));
    const hostFault = (h: string) => faults.find((f) => !linkKinds.has(f.kind) && f.targets.includes(h));
    const links = svg.select('g.links').selectAll<SVGGElement, readonly [string, string]>('g.link-group').data(source.links, (d) => `${d[0]}>${d[1]}`)
      .join((enter) => {
        const g = enter.append('g').attr('class', 'link-group');
        g.append('line').attr('class', 'link');
        g.append('text').attr('text-anchor', 'middle');
        return g;
      });
    links.each(function ([a, b]) {
      const [x1, y1] = positions.get(a) ?? [0, 0];
      const [x2, y2] = positions.get(b) ?? [0, 0];
      const fault = linkFault(a, b);
      const g = d3.select(this);
      g.select('line').attr('x1', x1).attr('y1', y1).attr('x2', x2).attr('y2', y2).classed('faulted', fault !== undefined);
      const count = open.get(`${a}>${b}`) ?? 0;
      g.select('text').attr('x', (x1 + x2) / 2).attr('y', (y1 + y2) / 2 - 4)
        .text(`${count} conn${count === 1 ? '' : 's'}${fault ? ` · ${fault.label}` : ''}`).attr('fill', fault ? '#c92a2a' : '#4a5562');
    });
    const nodes = svg.select('g.nodes').selectAll<SVGGElement, string>('g.node').data(source.hosts, (d) => d)
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
      const g = d3.select(this).classed('down', fault !== undefined).attr('transform', `translate(${x - NODE_W / 2},${y - 12})`);
      const height = lines.length * 14 + 8;
      g.select('rect').attr('width', NODE_W).attr('height', height);
      g.selectAll('text.line').data(lines.slice(1)).join('text').attr('class', 'line').attr('x', 5).attr('y', (_d, i) => 30 + i * 14)
        .text((d) => d).attr('font-size', 10).attr('fill', (_d, i) => (fault && i === 0 ? '#c92a2a' : '#1d232b'));
      g.select('text.name').attr('x', 5).attr('y', 15).text(host);
    });
    const unplaced = source.pools.filter((p) => p.host === null);
    svg.select('g.unplaced').selectAll('text').data(unplaced).join('text').attr('y', (_d, i) => i * 14).attr('font-size', 10)
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

const linkKinds = new Set(['partition', 'hold', 'latency', 'loss', 'link']);
