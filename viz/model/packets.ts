/**
 * Packets as columns: each pkt.send joined by id to its first pkt.recv or pkt.drop. Half a million packets
 * as objects would cost more memory than the records they come from, so the sequence diagram reads typed
 * arrays, one row per packet in send order (so rows are also in sendUs order, for binary search).
 *
 * API:
 *   PacketTable            count; columns id, fromHost, toHost (indexes into hostNames), sendUs, recvUs and
 *                          dropUs (NaN: never), dropReason (index into reasons, -1: none), flags (index into
 *                          flagNames), len, sendRecord (record index of the pkt.send)
 *   .packet(row)           one row as a Packet object (for a tooltip)
 *   .rowsSentIn(from, to)  rows sent in [from, to): the visible window of the sequence diagram
 *   .firstInFlightAt(t)    the first row that may still be in flight at t (sent before t, received or dropped
 *                          at or after it): rows from there up to rowsSentIn(t, …).start cross the window's edge
 *   PacketTable.revive(o)  restores methods after postMessage
 *   PacketTableBuilder     send/recv/drop per record (their fields as arguments), finish()
 *
 * A duplicated packet (a link's duplicate option) arrives twice under one id: the first arrival is kept.
 * A drop without a send (light traces leave sends out) is not a row.
 */
import type { HostTable } from './hosts.js';
import type { IndexRange, Packet } from './types.js';

export class PacketTable {
  constructor(
    readonly hostNames: string[],
    readonly id: Float64Array,
    readonly fromHost: Int32Array,
    readonly toHost: Int32Array,
    readonly sendUs: Float64Array,
    readonly recvUs: Float64Array,
    readonly dropUs: Float64Array,
    readonly dropReason: Int32Array,
    readonly reasons: string[],
    readonly flags: Int32Array,
    readonly flagNames: string[],
    readonly len: Int32Array,
    readonly sendRecord: Int32Array,
  ) {}

  get count(): number {
    return this.id.length;
  }

  packet(row: number): Packet {
    const recv = this.recvUs[row]!;
    const drop = this.dropUs[row]!;
    const reason = this.dropReason[row]!;
    return {
      id: this.id[row]!,
      fromHost: this.hostNames[this.fromHost[row]!] ?? '?',
      toHost: this.hostNames[this.toHost[row]!] ?? '?',
      sendUs: this.sendUs[row]!,
      recvUs: Number.isNaN(recv) ? null : recv,
      dropUs: Number.isNaN(drop) ? null : drop,
      dropReason: reason < 0 ? null : this.reasons[reason]!,
      flags: this.flagNames[this.flags[row]!] ?? '',
      len: this.len[row]!,
      sendRecord: this.sendRecord[row]!,
    };
  }

  /** Rows whose send time is in [fromUs, toUs). */
  rowsSentIn(fromUs: number, toUs: number): IndexRange {
    return { start: lowerBound(this.sendUs, fromUs), end: lowerBound(this.sendUs, toUs) };
  }

  firstInFlightAt(tUs: number): number {
    return lowerBound(this.endMaxUs(), tUs);
  }

  /**
   * Per row, the latest arrival or drop among the rows up to it: non-decreasing, so one binary search finds
   * the oldest packet that may cross a time. Built on first use (a packet never delivered counts as ending
   * at its send: it is drawn only from a window its send is in).
   */
  private endMaxUs(): Float64Array {
    if (this.endMax !== undefined) return this.endMax;
    const n = this.count;
    const out = new Float64Array(n);
    let max = -Infinity;
    for (let row = 0; row < n; row++) {
      const end = this.endUs(row);
      if (end > max) max = end;
      out[row] = max;
    }
    return (this.endMax = out);
  }

  /** When a row's packet arrived or was dropped; its send time if neither. */
  endUs(row: number): number {
    const drop = this.dropUs[row]!;
    if (!Number.isNaN(drop)) return drop;
    const recv = this.recvUs[row]!;
    return Number.isNaN(recv) ? this.sendUs[row]! : recv;
  }

