/**
 * One run, as the views read it: the trace's records (kept as parsed, indexed by kind and by time) and what
 * they add up to: hosts, actors, connections, requests, packets, gauges, pools, fault periods.
 *
 * API (RunModel; build one with ModelBuilder in model-builder.ts, or parse.ts from JSONL):
 *   header                 the header record's fields (seed, scenario, params, faults, traceDetail?)
 *   digest, bytes          the trace's digest (16 hex digits, as the CLI prints it) and UTF-8 size; null if not parsed from text
 *   endUs                  the last record's time
 *   records                RecordStore: records.length, records.get(i) → TraceRecord, .line(i), .kind(i), .host(i)
 *                          (compact: hot kinds are parsed again on each get; see records.ts)
 *   timesUs                every record's time, a Float64Array in trace order (non-decreasing)
 *   kinds                  kind → Int32Array of record indexes, in order; ofKind(kind)
 *   hosts, actors          in order of first appearance (HostInfo.index is the lane)
 *   connections            ConnectionInfo[] in open order; linkLoadAt(tUs): connections per host pair by phase
 *   requests, request(id)  RequestInfo[] in start order; spans(request) → Span[]
 *   packets                PacketTable (columns; see packets.ts)
 *   gauges                 name → GaugeSeries (valueAt, extremesIn; see gauges.ts), in first-window order
 *   pools                  PoolInfo[]: a pool's four gauges, its maximum if known, its timeout records
 *   faults                 FaultPeriod[] by start time
 *   stop                   the run.stop record's fields ({ reason, events }), or null
 *   recordsInRange(from, to)        record indexes [start, end) with t in [from, to)
 *   nextOfKind(kind, afterUs)       index of the first record of a kind after t, or -1 (step to the next timeout)
 *   prevOfKind(kind, beforeUs)      the last one before t, or -1
 *   slowestRequest(), failedRequests()
 *   throughputSeries(bucketUs), latencySeries(bucketUs)
 *   RunModel.revive(o)     restores methods on a model that crossed postMessage (structured clone keeps the data)
 */
import type { TraceHeader } from 'faultline';
import { linkLoadAt, type LinkLoad } from './connections.js';
import { GaugeSeries } from './gauges.js';
import { lowerBound, PacketTable } from './packets.js';
import { RecordStore } from './records.js';
import { spanOf } from './requests.js';
import { latencySeries, throughputSeries } from './series.js';
import type { ActorInfo, ConnectionInfo, FaultPeriod, HostInfo, IndexRange, LatencyBucket, PoolInfo, RequestInfo, Span, ThroughputBucket } from './types.js';

/** What a RunModel holds: plain, structured-cloneable data. */
export interface RunModelData {
  header: TraceHeader;
  digest: string | null;
  bytes: number | null;
  endUs: number;
  records: RecordStore;
  timesUs: Float64Array;
  kinds: Map<string, Int32Array>;
  hosts: HostInfo[];
  actors: ActorInfo[];
  connections: ConnectionInfo[];
  requests: RequestInfo[];
  requestById: Map<string, RequestInfo>;
  packets: PacketTable;
  gauges: Map<string, GaugeSeries>;
  pools: PoolInfo[];
  faults: FaultPeriod[];
  stop: { reason: string; events: number | null } | null;
}

const NONE = new Int32Array(0);

export class RunModel implements RunModelData {
  header!: TraceHeader;
  digest!: string | null;
  bytes!: number | null;
  endUs!: number;
  records!: RecordStore;
  timesUs!: Float64Array;
  kinds!: Map<string, Int32Array>;
  hosts!: HostInfo[];
  actors!: ActorInfo[];
  connections!: ConnectionInfo[];
  requests!: RequestInfo[];
  requestById!: Map<string, RequestInfo>;
  packets!: PacketTable;
  gauges!: Map<string, GaugeSeries>;
  pools!: PoolInfo[];
  faults!: FaultPeriod[];
  stop!: { reason: string; events: number | null } | null;

  constructor(data: RunModelData) {
    Object.assign(this, data);
  }

  /** Record indexes of a kind, in trace order (empty if the trace has none). */
  ofKind(kind: string): Int32Array {
    return this.kinds.get(kind) ?? NONE;
  }

  /** Records with t in [fromUs, toUs), as an index range (records are in time order). */
  recordsInRange(fromUs: number, toUs: number): IndexRange {
    return { start: lowerBound(this.timesUs, fromUs), end: lowerBound(this.timesUs, toUs) };
  }

  /** The first record of `kind` strictly after afterUs, or -1. */
  nextOfKind(kind: string, afterUs: number): number {
    const idx = this.ofKind(kind);
    let lo = 0;
    let hi = idx.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.timesUs[idx[mid]!]! <= afterUs) lo = mid + 1;
      else hi = mid;
    }
    return lo < idx.length ? idx[lo]! : -1;
  }

  /** The last record of `kind` strictly before beforeUs, or -1. */
  prevOfKind(kind: string, beforeUs: number): number {
    const idx = this.ofKind(kind);
    let lo = 0;
    let hi = idx.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.timesUs[idx[mid]!]! < beforeUs) lo = mid + 1;
      else hi = mid;
    }
    return lo > 0 ? idx[lo - 1]! : -1;
  }

  request(id: string): RequestInfo | undefined {
    return this.requestById.get(id);
  }

  /** A request's phases, in the order they were recorded. */
  spans(request: RequestInfo): Span[] {
    return request.spans.map((i) => spanOf(this.records.get(i), i));
  }

  /** The finished request that took longest (any outcome: a timeout is often the slowest), or null. */
  slowestRequest(): RequestInfo | null {
    let best: RequestInfo | null = null;
    let bestUs = -1;
    for (const r of this.requests) {
      if (r.endUs === null) continue;
      const us = r.endUs - r.startUs;
      if (us > bestUs) {
        best = r;
        bestUs = us;
      }
    }
    return best;
  }

  /** Requests that ended with an error, in start order. */
  failedRequests(): RequestInfo[] {
    return this.requests.filter((r) => r.outcome !== null && r.outcome !== 'ok');
  }

  throughputSeries(bucketUs: number): ThroughputBucket[] {
    return throughputSeries(this.requests, bucketUs, this.endUs);
  }

  latencySeries(bucketUs: number): LatencyBucket[] {
    return latencySeries(this.requests, bucketUs, this.endUs);
  }

  /** Connections open at t per initiator → acceptor host pair. */
  linkLoadAt(tUs: number): Map<string, LinkLoad> {
    return linkLoadAt(this.connections, tUs);
  }

  gauge(name: string): GaugeSeries | undefined {
    return this.gauges.get(name);
  }

  /** Restores the classes of a model received by postMessage (its data survives the structured clone). */
  static revive(o: RunModelData): RunModel {
    const model = Object.setPrototypeOf(o, RunModel.prototype) as RunModel;
    PacketTable.revive(model.packets);
    RecordStore.revive(model.records);
    // Pools refer to the same series objects (structured clone keeps shared references), so this covers them.
    for (const g of model.gauges.values()) GaugeSeries.revive(g);
    return model;
  }
}
