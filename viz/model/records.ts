/**
 * The trace's records, held compactly: each record's line (its exact text), its kind and host as small
 * integers, its time in a Float64Array. Records of the common kinds (packets, spans, TCP states) are parsed
 * again from their line when asked for, so a million-record trace is not a million retained objects; the
 * rest were parsed while loading and are kept.
 *
 * API:
 *   RecordStore
 *     .length
 *     .get(i)        the record (a fresh object for a packet, span or TCP state each call: keep it if needed twice)
 *     .line(i)       its JSONL line
 *     .kind(i), .host(i)    without parsing
 *     .timesUs, .kindIds, .kindNames, .hostIds, .hostNames   the columns (hostIds -1: no host)
 *   RecordStore.revive(o)   restores methods after postMessage
 */
import { encodeRecord, type TraceRecord } from 'faultline';

export class RecordStore {
  constructor(
    /** Each record's line; '' where the record was given as an object (ModelBuilder.add). */
    readonly lines: string[],
    /** Records kept as objects; undefined where only the line is kept. */
    readonly objects: (TraceRecord | undefined)[],
    readonly timesUs: Float64Array,
    readonly kindIds: Int32Array,
    readonly kindNames: string[],
    readonly hostIds: Int32Array,
    readonly hostNames: string[],
  ) {}

  get length(): number {
    return this.timesUs.length;
  }

  get(i: number): TraceRecord {
    const kept = this.objects[i];
    if (kept !== undefined) return kept;
    // The line was checked when it was loaded; it parses.
    return JSON.parse(this.lines[i]!) as TraceRecord;
  }

  line(i: number): string {
    return this.lines[i] || encodeRecord(this.objects[i]!);
  }

  kind(i: number): string {
    return this.kindNames[this.kindIds[i]!]!;
  }

  host(i: number): string | undefined {
    const h = this.hostIds[i]!;
    return h < 0 ? undefined : this.hostNames[h];
  }

  static revive(o: RecordStore): RecordStore {
    return Object.setPrototypeOf(o, RecordStore.prototype) as RecordStore;
  }
}
