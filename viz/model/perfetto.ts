/**
 * A run as Chrome Trace Event JSON, for Perfetto (ui.perfetto.dev) and chrome://tracing.
 *
 * API:
 *   toChromeTrace(model) → { traceEvents, displayTimeUnit: 'ms' }   (JSON.stringify it to save)
 *
 * Layout: each host is a process (process_name), with a 'network' thread for its packets and one thread per
 * actor (thread_name); a last 'run' process holds fault periods and gauges no pool claims.
 * - Requests are nestable async slices ('b'/'e'): the whole request on its origin host, each span on the host
 *   it ran on. Async ids are global in Chrome's format, so every (request, host) track gets its own numeric id;
 *   spans that overlap without nesting go to a further track of the same request and host, so slices nest on
 *   every track.
 * - Packets: a 1 µs complete event ('X') on the sender's network thread and on the receiver's (or a drop
 *   marker on the sender's), joined by a flow ('s' then 'f', bp 'e', id = the packet id). Flow events bind to
 *   the slice enclosing them, hence the 1 µs slices. A packet neither received nor dropped when the trace ends
 *   gets no flow: every flow start has its end.
 * - Gauges are counters ('C'): each 100 ms window a gauge changed in shows its peak at the window's start and
 *   its last value at its end (the trace keeps no more than that).
 * - Fault periods are async slices on the run process (one track each; open ones end with the run); pool
 *   timeouts, RSTs and retransmissions are instants.
 * Timestamps are the trace's µs (Chrome's unit), never negative. Names stay plain strings: Perfetto shows them
 * as text.
 */
import type { TraceRecord } from 'faultline';
import { poolOf } from './pools.js';
import { spanOf } from './requests.js';
import type { RunModel } from './run-model.js';

export interface ChromeEvent {
  name: string;
  ph: 'M' | 'X' | 'b' | 'e' | 's' | 'f' | 'C' | 'i';
  ts: number;
  pid: number;
  tid?: number;
  cat?: string;
  id?: number;
  dur?: number;
  /** Flow end binding: 'e' binds to the enclosing slice. */
  bp?: 'e';
  /** Instant scope: 't' thread, 'p' process, 'g' global. */
  s?: 't' | 'p' | 'g';
  args?: Record<string, unknown>;
}

export interface ChromeTrace {
  traceEvents: ChromeEvent[];
  displayTimeUnit: 'ms';
}

/** The network thread of every host process; actors' threads follow. */
const NET_TID = 1;
/** A packet's slice length, µs: flows bind to an enclosing slice, so each end needs one. */
const PACKET_SLICE_US = 1;

export function toChromeTrace(model: RunModel): ChromeTrace {
  const events: ChromeEvent[] = [];
  const pidOf = new Map<string, number>();
  for (const h of model.hosts) pidOf.set(h.name, h.index + 1);
  const runPid = model.hosts.length + 1;
  const tidOf = new Map<string, number>();

  for (const h of model.hosts) {
    const pid = pidOf.get(h.name)!;
    events.push(meta('process_name', pid, undefined, h.ip === null ? h.name : `${h.name} (${h.ip})`));
    events.push(meta('thread_name', pid, NET_TID, 'network'));
  }
  let nextTid = NET_TID + 1;
  for (const a of model.actors) {
    const tid = nextTid++;
    tidOf.set(a.address, tid);
    events.push(meta('thread_name', pidOf.get(a.host)!, tid, a.name));
  }
  events.push(meta('process_name', runPid, undefined, `run ${String(model.header.scenario)} seed ${String(model.header.seed)}`));
  events.push(meta('thread_name', runPid, NET_TID, 'faults'));

  const ctx: Ctx = { events, pidOf, tidOf, runPid, nextAsyncId: 1 };
  requests(model, ctx);
  packets(model, ctx);
  gauges(model, ctx);
  faults(model, ctx);
  instants(model, ctx);

  // Stable: events of one track keep the order they were written in, which nests them at equal times.
  events.sort((x, y) => x.ts - y.ts);
  return { traceEvents: events, displayTimeUnit: 'ms' };
}

