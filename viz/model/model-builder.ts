/**
 * Builds a RunModel one record at a time, so a trace is modelled while it streams in. Each record goes to
 * the one collector its kind concerns.
 *
 * API:
 *   new ModelBuilder()
 *   .addLine(line, unterminated?)  one JSONL line (no newline), checked: throws TraceParseError naming its line
 *                                  (record n is line n); `unterminated`: the file's last line lacked its newline
 *   .add(record)                   a record already in memory (a live run's sink), checked the same way
 *   .finish(digest?, bytes?)       → RunModel (the builder is spent)
 *   .count                         records added so far
 *
 * Lines of the hottest kinds are read by scan.ts's patterns and not kept as objects (RecordStore parses them
 * again on demand), as are flat records of the kinds no collector reads; every other line is JSON.parse'd,
 * checked and kept.
 */
import type { TraceHeader, TraceRecord } from 'faultline';
import { ConnectionTableBuilder } from './connections.js';
import { FaultTracker } from './faults.js';
import { GaugeSeries, GaugeSeriesBuilder } from './gauges.js';
import { HostTable } from './hosts.js';
import { PacketTableBuilder } from './packets.js';
import { PoolTracker } from './pools.js';
import { checkRecord, checkTime, notJson } from './record-check.js';
import { RecordStore } from './records.js';
import { RequestTableBuilder } from './requests.js';
import { RunModel } from './run-model.js';
import { FLAT, kindOfLine, PKT_DROP, PKT_RECV, PKT_SEND_TCP, PKT_SEND_UDP, REQ_SPAN, TCP_STATE } from './scan.js';

/**
 * Kinds a collector reads fields of (keep() below), plus the records HostTable.note reads: parsed and kept as
 * objects. Any other kind in canonical flat form is only filed (FLAT).
 */
const FILED_AS_OBJECTS = new Set(['header', 'run.stop', 'req.start', 'req.end', 'tcp.rst', 'tcp.retransmit', 'gauge', 'pool.timeout', 'fault', 'db.slow', 'net.host', 'actor.crash']);

export class ModelBuilder {
  private readonly lines: string[] = [];
  private readonly objects: (TraceRecord | undefined)[] = [];
  private readonly times: number[] = [];
  private readonly kindIds: number[] = [];
  private readonly hostIds: number[] = [];
  private readonly kindNames: string[] = [];
  private readonly kindIndex = new Map<string, number>();
  /** Record indexes per kind id. */
  private readonly kindLists: number[][] = [];
  private readonly hosts = new HostTable();
  private readonly packets = new PacketTableBuilder(this.hosts);
  private readonly requests = new RequestTableBuilder();
  private readonly connections = new ConnectionTableBuilder();
  private readonly gauges = new Map<string, GaugeSeriesBuilder>();
  private readonly pools = new PoolTracker();
  private readonly faults = new FaultTracker(this.hosts);
  private header: TraceHeader | null = null;
  private stop: { reason: string; events: number | null } | null = null;
  private lastT = 0;

  get count(): number {
    return this.times.length;
  }

  addLine(line: string, unterminated = false): void {
    if (this.count > 0 && this.fast(line)) return;
    const n = this.count + 1;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (err) {
      throw notJson(err, line, n, unterminated);
    }
    this.keep(checkRecord(value, n, this.lastT), line);
  }

  add(record: TraceRecord): void {
    this.keep(checkRecord(record, this.count + 1, this.lastT), '');
  }

  finish(digest: string | null = null, bytes: number | null = null): RunModel {
    const kinds = new Map<string, Int32Array>();
    this.kindNames.forEach((kind, id) => kinds.set(kind, Int32Array.from(this.kindLists[id]!)));
    const gauges = new Map<string, GaugeSeries>();
    for (const [name, b] of this.gauges) gauges.set(name, b.finish());
    const timesUs = Float64Array.from(this.times);
    const hostNames = this.hosts.hosts.map((h) => h.name);
    return new RunModel({
      header: this.header ?? ({ faultline: '', seed: '', scenario: '', params: {}, faults: [] } as TraceHeader),
      digest,
      bytes,
      endUs: timesUs.length > 0 ? timesUs[timesUs.length - 1]! : 0,
      records: new RecordStore(this.lines, this.objects, timesUs, Int32Array.from(this.kindIds), this.kindNames, Int32Array.from(this.hostIds), hostNames),
      timesUs,
      kinds,
      hosts: this.hosts.hosts,
      actors: this.hosts.actors,
      connections: this.connections.connections,
      requests: this.requests.requests,
      requestById: this.requests.ids,
      packets: this.packets.finish(),
      gauges,
      pools: this.pools.finish(gauges),
      faults: this.faults.finish(),
      stop: this.stop,
    });
  }

