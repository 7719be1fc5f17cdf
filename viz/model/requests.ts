/**
 * Requests as the ledger traced them (sim/requests/ledger.ts): req.start opens one, req.span adds a phase
 * on some host (written when the phase ends; endUs absent means the record's t), req.end closes it with an
 * outcome. Spans stay record indexes until asked for, so a million-record trace holds no span objects.
 *
 * API:
 *   RequestTableBuilder    start/span/end per record; finish() → RequestInfo[] in start order
 *   spanOf(record, index)  one req.span record as a Span
 */
import type { TraceRecord } from 'faultline';
import type { RequestInfo, Span } from './types.js';

export class RequestTableBuilder {
  readonly requests: RequestInfo[] = [];
  private readonly byId = new Map<string, RequestInfo>();

  start(r: TraceRecord, index: number): void {
    const id = String(r.req);
    if (this.byId.has(id)) return;
    const info: RequestInfo = { id, origin: r.host ?? '', startUs: r.t, endUs: null, outcome: null, attempts: 0, startRecord: index, endRecord: -1, spans: [] };
    this.byId.set(id, info);
    this.requests.push(info);
  }

  span(req: string, index: number): void {
    // A hop may record a span after the client has given up (req.end first): it still belongs to the request.
    this.byId.get(req)?.spans.push(index);
  }

  end(r: TraceRecord, index: number): void {
    const info = this.byId.get(String(r.req));
    // The ledger ignores a second end (the first outcome stands), and so does the model.
    if (info === undefined || info.endRecord >= 0) return;
    const f = r.fields;
    info.endUs = r.t;
    info.endRecord = index;
    info.outcome = typeof f?.outcome === 'string' ? f.outcome : String(f?.outcome ?? 'unknown');
    info.attempts = typeof f?.attempts === 'number' ? f.attempts : 0;
  }

  /** Requests by id (the model keeps this map). */
  get ids(): Map<string, RequestInfo> {
    return this.byId;
  }
}

export function spanOf(r: TraceRecord, index: number): Span {
  const f = r.fields ?? {};
  return {
    phase: typeof f.phase === 'string' ? f.phase : String(f.phase ?? ''),
    host: r.host ?? '',
    startUs: typeof f.startUs === 'number' ? f.startUs : r.t,
    endUs: typeof f.endUs === 'number' ? f.endUs : r.t,
    attempt: typeof f.attempt === 'number' ? f.attempt : 0,
    record: index,
  };
}