interface Ctx {
  events: ChromeEvent[];
  pidOf: Map<string, number>;
  tidOf: Map<string, number>;
  runPid: number;
  nextAsyncId: number;
}

function meta(name: 'process_name' | 'thread_name', pid: number, tid: number | undefined, value: string): ChromeEvent {
  const e: ChromeEvent = { name, ph: 'M', ts: 0, pid, args: { name: value } };
  if (tid !== undefined) e.tid = tid;
  return e;
}

function pidFor(ctx: Ctx, host: string | undefined): number {
  return (host === undefined ? undefined : ctx.pidOf.get(host)) ?? ctx.runPid;
}

/** An interval for an async track: name, bounds, arguments. */
interface Interval {
  name: string;
  fromUs: number;
  toUs: number;
  args: Record<string, unknown>;
}

function requests(model: RunModel, ctx: Ctx): void {
  for (const req of model.requests) {
    const byHost = new Map<string, Interval[]>();
    const endUs = req.endUs ?? model.endUs;
    byHost.set(req.origin, [{ name: `${req.id} ${req.outcome ?? 'in flight'}`, fromUs: req.startUs, toUs: endUs, args: { req: req.id, outcome: req.outcome, attempts: req.attempts } }]);
    for (const i of req.spans) {
      const s = spanOf(model.records.get(i), i);
      let list = byHost.get(s.host);
      if (list === undefined) {
        list = [];
        byHost.set(s.host, list);
      }
      list.push({ name: s.phase, fromUs: s.startUs, toUs: s.endUs, args: { req: req.id, attempt: s.attempt } });
    }
    for (const [host, intervals] of byHost) nestedTracks(ctx, pidFor(ctx, host), 'request', intervals);
  }
}

/**
 * Writes intervals as async slices on as few tracks as keep them nested: sorted by start (longest first), each
 * goes on the first track whose open slices it fits inside (or after). Events are written in nesting order.
 */
function nestedTracks(ctx: Ctx, pid: number, cat: string, intervals: Interval[]): void {
  for (const iv of intervals) {
    iv.fromUs = Math.max(0, iv.fromUs);
    iv.toUs = Math.max(iv.fromUs, iv.toUs);
  }
  intervals.sort((x, y) => x.fromUs - y.fromUs || y.toUs - x.toUs);
  const tracks: { id: number; open: Interval[] }[] = [];
  const close = (track: { id: number; open: Interval[] }, untilUs: number) => {
    while (track.open.length > 0 && track.open[track.open.length - 1]!.toUs <= untilUs) {
      const done = track.open.pop()!;
      ctx.events.push({ name: done.name, ph: 'e', ts: done.toUs, pid, cat, id: track.id });
    }
  };
  for (const iv of intervals) {
    let track = tracks.find((t) => {
      close(t, iv.fromUs);
      const top = t.open[t.open.length - 1];
      return top === undefined || top.toUs >= iv.toUs;
    });
    if (track === undefined) {
      track = { id: ctx.nextAsyncId++, open: [] };
      tracks.push(track);
    }
    track.open.push(iv);
    ctx.events.push({ name: iv.name, ph: 'b', ts: iv.fromUs, pid, cat, id: track.id, args: iv.args });
  }
  for (const t of tracks) close(t, Infinity);
}