  /** The hot kinds by pattern; false: not one of them, or not in their canonical shape (general path). */
  private fast(line: string): boolean {
    const kind = kindOfLine(line);
    let m: RegExpExecArray | null;
    let t: number;
    switch (kind) {
      case 'pkt.recv':
        if ((m = PKT_RECV.exec(line)) === null) return false;
        this.index(line, (t = +m[1]!), kind, m[2]!).packets.recv(t, m[2]!, +m[3]!);
        return true;
      case 'pkt.send':
        if ((m = PKT_SEND_TCP.exec(line)) !== null) {
          this.index(line, (t = +m[1]!), kind, m[2]!).packets.send(this.count - 1, t, m[2]!, m[3]!, m[4]!, +m[5]!, +m[6]!);
          return true;
        }
        if ((m = PKT_SEND_UDP.exec(line)) === null) return false;
        this.index(line, (t = +m[1]!), kind, m[2]!).packets.send(this.count - 1, t, m[2]!, m[3]!, '', +m[4]!, +m[5]!);
        return true;
      case 'pkt.drop':
        if ((m = PKT_DROP.exec(line)) === null) return false;
        this.index(line, (t = +m[1]!), kind, m[2]!).packets.drop(t, +m[3]!, m[4]!, m[5]!);
        return true;
      case 'req.span':
        if ((m = REQ_SPAN.exec(line)) === null) return false;
        this.index(line, +m[1]!, kind, m[2]!).requests.span(m[3]!, this.count - 1);
        return true;
      case 'tcp.state':
        if ((m = TCP_STATE.exec(line)) === null) return false;
        this.index(line, (t = +m[1]!), kind, m[2]!).connections.state(this.count - 1, t, m[3]!, m[4]!, m[5]!);
        return true;
      default:
        if (kind === null || FILED_AS_OBJECTS.has(kind) || kind.startsWith('host.') || (m = FLAT.exec(line)) === null) return false;
        this.index(line, (t = +m[1]!), kind, m[3]);
        if (m[3] !== undefined && m[4] !== undefined) this.hosts.noteActor(m[3], m[4], t, kind);
        return true;
    }
  }

  /** Files a hot-kind line (checking its time) without keeping an object; returns this for the collector call. */
  private index(line: string, t: number, kind: string, host: string | undefined): this {
    checkTime(t, this.count + 1, this.lastT);
    this.lastT = t;
    const index = this.times.length;
    this.lines.push(line);
    this.objects.push(undefined);
    this.times.push(t);
    this.fileKind(kind, index);
    this.hostIds.push(host === undefined ? -1 : this.hosts.indexOf(host));
    return this;
  }

  private fileKind(kind: string, index: number): void {
    let id = this.kindIndex.get(kind);
    if (id === undefined) {
      id = this.kindNames.length;
      this.kindIndex.set(kind, id);
      this.kindNames.push(kind);
      this.kindLists.push([]);
    }
    this.kindIds.push(id);
    this.kindLists[id]!.push(index);
  }

  /** Files a checked record kept as an object and hands it to its collector. */
  private keep(r: TraceRecord, line: string): void {
    const index = this.times.length;
    this.lastT = r.t;
    this.lines.push(line);
    this.objects.push(r);
    this.times.push(r.t);
    const kind = r.kind;
    this.fileKind(kind, index);
    this.hostIds.push(r.host === undefined ? -1 : this.hosts.indexOf(r.host));
    this.hosts.note(r);
    const f = r.fields;
    switch (kind) {
      case 'pkt.send':
        if (typeof f?.id === 'number') this.packets.send(index, r.t, r.host, f.dst, f.flags, f.id, f.len);
        return;
      case 'pkt.recv':
        this.packets.recv(r.t, r.host, f?.id);
        return;
      case 'pkt.drop':
        this.packets.drop(r.t, f?.id, f?.reason, f?.to);
        return;
      case 'req.span':
        this.requests.span(String(r.req), index);
        return;
      case 'req.start':
        this.requests.start(r, index);
        return;
      case 'req.end':
        this.requests.end(r, index);
        return;
      case 'tcp.state':
        this.connections.state(index, r.t, String(r.conn), f?.from, f?.to);
        return;
      case 'tcp.rst':
        this.connections.rst(r);
        return;
      case 'tcp.retransmit':
        this.connections.retransmit(r);
        return;
      case 'gauge':
        this.gauge(r);
        return;
      case 'pool.timeout':
        this.pools.timeout(r, index);
        return;
      case 'header':
        if (this.header === null) this.header = (f ?? {}) as TraceHeader;
        return;
      case 'run.stop':
        this.stop = { reason: String(f?.reason ?? ''), events: typeof f?.events === 'number' ? f.events : null };
        return;
      case 'fault':
      case 'db.slow':
        this.faults.add(r, index);
        return;
      default:
        if (kind.startsWith('host.')) this.faults.add(r, index);
    }
  }

  private gauge(r: TraceRecord): void {
    const f = r.fields;
    if (f === undefined || typeof f.name !== 'string') return;
    let b = this.gauges.get(f.name);
    if (b === undefined) {
      b = new GaugeSeriesBuilder(f.name);
      this.gauges.set(f.name, b);
    }
    b.add(f);
  }
}
