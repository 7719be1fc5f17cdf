/** A run's trace records, kept in memory, with the few questions tests ask of them. */
import type { TraceRecord, TraceSink } from '../core/trace.js';
import type { Micros } from '../core/time.js';

export interface TraceFilter {
  /** Exact kind, or a prefix ending in '.' ('tcp.' matches every TCP record). */
  kind?: string;
  host?: string;
  actor?: string;
  req?: string | number;
  conn?: string | number;
  /** Records at or after this virtual time, µs. */
  fromUs?: Micros;
  /** Records before this virtual time, µs. */
  toUs?: Micros;
}

function matches(r: TraceRecord, f: TraceFilter): boolean {
  if (f.kind !== undefined && (f.kind.endsWith('.') ? !r.kind.startsWith(f.kind) : r.kind !== f.kind)) return false;
  if (f.host !== undefined && r.host !== f.host) return false;
  if (f.actor !== undefined && r.actor !== f.actor) return false;
  if (f.req !== undefined && r.req !== f.req) return false;
  if (f.conn !== undefined && r.conn !== f.conn) return false;
  if (f.fromUs !== undefined && r.t < f.fromUs) return false;
  if (f.toUs !== undefined && r.t >= f.toUs) return false;
  return true;
}

export class TraceQuery implements TraceSink {
  private readonly records: TraceRecord[] = [];
  private readonly lines: string[] = [];

  write(record: TraceRecord, line: string): void {
    this.records.push(record);
    this.lines.push(line);
  }

  /** Every record, in order, the header first. */
  all(): readonly TraceRecord[] {
    return this.records;
  }

  where(filter: TraceFilter): TraceRecord[] {
    return this.records.filter((r) => matches(r, filter));
  }

  count(filter: TraceFilter): number {
    let n = 0;
    for (const r of this.records) if (matches(r, filter)) n++;
    return n;
  }

  first(filter: TraceFilter): TraceRecord | undefined {
    return this.records.find((r) => matches(r, filter));
  }

  last(filter: TraceFilter): TraceRecord | undefined {
    for (let i = this.records.length - 1; i >= 0; i--) if (matches(this.records[i]!, filter)) return this.records[i];
    return undefined;
  }

  /** The JSONL line of record i, byte for byte what a trace file holds. */
  line(i: number): string | undefined {
    return this.lines[i];
  }

  get size(): number {
    return this.records.length;
  }
}
