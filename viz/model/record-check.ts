/**
 * What a trace line must be, and the error when it is not: a JSON object with a numeric, non-negative t no
 * earlier than the previous record's, a string kind, host and actor strings where present, conn and req
 * strings or numbers, fields an object; the first line the header. Anything else is refused with its line
 * number rather than drawn wrong.
 *
 * API:
 *   TraceParseError(line, detail)    message 'line N: detail', one line; .line
 *   checkRecord(value, line, prevT)  → the value as a TraceRecord, or throws TraceParseError
 */
import type { TraceRecord } from 'faultline';

export class TraceParseError extends Error {
  constructor(
    readonly line: number,
    detail: string,
  ) {
    super(`line ${line}: ${detail}`);
    this.name = 'TraceParseError';
  }
}

export function checkRecord(r: unknown, line: number, prevT: number): TraceRecord {
  if (r === null || typeof r !== 'object' || Array.isArray(r)) {
    throw new TraceParseError(line, line === 1 ? 'not a faultline trace (no header)' : 'not a record (expected a JSON object)');
  }
  const rec = r as Record<string, unknown>;
  if (line === 1 && (rec.kind !== 'header' || typeof (rec.fields as Record<string, unknown> | undefined)?.faultline !== 'string')) {
    throw new TraceParseError(1, 'not a faultline trace (no header)');
  }
  checkTime(rec.t, line, prevT);
  if (typeof rec.kind !== 'string') throw new TraceParseError(line, 'record without a string kind');
  if (rec.host !== undefined && typeof rec.host !== 'string') throw new TraceParseError(line, 'host is not a string');
  if (rec.actor !== undefined && typeof rec.actor !== 'string') throw new TraceParseError(line, 'actor is not a string');
  if (rec.conn !== undefined && typeof rec.conn !== 'string' && typeof rec.conn !== 'number') throw new TraceParseError(line, 'conn is not a string or number');
  if (rec.req !== undefined && typeof rec.req !== 'string' && typeof rec.req !== 'number') throw new TraceParseError(line, 'req is not a string or number');
  const fields = rec.fields;
  if (fields !== undefined && (fields === null || typeof fields !== 'object' || Array.isArray(fields))) throw new TraceParseError(line, 'fields is not an object');
  return r as TraceRecord;
}

/** Records come in time order; the views binary-search on it. */
export function checkTime(t: unknown, line: number, prevT: number): void {
  if (typeof t !== 'number' || !Number.isFinite(t)) throw new TraceParseError(line, 'record without a numeric t');
  if (t < 0) throw new TraceParseError(line, `t ${t} is negative`);
  if (t < prevT) throw new TraceParseError(line, `t ${t} is before the previous record's ${prevT} (records must be in time order)`);
}

/** A JSON.parse message can quote the whole line back; a message stays one short line. */
const DETAIL_CHARS_MAX = 160;

/** The error for a line JSON.parse refused. */
export function notJson(err: unknown, text: string, line: number, unterminated: boolean): TraceParseError {
  if (text.length === 0) return new TraceParseError(line, 'empty line');
  const why = err instanceof Error ? err.message : String(err);
  const cut = why.length > DETAIL_CHARS_MAX ? `${why.slice(0, DETAIL_CHARS_MAX - 1)}…` : why;
  return new TraceParseError(line, `not JSON (${cut})${unterminated ? ', the file ends mid-line: truncated?' : ''}`);
}
