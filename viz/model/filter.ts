/**
 * The event log's filter: which records match a host, a connection, a request and a set of kinds, within a
 * time range. Kind and host are columns, so most of a million records are ruled out without parsing; conn
 * and req are looked for in the line's text first and confirmed on the parsed record.
 *
 * API:
 *   filterRecords(model, filter, range?) → Int32Array of matching record indexes, in trace order
 */
import type { RunModel } from './run-model.js';
import type { IndexRange } from './types.js';

export interface RecordFilter {
  /** Only these kinds (empty or absent: every kind). */
  kinds?: ReadonlySet<string>;
  host?: string;
  conn?: string;
  /** A request id: matches its own records and its hops' ('r12' matches 'r12.1', a database query it made). */
  req?: string;
}

export function filterRecords(model: RunModel, filter: RecordFilter, range: IndexRange = { start: 0, end: model.records.length }): Int32Array {
  const store = model.records;
  const { conn, req } = filter;
  let kindOk: Uint8Array | null = null;
  if (filter.kinds !== undefined && filter.kinds.size > 0) {
    kindOk = new Uint8Array(store.kindNames.length);
    store.kindNames.forEach((k, id) => (kindOk![id] = filter.kinds!.has(k) ? 1 : 0));
  }
  const hostId = filter.host === undefined ? -2 : store.hostNames.indexOf(filter.host);
  if (filter.host !== undefined && hostId < 0) return new Int32Array(0);
  // A record naming conn or req carries it as a JSON string (or number) in its line: a cheap first test.
  const connText = conn === undefined ? null : JSON.stringify(conn).slice(0, -1);
  const reqText = req === undefined ? null : JSON.stringify(req).slice(0, -1);
  const reqPrefix = `${req ?? ''}.`;
  const out = new Int32Array(Math.max(0, range.end - range.start));
  let n = 0;
  for (let i = range.start; i < range.end; i++) {
    if (kindOk !== null && kindOk[store.kindIds[i]!] === 0) continue;
    if (hostId !== -2 && store.hostIds[i] !== hostId) continue;
    if (connText !== null || reqText !== null) {
      const line = store.line(i);
      if (connText !== null && !line.includes(connText)) continue;
      if (reqText !== null && !line.includes(reqText)) continue;
      const r = store.get(i);
      if (conn !== undefined && String(r.conn) !== conn) continue;
      if (req !== undefined) {
        const id = r.req === undefined ? '' : String(r.req);
        if (id !== req && !id.startsWith(reqPrefix)) continue;
      }
    }
    out[n++] = i;
  }
  return out.slice(0, n);
}
