/**
 * What travels with a request from hop to hop, as Go's context.Context does: its id (x-request-id on the
 * wire), its deadline (x-timeout-ms: what remains of it in whole ms, as gRPC's grpc-timeout) and where its
 * spans go (the ledger's record, when the world follows the request). The client makes one per request; an
 * HTTP client given one sends the id and the time left and records its phases into it; an HTTP server reads
 * one off the headers of every request; a hop narrows the deadline (`withDeadline`) or drops it (`detached`).
 */
import type { ActorContext } from '../core/context.js';
import type { Micros } from '../core/time.js';
import { ledgerIn, type RequestLedger, type RequestRecord } from './ledger.js';

/** The header a deadline travels in: the caller's remaining time, whole milliseconds. */
export const TIMEOUT_HEADER = 'x-timeout-ms';
/** The header the request's id travels in. */
export const REQUEST_ID_HEADER = 'x-request-id';

/** Where a context's spans go: the request's record in its world's ledger. */
interface SpanTarget {
  readonly ledger: RequestLedger;
  readonly record: RequestRecord;
}

export class RequestContext {
  private constructor(
    /** The id that follows the request through every hop (undefined: a request nobody named). */
    readonly id: string | undefined,
    /** When the caller gives up (virtual µs); null: no deadline. */
    readonly deadlineUs: Micros | null,
    private readonly target: SpanTarget | null,
  ) {}

  /** The context of a request the ledger started (the client's side). */
  static ofRecord(ledger: RequestLedger, record: RequestRecord): RequestContext {
    return new RequestContext(record.id, record.deadlineUs, { ledger, record });
  }

  /**
   * The context a server reads off a request's headers, `nowUs` being when it arrived: the id, and a deadline
   * that many ms after arrival when x-timeout-ms holds a non-negative number. Its spans go to the request's
   * record in `actor`'s world if the request is in flight there now; a hop that goes on working after its
   * caller has given up still records that work (the waste a propagated deadline would have saved).
   */
  static fromHeaders(actor: ActorContext, headers: Readonly<Record<string, string | undefined>>, nowUs: Micros): RequestContext {
    const id = headers[REQUEST_ID_HEADER];
    const text = headers[TIMEOUT_HEADER];
    const ms = text === undefined || text === '' ? NaN : Number(text);
    const deadlineUs = Number.isFinite(ms) && ms >= 0 ? nowUs + Math.round(ms * 1000) : null;
    return new RequestContext(id, deadlineUs, targetOf(actor, id));
  }

  /** A request known by its id alone (a test's, or one whose id came in a header): spans go to its record in `actor`'s world. */
  static named(actor: ActorContext, id: string | undefined, deadlineUs: Micros | null = null): RequestContext {
    return new RequestContext(id, deadlineUs, targetOf(actor, id));
  }

  /** The same request with the earlier of its deadline and `deadlineUs` (null: keep the one it has). */
  withDeadline(deadlineUs: Micros | null): RequestContext {
    if (deadlineUs === null || (this.deadlineUs !== null && this.deadlineUs <= deadlineUs)) return this;
    return new RequestContext(this.id, deadlineUs, this.target);
  }

  /** The same request with no deadline: a hop that does not honour its caller's. */
  detached(): RequestContext {
    return this.deadlineUs === null ? this : new RequestContext(this.id, null, this.target);
  }

  /** µs left at `nowUs` (never negative); Infinity without a deadline. */
  remainingUs(nowUs: Micros): number {
    return this.deadlineUs === null ? Infinity : Math.max(0, this.deadlineUs - nowUs);
  }

  /** The deadline has passed at `nowUs`. */
  expired(nowUs: Micros): boolean {
    return this.deadlineUs !== null && nowUs >= this.deadlineUs;
  }

  /** x-timeout-ms's value at `nowUs` (whole ms left, rounded down, as a sender must not overstate it); undefined without a deadline. */
  timeoutHeader(nowUs: Micros): string | undefined {
    return this.deadlineUs === null ? undefined : String(Math.floor(this.remainingUs(nowUs) / 1000));
  }

  /** Records a phase of the request on `host` from startUs to endUs (default: now); nothing if nobody follows it. */
  span(phase: string, host: string, startUs: Micros, attempt?: number, endUs?: Micros): void {
    const t = this.target;
    if (t) t.ledger.span(t.record, phase, host, startUs, attempt ?? t.record.attempts, endUs);
  }
}

/** Request `id`'s record, if `actor`'s world keeps a ledger (a bare simulation does not) and it is in flight there. */
function targetOf(actor: ActorContext, id: string | undefined): SpanTarget | null {
  const ledger = id === undefined ? null : ledgerIn(actor);
  const record = ledger?.lookup(id);
  if (!ledger || !record) return null;
  return { ledger, record };
}