  private endMax: Float64Array | undefined;

  static revive(o: PacketTable): PacketTable {
    return Object.setPrototypeOf(o, PacketTable.prototype) as PacketTable;
  }
}

/** First index whose value is >= x, in a non-decreasing array. */
export function lowerBound(a: ArrayLike<number>, x: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export class PacketTableBuilder {
  private readonly id: number[] = [];
  private readonly fromHost: number[] = [];
  private readonly toHost: number[] = [];
  private readonly sendUs: number[] = [];
  private readonly recvUs: number[] = [];
  private readonly dropUs: number[] = [];
  private readonly dropReason: number[] = [];
  private readonly flags: number[] = [];
  private readonly len: number[] = [];
  private readonly sendRecord: number[] = [];
  private readonly rowOfId = new Map<number, number>();
  private readonly reasons: string[] = [];
  private readonly reasonIndex = new Map<string, number>();
  private readonly flagNames: string[] = [];
  private readonly flagIndex = new Map<string, number>();

  constructor(private readonly hosts: HostTable) {}

  /** A pkt.send: its sender, 'ip:port' destination, flags ('' for UDP), id and payload length. */
  send(index: number, tUs: number, host: string | undefined, dst: unknown, flags: unknown, id: number, len: unknown): void {
    const row = this.id.length;
    this.rowOfId.set(id, row);
    this.id.push(id);
    this.fromHost.push(host === undefined ? -1 : this.hosts.indexOf(host));
    this.toHost.push(this.destination(dst));
    this.sendUs.push(tUs);
    this.recvUs.push(NaN);
    this.dropUs.push(NaN);
    this.dropReason.push(-1);
    this.flags.push(intern(typeof flags === 'string' ? flags : '', this.flagNames, this.flagIndex));
    this.len.push(typeof len === 'number' ? len : 0);
    this.sendRecord.push(index);
  }

  recv(tUs: number, host: string | undefined, id: unknown): void {
    const row = this.row(id);
    if (row < 0 || !Number.isNaN(this.recvUs[row]!)) return;
    this.recvUs[row] = tUs;
    if (host !== undefined) this.toHost[row] = this.hosts.indexOf(host);
  }

  drop(tUs: number, id: unknown, reason: unknown, to: unknown): void {
    const row = this.row(id);
    if (row < 0 || !Number.isNaN(this.dropUs[row]!)) return;
    this.dropUs[row] = tUs;
    this.dropReason[row] = intern(typeof reason === 'string' ? reason : 'unknown', this.reasons, this.reasonIndex);
    if (this.toHost[row]! < 0 && typeof to === 'string') this.toHost[row] = this.hosts.indexOf(to);
  }

  finish(): PacketTable {
    return new PacketTable(
      this.hosts.hosts.map((h) => h.name),
      Float64Array.from(this.id),
      Int32Array.from(this.fromHost),
      Int32Array.from(this.toHost),
      Float64Array.from(this.sendUs),
      Float64Array.from(this.recvUs),
      Float64Array.from(this.dropUs),
      Int32Array.from(this.dropReason),
      this.reasons,
      Int32Array.from(this.flags),
      this.flagNames,
      Int32Array.from(this.len),
      Int32Array.from(this.sendRecord),
    );
  }

  private row(id: unknown): number {
    if (typeof id !== 'number') return -1;
    return this.rowOfId.get(id) ?? -1;
  }

  /** The host at 'ip:port', or -1 (an address no net.host record names: the packet had no route). */
  private destination(dst: unknown): number {
    if (typeof dst !== 'string') return -1;
    const colon = dst.lastIndexOf(':');
    const name = this.hosts.byIp(colon < 0 ? dst : dst.slice(0, colon));
    return name === undefined ? -1 : this.hosts.indexOf(name);
  }
}

/** Index of a string in a small table (flags, drop reasons), added on first sight. */
function intern(s: string, table: string[], index: Map<string, number>): number {
  let i = index.get(s);
  if (i === undefined) {
    i = table.length;
    table.push(s);
    index.set(s, i);
  }
  return i;
}
