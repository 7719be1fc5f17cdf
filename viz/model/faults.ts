/**
 * Fault periods, for shading every time chart and drawing faulted links: when each fault began and ended.
 * What a fault kind's period is comes from the fault registry (FaultKind.period), so a kind a user
 * registers is drawn like the built-ins.
 *
 * Sources, as the simulator writes them:
 * - `fault` records (sim/core/fault-schedule.ts applyFault()), read by their kind's period rule: opens /
 *   closes a group (partition…heal, hold…release) on its targets, sets a level on links (latency, loss: a
 *   change on links already changed ends that period and is the restore), a host's level (slow ×factor), or
 *   lasts a given time. Link faults name links with a selector, expanded to directed host pairs as the
 *   network does, so a heal of some links ends only the partitions it covers.
 * - `host.<event>` records (sim/core/host.ts) for crash, kill, stop, pause, resume, restart: written whether a
 *   fault or the scenario itself did it, so kinds whose rule is `hostEvent` are read from these.
 * - `db.slow` records, a database host's slowness level (by a fault or by the scenario): the `slow` kind's level.
 *
 * API:
 *   FaultTracker   add(record, index) for fault, host.*, db.slow records; finish() → FaultPeriod[] by start
 */
import { faultKind, selectorPairs, type FaultData, type FaultKind, type HostSelector, type TraceRecord } from 'faultline';
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
  /** Open link periods by group: partition, hold, latency, loss, link, or a user kind's. */
  private readonly openLinks = new Map<string, Open[]>();
  /** Open host periods by group, then host: down (crash/kill/stop), pause, and the opens/sets of host kinds. */
  private readonly openHosts = new Map<string, Map<string, FaultPeriod>>();
  /** Host levels by group, then host (slow ×factor). */
  private readonly levels = new Map<string, Map<string, { value: number; period: FaultPeriod | null }>>();

  constructor(private readonly hosts: HostTable) {}

  add(r: TraceRecord, index: number): void {
    if (r.kind === 'fault') this.fault(r, index);
    else if (r.kind === 'db.slow') this.dbSlow(r, index);
    else if (r.kind.startsWith('host.')) this.hostEvent(r.kind.slice(5), r, index);
  }

  finish(): FaultPeriod[] {
    // Periods are pushed when they begin, and records come in time order: already sorted by start.
    return this.periods;
  }

  private fault(r: TraceRecord, index: number): void {
    const f = { ...(r.fields ?? {}), kind: String(r.fields?.kind) } as FaultData;
    // A kind this page does not know (a trace from elsewhere, a module not loaded here) is an instant.
    const k = faultKind(f.kind);
    const rule = k?.period;
    if (!k || !rule || 'hostEvent' in rule) return;
    const label = k.describe?.(f) ?? `${f.kind}${typeof f.host === 'string' ? ` ${f.host}` : ''}`;
    const host = typeof f.host === 'string' ? f.host : undefined;
    const onLinks = k.target === 'links' || k.target === 'links?';
    if ('opens' in rule) {
      if (onLinks) this.openLinkPeriod(rule.opens, label, r, index, this.pairs(f));
      else if (host !== undefined) this.openHost(rule.opens, host, label, r, index);
      else this.begin(rule.opens, label, [], r, index);
    } else if ('closes' in rule) {
      if (onLinks) this.closeLinks(rule.closes, this.pairs(f), r.t);
      else if (host !== undefined) this.end(rule.closes, host, r.t);
    } else if ('sets' in rule) {
      const neutral = rule.neutral?.(f) === true;
      if (onLinks) {
        const pairs = this.pairs(f);
        if (!this.closeLinks(rule.sets, pairs, r.t) && !neutral) this.openLinkPeriod(rule.sets, label, r, index, pairs);
      } else if (host !== undefined) {
        const restored = this.end(rule.sets, host, r.t);
        if (!restored && !neutral) this.openHost(rule.sets, host, label, r, index);
      }
    } else if ('level' in rule) {
      if (host !== undefined) this.setLevel(rule.level, host, rule.value(f), rule.neutral, label, r, index);
    } else {
      const period = this.begin(f.kind, label, host !== undefined ? [host] : [], r, index);
      period.toUs = r.t + rule.lasts(f);
    }
  }

  /** The database's own record of its slowness: the `slow` kind's level, whoever set it. */
  private dbSlow(r: TraceRecord, index: number): void {
    const k: FaultKind | undefined = faultKind('slow');
    const rule = k?.period;
    const factor = r.fields?.factor;
    if (!k || !rule || !('level' in rule) || r.host === undefined || typeof factor !== 'number') return;
    const f: FaultData = { kind: 'slow', host: r.host, factor };
    this.setLevel(rule.level, r.host, rule.value(f), rule.neutral, k.describe?.(f) ?? `slow ${r.host}`, r, index);
  }

  private hostEvent(event: string, r: TraceRecord, index: number): void {
    const host = r.host;
    if (host === undefined) return;
    if (hostDown.has(event)) {
      this.end('pause', host, r.t);
      this.openHost('down', host, `${event} ${host}`, r, index, event);
    } else if (event === 'restart') this.end('down', host, r.t);
    else if (event === 'pause') this.openHost('pause', host, `pause ${host}`, r, index);
    else if (event === 'resume') this.end('pause', host, r.t);
  }

  /** A level change on a host: a new value ends the running period, and starts one unless it is the neutral one. */
  private setLevel(group: string, host: string, value: number, neutral: number, label: string, r: TraceRecord, index: number): void {
    const byHost = this.levels.get(group) ?? new Map<string, { value: number; period: FaultPeriod | null }>();
    this.levels.set(group, byHost);
    const state = byHost.get(host) ?? { value: neutral, period: null };
    // A slow fault on a database's host writes both a fault and a db.slow record: one change.
    if (state.value === value) return;
    if (state.period !== null) state.period.toUs = r.t;
    state.value = value;
    state.period = value === neutral ? null : this.begin(group, label, [host], r, index);
    byHost.set(host, state);
  }

  private begin(kind: string, label: string, targets: string[], r: TraceRecord, index: number, links?: [string, string][]): FaultPeriod {
    const period: FaultPeriod = { kind, label, targets, fromUs: r.t, toUs: null, record: index };
    if (links !== undefined) period.links = links;
    this.periods.push(period);
    return period;
  }

  /** Opens a host period of `group` unless one is open; `kind` names the period (crash, kill, stop: all 'down'). */
  private openHost(group: string, host: string, label: string, r: TraceRecord, index: number, kind: string = group): void {
    const byHost = this.openHosts.get(group) ?? new Map<string, FaultPeriod>();
    this.openHosts.set(group, byHost);
    if (!byHost.has(host)) byHost.set(host, this.begin(kind, label, [host], r, index));
  }

  /** Ends the host's open period of `group`; true if there was one. */
  private end(group: string, host: string, tUs: number): boolean {
    const byHost = this.openHosts.get(group);
    const p = byHost?.get(host);
    if (p === undefined) return false;
    p.toUs = tUs;
    byHost!.delete(host);
    return true;
  }

  private openLinkPeriod(group: string, label: string, r: TraceRecord, index: number, pairs: [string, string][]): void {
    if (pairs.length === 0) return;
    const targets = [...new Set(pairs.flat())];
    const period = this.begin(group, label, targets, r, index, pairs);
    const list = this.openLinks.get(group) ?? [];
    list.push({ period, links: new Set(pairs.map(([x, y]) => `${x}>${y}`)) });
    this.openLinks.set(group, list);
  }

  /** Takes the links off open periods of a group, ending those left with none; true if any covered one. */
  private closeLinks(group: string, pairs: [string, string][], tUs: number): boolean {
    const list = this.openLinks.get(group);
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
    this.openLinks.set(group, still);
    return touched;
  }

  /** Directed pairs a fault's selector covers, as the simulator expands them. */
  private pairs(f: Record<string, unknown>): [string, string][] {
    return selectorPairs(this.hosts.networkHosts(), { a: f.a as HostSelector | undefined, b: f.b as HostSelector | undefined, oneWay: f.oneWay === true });
  }
}
