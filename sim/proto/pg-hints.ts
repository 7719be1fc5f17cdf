/**
 * How a query tells the simulated server what it costs and what it returns. The server only sees bytes, so
 * the hint travels in the SQL text as a leading comment (PostgreSQL ignores comments; so would a real
 * server):
 *
 *   /*faultline rows=500 rowBytes=200 costUs=4000 id=r17*\/ SELECT * FROM orders
 *
 * - rows: DataRows in the result (default: the database's defaultRows)
 * - rowBytes: bytes of each row's one column value; each DataRow is rowBytes + 11 bytes on the wire
 * - costUs: execution time on one core, µs, before slow mode (default: a sample of the database's queryTime)
 * - id: a query id for the trace (the request id, say): letters, digits and . _ : -
 * - error: a SQLSTATE the query fails with, as an ERROR, after its cost (e.g. 40001, 57014)
 *
 * Keys may come in any order; each at most once. The hint is part of the query's size on the wire.
 */
import { MAX_MESSAGE_BYTES, DATA_ROW_OVERHEAD_BYTES } from './pg-codec.js';

export interface PgQueryHints {
  rows?: number;
  rowBytes?: number;
  costUs?: number;
  id?: string;
  error?: string;
}

/** A query as the client API takes it: SQL text and optional hints. */
export interface PgQuerySpec extends PgQueryHints {
  text: string;
}

/** The most bytes one result may put on the wire (1 GiB): the simulation's bound, not PostgreSQL's. */
export const MAX_RESULT_BYTES = 2 ** 30;
/** The largest row value: a DataRow must stay within the largest message. */
export const MAX_ROW_BYTES = MAX_MESSAGE_BYTES - (DATA_ROW_OVERHEAD_BYTES - 1);
/** The longest execution time a hint may ask for: one hour. */
export const MAX_COST_US = 3_600_000_000;

const PREFIX = '/*faultline';
const idPattern = /^[A-Za-z0-9._:-]{1,64}$/;
const sqlStatePattern = /^[0-9A-Z]{5}$/;
const intKeys = { rows: Math.floor(MAX_RESULT_BYTES / DATA_ROW_OVERHEAD_BYTES), rowBytes: MAX_ROW_BYTES, costUs: MAX_COST_US } as const;

/** Checks hints; returns the first problem in one line ('rows: expected an integer from 0 to …'), or null. */
export function checkHints(h: PgQueryHints): string | null {
  for (const key of Object.keys(intKeys) as (keyof typeof intKeys)[]) {
    const v = h[key];
    if (v === undefined) continue;
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0 || v > intKeys[key]) return `${key}: expected an integer from 0 to ${intKeys[key]}, got ${JSON.stringify(v)}`;
  }
  if (h.rows !== undefined && h.rowBytes !== undefined && h.rows * (h.rowBytes + DATA_ROW_OVERHEAD_BYTES) > MAX_RESULT_BYTES) {
    return `rows × (rowBytes + ${DATA_ROW_OVERHEAD_BYTES}): ${h.rows * (h.rowBytes + DATA_ROW_OVERHEAD_BYTES)} bytes is above the ${MAX_RESULT_BYTES}-byte bound on a result`;
  }
  if (h.id !== undefined && (typeof h.id !== 'string' || !idPattern.test(h.id))) return `id: expected 1–64 of A-Z a-z 0-9 . _ : -, got ${JSON.stringify(h.id)}`;
  if (h.error !== undefined && (typeof h.error !== 'string' || !sqlStatePattern.test(h.error))) return `error: expected a SQLSTATE (5 of 0-9 A-Z), got ${JSON.stringify(h.error)}`;
  return null;
}

/** The SQL text with the hints as a leading comment (none when no hint is given). */
export function withHints(spec: PgQuerySpec): string {
  const parts: string[] = [];
  for (const key of ['rows', 'rowBytes', 'costUs', 'id', 'error'] as const) {
    if (spec[key] !== undefined) parts.push(`${key}=${spec[key]}`);
  }
  return parts.length === 0 ? spec.text : `${PREFIX} ${parts.join(' ')}*/ ${spec.text}`;
}

/** The hints at the start of `sql` (an empty object if it has none), or a one-line problem. */
export function parseHints(sql: string): { hints: PgQueryHints } | { problem: string } {
  const start = sql.length - sql.trimStart().length;
  if (!sql.startsWith(PREFIX, start)) return { hints: {} };
  const close = sql.indexOf('*/', start);
  if (close < 0) return { problem: 'unterminated /*faultline comment' };
  const hints: PgQueryHints = {};
  const seen = new Set<string>();
  for (const item of sql.slice(start + PREFIX.length, close).trim().split(/\s+/)) {
    if (item === '') continue;
    const eq = item.indexOf('=');
    const key = eq > 0 ? item.slice(0, eq) : item;
    const value = eq > 0 ? item.slice(eq + 1) : '';
    if (seen.has(key)) return { problem: `${key}: given twice` };
    seen.add(key);
    switch (key) {
      case 'rows':
      case 'rowBytes':
      case 'costUs':
        if (!/^\d{1,16}$/.test(value)) return { problem: `${key}: expected an integer, got '${value}'` };
        hints[key] = Number(value);
        break;
      case 'id':
      case 'error':
        hints[key] = value;
        break;
      default:
        return { problem: `unknown key '${key}' (keys: rows, rowBytes, costUs, id, error)` };
    }
  }
  const problem = checkHints(hints);
  return problem ? { problem } : { hints };
}
