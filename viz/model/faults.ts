/**
 * Fault periods, for shading every time chart and drawing faulted links: when each fault began and ended.
 *
 * Sources, as the simulator writes them:
 * - `fault` records (sim/net/faults.ts apply()) for link faults, slow and drain. Link faults name links with
 *   a selector (a against b, or against every other host on the network; both ways unless oneWay), expanded
 *   to directed host pairs as linkPairs() does, so a heal of some links ends only the partitions it covers.
 * - `host.<event>` records (sim/core/host.ts) for crash, kill, stop, pause, resume, restart: written whether a
 *   fault or the scenario itself did it, so host faults are read from these, never from `fault` records.
 * - `db.slow` records, written when a database's host turns slow (by a fault or by the scenario).
 *
 * Ends: partition…heal, hold…release, crash/kill/stop…restart, pause…resume (or a crash meanwhile),
 * slow ≠ 1…slow 1 (another factor starts a new period). latency, loss and link faults have no end of their own:
 * a change on links already changed ends that period and is taken as the restore (as chaos episodes set a
 * value, then set the base back); a change on unchanged links starts one, except loss 0. drain never ends.
 *
 * API:
 *   FaultTracker   add(record, index) for fault, host.*, db.slow records; finish() → FaultPeriod[] by start
 */
import type { TraceRecord } from '../../sim/core/trace.js';
import { selectorPairs, type HostSelector } from '../../sim/net/faults.js';
import type { HostTable } from './hosts.js';
import type { FaultPeriod } from './types.js';

/** A period still open, with the directed links ('a>b') it still covers. */
interface Open {
  period: FaultPeriod;
  links: Set<string>;
}

const hostDown = new Set(['crash', 'kill', 'stop']);

export class FaultTracker {
  private readonly periods: FaultPeriod[] = [];
  /** Open link periods by kind: partition, hold, latency, loss, link. */
  private readonly openLinks = new Map<string, Open[]>();
  /** Open host periods by host: down (crash/kill/stop), pause, slow. */
  private readonly down = new Map<string, FaultPeriod>();
  private readonly paused = new Map<string, FaultPeriod>();
  private readonly slow = new Map<string, { factor: number; period: FaultPeriod | null }>();

  constructor(private readonly hosts: HostTable) {}

  add(r: TraceRecord, index: number): void {
    if (r.kind === 'fault') this.fault(r, index);
    else if (r.kind === 'db.slow') this.setSlow(r.host, r.fields?.factor, r, index);
    else if (r.kind.startsWith('host.')) this.hostEvent(r.kind.slice(5), r, index);
  }

  finish(): FaultPeriod[] {
    // Periods are pushed when they begin, and records come in time order: already sorted by start.
    return this.periods;
  }

  private fault(r: TraceRecord, index: number): void {
    const f = r.fields ?? {};
    const kind = String(f.kind);
    switch (kind) {
      case 'partition':
      case 'hold':
        this.openLinkPeriod(kind, r, index, this.pairs(f));
        return;
      case 'heal':
        this.closeLinks('partition', this.pairs(f), r.t);
        return;
      case 'release':
        this.closeLinks('hold', this.pairs(f), r.t);
        return;
      case 'latency':
      case 'loss':
      case 'link': {
        const pairs = this.pairs(f);
        const restored = this.closeLinks(kind, pairs, r.t);
        if (!restored && !(kind === 'loss' && f.loss === 0)) this.openLinkPeriod(kind, r, index, pairs);
        return;
      }
      case 'slow':
        this.setSlow(typeof f.host === 'string' ? f.host : undefined, f.factor, r, index);
        return;
      case 'drain':
        this.begin('drain', 'drain', [], r, index);
        return;
      default:
      // Host faults: their host.<event> record follows and is the one read.
    }
  }