function packets(model: RunModel, ctx: Ctx): void {
  const p = model.packets;
  for (let row = 0; row < p.count; row++) {
    const recv = p.recvUs[row]!;
    const drop = p.dropUs[row]!;
    const from = p.hostNames[p.fromHost[row]!];
    const to = p.hostNames[p.toHost[row]!];
    const id = p.id[row]!;
    const name = `${p.flagNames[p.flags[row]!] ?? ''} ${p.len[row]!} B`.trim();
    const sendPid = pidFor(ctx, from);
    const sendUs = p.sendUs[row]!;
    ctx.events.push({ name, ph: 'X', ts: sendUs, dur: PACKET_SLICE_US, pid: sendPid, tid: NET_TID, cat: 'packet', args: { id, to: to ?? '?' } });
    let endPid: number;
    let endUs: number;
    if (!Number.isNaN(recv)) {
      endPid = pidFor(ctx, to);
      endUs = recv;
      ctx.events.push({ name, ph: 'X', ts: recv, dur: PACKET_SLICE_US, pid: endPid, tid: NET_TID, cat: 'packet', args: { id, from: from ?? '?' } });
    } else if (!Number.isNaN(drop)) {
      endPid = sendPid;
      endUs = drop;
      const reason = p.reasons[p.dropReason[row]!] ?? 'unknown';
      ctx.events.push({ name: `drop ${reason}`, ph: 'X', ts: drop, dur: PACKET_SLICE_US, pid: endPid, tid: NET_TID, cat: 'packet', args: { id, to: to ?? '?' } });
    } else continue;
    ctx.events.push({ name: 'packet', ph: 's', ts: sendUs, pid: sendPid, tid: NET_TID, cat: 'packet', id });
    ctx.events.push({ name: 'packet', ph: 'f', bp: 'e', ts: endUs, pid: endPid, tid: NET_TID, cat: 'packet', id });
  }
}

function gauges(model: RunModel, ctx: Ctx): void {
  const poolHost = new Map<string, string>();
  for (const pool of model.pools) if (pool.host !== null) poolHost.set(pool.name, pool.host);
  for (const g of model.gauges.values()) {
    const pool = poolOf(g.name);
    const pid = pool === null ? ctx.runPid : pidFor(ctx, poolHost.get(pool));
    for (let i = 0; i < g.count; i++) {
      ctx.events.push({ name: g.name, ph: 'C', ts: Math.max(0, g.fromUs[i]!), pid, args: { value: g.max[i]! } });
      const nextFrom = i + 1 < g.count ? g.fromUs[i + 1]! : Infinity;
      if (nextFrom > g.toUs[i]!) ctx.events.push({ name: g.name, ph: 'C', ts: Math.max(0, g.toUs[i]!), pid, args: { value: g.last[i]! } });
    }
  }
}

function faults(model: RunModel, ctx: Ctx): void {
  for (const f of model.faults) {
    const id = ctx.nextAsyncId++;
    const toUs = Math.max(f.fromUs, f.toUs ?? model.endUs);
    const args = { targets: f.targets.join(', '), open: f.toUs === null };
    ctx.events.push({ name: f.label, ph: 'b', ts: f.fromUs, pid: ctx.runPid, cat: 'fault', id, args });
    ctx.events.push({ name: f.label, ph: 'e', ts: toUs, pid: ctx.runPid, cat: 'fault', id });
  }
}

/** Kinds worth a marker in Perfetto, and what to call them. */
const INSTANT_KINDS: Record<string, (r: TraceRecord) => string> = {
  'pool.timeout': (r) => `pool timeout ${String(r.fields?.pool ?? '')}`,
  'tcp.rst': (r) => `RST ${String(r.fields?.dir ?? '')} ${String(r.conn ?? '')}`,
  'tcp.retransmit': (r) => `retransmit ${String(r.fields?.reason ?? '')} ${String(r.conn ?? '')}`,
  'actor.crash': () => 'actor crash',
};

function instants(model: RunModel, ctx: Ctx): void {
  for (const kind of Object.keys(INSTANT_KINDS)) {
    const name = INSTANT_KINDS[kind]!;
    for (const i of model.ofKind(kind)) {
      const r = model.records.get(i);
      const tid = (r.actor !== undefined && r.host !== undefined ? ctx.tidOf.get(`${r.host}/${r.actor}`) : undefined) ?? NET_TID;
      ctx.events.push({ name: name(r), ph: 'i', s: 't', ts: r.t, pid: pidFor(ctx, r.host), tid, cat: kind, args: { record: i } });
    }
  }
}
