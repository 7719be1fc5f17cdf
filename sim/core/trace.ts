/**
 * Trace records, their one canonical line each, and the running digest over those lines.
 * Sinks decide where lines go (memory, a ring of the last N, a JSONL file in the CLI).
 */
import { canonicalJson, jsonNumber, quotedName, type JsonValue } from './canonical.js';
import { Digest64 } from './digest.js';
import type { Micros } from './time.js';

export type Fields = { [key: string]: JsonValue | undefined };

/** One thing that happened, at one virtual time. */
export interface TraceRecord {
  /** Virtual time, microseconds. */
  t: Micros;
  /** What happened, dotted: 'header', 'actor.start', 'msg.send', 'hello.reply', … */
  kind: string;
  host?: string;
  actor?: string;
  /** Connection id, where the record is about one. */
  conn?: string | number;
  /** Request id, where the record is about one; it follows the request through every hop. */
  req?: string | number;
  fields?: Fields;
}

/** The header's fields: the first record of every trace. */
export interface TraceHeader {
  faultline: string;
  seed: number | string;
  scenario: string;
  params: JsonValue;
  faults: JsonValue;
  [key: string]: JsonValue | undefined;
}

/** Where records go. `line` is the canonical encoding (no newline), already digested. */
export interface TraceSink {
  write(record: TraceRecord, line: string): void;
  /** Called once when the trace is closed (flush files). */
  close?(): void;
}

/**
 * The JSONL line of a record: fixed member order (t, kind, host, actor, conn, req, fields), fields in
 * canonical JSON. This encoding is what the digest covers, so it is part of the format: change it and
 * every digest changes.
 */
export function encodeRecord(r: TraceRecord): string {
  let line = `{"t":${r.t},"kind":${quotedName(r.kind)}`;
  if (r.host !== undefined) line += `,"host":${quotedName(r.host)}`;
  if (r.actor !== undefined) line += `,"actor":${quotedName(r.actor)}`;
  if (r.conn !== undefined) line += `,"conn":${canonicalJson(r.conn)}`;
  if (r.req !== undefined) line += `,"req":${canonicalJson(r.req)}`;
  if (r.fields !== undefined) line += `,"fields":${canonicalJson(r.fields)}`;
  return `${line}}`;
}

/**
 * The field names one record kind is written with, sorted once: encodeShaped then writes its fields in
 * canonical order without listing and sorting keys per record. A hot record kind's trace call passes its
 * shape; the record's fields must all be named in it (test/core/trace-lines.test.ts checks real runs).
 */
export class FieldShape {
  /** `"name":` for each name, in canonical (sorted) order. */
  private readonly members: string[];
  private readonly names: string[];

  constructor(names: readonly string[]) {
    this.names = [...names].sort();
    this.members = this.names.map((n) => `${quotedName(n)}:`);
  }

  /** canonicalJson(fields), for fields whose names are all in this shape. */
  encode(fields: Fields): string {
    let out = '{';
    for (let i = 0; i < this.names.length; i++) {
      const v = fields[this.names[i]!];
      if (v === undefined || typeof v === 'function') continue;
      if (out.length > 1) out += ',';
      out += this.members[i]!;
      out += canonicalJson(v);
    }
    return `${out}}`;
  }
}

/** encodeRecord(r) for a record whose fields all have names in `shape`. */
export function encodeShaped(r: TraceRecord, shape: FieldShape): string {
  let line = `{"t":${r.t},"kind":${quotedName(r.kind)}`;
  if (r.host !== undefined) line += `,"host":${quotedName(r.host)}`;
  if (r.actor !== undefined) line += `,"actor":${quotedName(r.actor)}`;
  if (r.conn !== undefined) line += `,"conn":${typeof r.conn === 'number' ? jsonNumber(r.conn) : canonicalJson(r.conn)}`;
  if (r.req !== undefined) line += `,"req":${typeof r.req === 'number' ? jsonNumber(r.req) : canonicalJson(r.req)}`;
  if (r.fields !== undefined) line += `,"fields":${shape.encode(r.fields)}`;
  return `${line}}`;
}

export class Trace {
  /** Records written so far. */
  count = 0;
  private readonly digest = new Digest64();
  private readonly sinks: TraceSink[];
  private closed = false;

  constructor(sinks: readonly TraceSink[] = []) {
    this.sinks = [...sinks];
  }

  write(record: TraceRecord): void {
    this.writeEncoded(record, encodeRecord(record));
  }

  /** write(), for a record whose fields all have names in `shape` (the hot kinds). */
  writeShaped(record: TraceRecord, shape: FieldShape): void {
    this.writeEncoded(record, encodeShaped(record, shape));
  }

  /**
   * Writes a record whose line the caller encoded with a fixed-shape encoder (the hottest kinds: packets,
   * request spans), byte for byte what encodeRecord gives; test/core/trace-lines.test.ts holds them to it.
   */
  writeEncoded(record: TraceRecord, line: string): void {
    this.digest.update(line).update('\n');
    this.count++;
    for (let i = 0; i < this.sinks.length; i++) this.sinks[i]!.write(record, line);
  }

  /** The digest of every line so far, as 16 hex digits. */
  digestHex(): string {
    return this.digest.hex();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const sink of this.sinks) sink.close?.();
  }
}

/** Keeps every record (and its line) in memory. */
export class MemorySink implements TraceSink {
  readonly records: TraceRecord[] = [];
  readonly lines: string[] = [];
  write(record: TraceRecord, line: string): void {
    this.records.push(record);
    this.lines.push(line);
  }
  /** The JSONL text, byte for byte what a file sink writes. */
  jsonl(): string {
    return this.lines.length === 0 ? '' : `${this.lines.join('\n')}\n`;
  }
}

/** Keeps the last `capacity` records: a flight recorder for long runs. */
export class RingSink implements TraceSink {
  private readonly buffer: TraceRecord[] = [];
  private next = 0;
  /** Records that fell out of the ring. */
  dropped = 0;

  constructor(readonly capacity: number) {
    if (!Number.isSafeInteger(capacity) || capacity < 1) throw new RangeError(`ring capacity: expected a positive integer, got ${capacity}`);
  }

  write(record: TraceRecord): void {
    if (this.buffer.length < this.capacity) {
      this.buffer.push(record);
      return;
    }
    this.buffer[this.next] = record;
    this.next = (this.next + 1) % this.capacity;
    this.dropped++;
  }

  /** The kept records, oldest first. */
  records(): TraceRecord[] {
    return [...this.buffer.slice(this.next), ...this.buffer.slice(0, this.next)];
  }
}

/** Calls a function for each record: the simplest sink, for tests and live views. */
export class CallbackSink implements TraceSink {
  constructor(private readonly fn: (record: TraceRecord, line: string) => void) {}
  write(record: TraceRecord, line: string): void {
    this.fn(record, line);
  }
}