  private hostEvent(event: string, r: TraceRecord, index: number): void {
    const host = r.host;
    if (host === undefined) return;
    if (hostDown.has(event)) {
      this.end(this.paused, host, r.t);
      if (!this.down.has(host)) this.down.set(host, this.begin(event, `${event} ${host}`, [host], r, index));
    } else if (event === 'restart') this.end(this.down, host, r.t);
    else if (event === 'pause') {
      if (!this.paused.has(host)) this.paused.set(host, this.begin('pause', `pause ${host}`, [host], r, index));
    } else if (event === 'resume') this.end(this.paused, host, r.t);
  }

  private setSlow(host: string | undefined, factor: unknown, r: TraceRecord, index: number): void {
    if (host === undefined || typeof factor !== 'number') return;
    const state = this.slow.get(host) ?? { factor: 1, period: null };
    // A slow fault on a database's host writes both a fault and a db.slow record: one change.
    if (state.factor === factor) return;
    if (state.period !== null) state.period.toUs = r.t;
    state.factor = factor;
    state.period = factor === 1 ? null : this.begin('slow', `slow ${host} ×${factor}`, [host], r, index);
    this.slow.set(host, state);
  }

  private begin(kind: string, label: string, targets: string[], r: TraceRecord, index: number, links?: [string, string][]): FaultPeriod {
    const period: FaultPeriod = { kind, label, targets, fromUs: r.t, toUs: null, record: index };
    if (links !== undefined) period.links = links;
    this.periods.push(period);
    return period;
  }

  private end(open: Map<string, FaultPeriod>, host: string, tUs: number): void {
    const p = open.get(host);
    if (p === undefined) return;
    p.toUs = tUs;
    open.delete(host);
  }

  private openLinkPeriod(kind: string, r: TraceRecord, index: number, pairs: [string, string][]): void {
    if (pairs.length === 0) return;
    const f = r.fields ?? {};
    const targets = [...new Set(pairs.flat())];
    const period = this.begin(kind, `${kind}${detail(kind, f)} ${selectorText(f)}`, targets, r, index, pairs);
    const list = this.openLinks.get(kind) ?? [];
    list.push({ period, links: new Set(pairs.map(([x, y]) => `${x}>${y}`)) });
    this.openLinks.set(kind, list);
  }

  /** Takes the links off open periods of a kind, ending those left with none; true if any covered one. */
  private closeLinks(kind: string, pairs: [string, string][], tUs: number): boolean {
    const list = this.openLinks.get(kind);
    if (list === undefined) return false;
    let touched = false;
    for (const [x, y] of pairs) {
      const key = `${x}>${y}`;
      for (const open of list) if (open.links.delete(key)) touched = true;
    }
    const still = list.filter((open) => {
      if (open.links.size > 0) return true;
      open.period.toUs = tUs;
      return false;
    });
    this.openLinks.set(kind, still);
    return touched;
  }

  /** Directed pairs a fault's selector covers, as the simulator expands them. */
  private pairs(f: Record<string, unknown>): [string, string][] {
    return selectorPairs(this.hosts.networkHosts(), { a: f.a as HostSelector | undefined, b: f.b as HostSelector | undefined, oneWay: f.oneWay === true });
  }
}

function names(sel: unknown): string[] {
  if (typeof sel === 'string') return [sel];
  return Array.isArray(sel) ? sel.map(String) : [];
}

/** 'gw → svc-1', 'db | svc-1,svc-2', 'db | rest'. */
function selectorText(f: Record<string, unknown>): string {
  if (f.a === undefined) return 'all links';
  const a = names(f.a).join(',');
  const b = f.b === undefined ? 'rest' : names(f.b).join(',');
  return `${a} ${f.oneWay === true ? '→' : '|'} ${b}`;
}

/** What a link change set, for its label. */
function detail(kind: string, f: Record<string, unknown>): string {
  if (kind === 'loss' && typeof f.loss === 'number') return ` ${Math.round(f.loss * 1000) / 10}%`;
  if (kind === 'latency') return ` ${shortJson(f.latency)}`;
  if (kind === 'link') return ` ${shortJson(f.options)}`;
  return '';
}

function shortJson(v: unknown): string {
  const text = JSON.stringify(v) ?? '';
  return text.length > 60 ? `${text.slice(0, 59)}…` : text;
}
