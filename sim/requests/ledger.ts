/**
 * Request accounting: every request gets an id that follows it through every hop, a span per phase (queue,
 * connect, TLS, pool wait, send, server time, response, each retry), and ends as a success, a named error,
 * or in flight at the end of the run. Nothing is lost: total = ok + failed + in flight, always.
 */
import type { ActorContext } from '../core/context.js';
import type { Gauge, Histogram } from '../core/metrics.js';
import type { Simulation } from '../core/simulation.js';
import { jsonNumber, quotedName } from '../core/canonical.js';
import { SimError } from '../core/errors.js';
import type { Micros } from '../core/time.js';
import { FieldShape } from '../core/trace.js';

/** req.end's field names: one record per request. */
const END_FIELDS = new FieldShape(['outcome', 'durationUs', 'attempts']);

export interface Span {
  phase: string;
  host: string;
  startUs: Micros;
  endUs: Micros;
  attempt: number;
}

export interface RequestRecord {
  readonly id: string;
  readonly startUs: Micros;
  /** Where it started (the client host). */
  readonly origin: string;
  endUs: Micros | null;
  /** 'ok', or the error's name ('ECONNRESET', 'POOL_ACQUIRE_TIMEOUT', '503', '53300', …); null in flight. */
  outcome: string | null;
  attempts: number;
  /** When the caller gives up on it (virtual µs), if it has a deadline. */
  deadlineUs: Micros | null;
  readonly spans: Span[];
}

export interface RequestSummary {
  total: number;
  ok: number;
  failed: number;
  inFlight: number;
  byError: Record<string, number>;
  /** Latency of successful requests, ms. */
  latencyMs: { p50: number; p90: number; p99: number; max: number };
  /** L = λW over the run: arrivals per second, mean requests in the system, mean time in it (in-flight ones up to now). */
  littlesLaw: { arrivalRatePerS: number; meanInSystem: number; meanTimeInSystemS: number };
}

/** The name a World provides its ledger under (Simulation.provide), for actors to reach it from their context. */
export const REQUESTS_SERVICE = 'requests';

/** The request ledger of the world an actor lives in: every hop adds its spans to the same records. */
export function requestsOf(ctx: ActorContext): RequestLedger {
  return ctx.service<RequestLedger>(REQUESTS_SERVICE);
}

/** The ledger of `ctx`'s world, made now if it is not yet; null in a bare simulation (no world provides one). */
export function ledgerIn(ctx: ActorContext): RequestLedger | null {
  return ctx.alive && ctx.simulation.provides(REQUESTS_SERVICE) ? requestsOf(ctx) : null;
}

/**
 * Which requests the ledger keeps whole (with their spans) after they end: every one ('all': tests and chaos
 * runs read them), none, or the most recent n (a ring). The counts, the latency histogram and Little's law are
 * kept however many requests there are; the trace has every request whatever this says.
 */
export type KeepRequests = 'all' | 'none' | number;

/** The default: the last thousand, so a run of any length keeps the same few hundred kB of records. */
export const KEEP_REQUESTS_DEFAULT = 1000;

export function checkKeepRequests(keep: unknown, field: string): KeepRequests {
  if (keep === 'all' || keep === 'none' || (Number.isSafeInteger(keep) && (keep as number) >= 0)) return keep as KeepRequests;
  throw new SimError('ERR_ARG', `${field}: expected 'all', 'none' or a number of requests, got ${JSON.stringify(keep)}`);
}

export class RequestLedger {
  /** Kept records: every one ('all'), or a ring of the last `ringSize` with `ringNext` the oldest's slot. */
  private readonly records: RequestRecord[] = [];
  private ringNext = 0;
  private ringSize: number;
  /** Requests in flight by id, so every hop can add its spans to the record. */
  private readonly open = new Map<string, RequestRecord>();
  private seq = 0;
  /** Σ (end − start) of finished requests, µs. */
  private finishedTimeUs = 0;
  /** Σ start of requests in flight, µs: their time in the system so far is inFlight·now − this. */
  private inFlightStartSumUs = 0;
  private okCount = 0;
  private failedCount = 0;
  private readonly byError = new Map<string, number>();
  private readonly inFlight: Gauge;
  private readonly latency: Histogram;
  /** Write req.start / req.end trace records; off for very long runs. */
  traceRequests = true;
  /** Write req.span records (off in light traces). */
  traceSpans: boolean;

  constructor(
    private readonly sim: Simulation,
    keep: KeepRequests = KEEP_REQUESTS_DEFAULT,
  ) {
    this.ringSize = 0;
    this.keep = keep;
    this.traceSpans = sim.traceDetail === 'full';
    this.inFlight = sim.metrics.gauge('requests.inFlight');
    this.latency = sim.metrics.histogram('requests.latencyUs');
  }

  /** Which ended requests are kept whole; set it before the run (a scenario counting millions sets 'none'). */
  get keep(): KeepRequests {
    return this.ringSize === Infinity ? 'all' : this.ringSize === 0 ? 'none' : this.ringSize;
  }

  set keep(keep: KeepRequests) {
    this.ringSize = checkKeepRequests(keep, 'keepRequests') === 'all' ? Infinity : keep === 'none' ? 0 : (keep as number);
    this.records.length = Math.min(this.records.length, this.ringSize);
    this.ringNext = 0;
  }

  /** A new request from `origin`, now. */
  start(origin: string): RequestRecord {
    const rec: RequestRecord = { id: `r${++this.seq}`, startUs: this.sim.now, origin, endUs: null, outcome: null, attempts: 0, deadlineUs: null, spans: [] };
    this.keepRecord(rec);
    this.open.set(rec.id, rec);
    this.inFlightStartSumUs += rec.startUs;
    this.inFlight.add(1);
    if (this.traceRequests) this.sim.trace.write({ t: this.sim.now, kind: 'req.start', host: origin, req: rec.id });
    return rec;
  }

  /** The request in flight with this id (as x-request-id carries it), if any: a hop adds its spans to it. */
  lookup(id: string | undefined): RequestRecord | undefined {
    return id === undefined ? undefined : this.open.get(id);
  }

  /** Records a phase of the request that ran from startUs to endUs (default now) on `host`. */
  span(rec: RequestRecord, phase: string, host: string, startUs: Micros, attempt = rec.attempts, endUs: Micros = this.sim.now): void {
    const span: Span = { phase, host, startUs, endUs, attempt };
    if (this.ringSize > 0) rec.spans.push(span);
    if (this.traceRequests && this.traceSpans) {
      const t = this.sim.now;
      const end = endUs === t ? undefined : endUs;
      // Fields in canonical (sorted) order; endUs only when the span did not end now.
      const line = `{"t":${t},"kind":"req.span","host":${quotedName(host)},"req":${JSON.stringify(rec.id)},"fields":{"attempt":${jsonNumber(attempt)}${end === undefined ? '' : `,"endUs":${jsonNumber(end)}`},"phase":${quotedName(phase)},"startUs":${jsonNumber(startUs)}}}`;
      this.sim.trace.writeEncoded({ t, kind: 'req.span', host, req: rec.id, fields: { phase, startUs, endUs: end, attempt } }, line);
    }
  }

  /** Ends a request with 'ok' or an error's name. A second end is ignored (the first outcome stands). */
  finish(rec: RequestRecord, outcome: string): void {
    if (rec.outcome !== null) return;
    rec.outcome = outcome;
    rec.endUs = this.sim.now;
    this.open.delete(rec.id);
    this.inFlight.add(-1);
    const durationUs = rec.endUs - rec.startUs;
    this.inFlightStartSumUs -= rec.startUs;
    this.finishedTimeUs += durationUs;
    if (outcome === 'ok') {
      this.okCount++;
      this.latency.record(durationUs);
    } else {
      this.failedCount++;
      this.byError.set(outcome, (this.byError.get(outcome) ?? 0) + 1);
    }
    this.sim.metrics.counter(`requests.${outcome}`).inc();
    if (this.traceRequests) this.sim.trace.writeShaped({ t: this.sim.now, kind: 'req.end', host: rec.origin, req: rec.id, fields: { outcome, durationUs, attempts: rec.attempts } }, END_FIELDS);
  }

  /** The requests kept (see keep), in start order: every one by default in tests, the last n in a ring. */
  all(): readonly RequestRecord[] {
    if (this.ringSize === Infinity || this.records.length < this.ringSize) return this.records;
    return [...this.records.slice(this.ringNext), ...this.records.slice(0, this.ringNext)];
  }

  private keepRecord(rec: RequestRecord): void {
    if (this.records.length < this.ringSize) this.records.push(rec);
    else if (this.ringSize > 0) {
      this.records[this.ringNext] = rec;
      this.ringNext = (this.ringNext + 1) % this.ringSize;
    }
  }

  /** Requests started, ended ok and ended failed so far: cheap, and reads nothing else (a run's progress line). */
  counts(): { total: number; ok: number; failed: number } {
    return { total: this.seq, ok: this.okCount, failed: this.failedCount };
  }

  /** Totals for the run so far; throws if the accounting does not add up (it always should). */
  summary(): RequestSummary {
    const total = this.seq;
    const inFlight = total - this.okCount - this.failedCount;
    if (inFlight !== this.inFlight.value) {
      throw new Error(`request accounting broken: ${total} total, ${this.okCount} ok, ${this.failedCount} failed, but ${this.inFlight.value} in flight`);
    }
    const now = this.sim.now;
    const timeInSystemUs = this.finishedTimeUs + inFlight * now - this.inFlightStartSumUs;
    const seconds = now / 1e6;
    const h = this.latency.summary();
    return {
      total,
      ok: this.okCount,
      failed: this.failedCount,
      inFlight,
      byError: Object.fromEntries([...this.byError].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))),
      latencyMs: { p50: h.p50 / 1000, p90: h.p90 / 1000, p99: h.p99 / 1000, max: h.max / 1000 },
      littlesLaw: {
        arrivalRatePerS: seconds > 0 ? total / seconds : 0,
        meanInSystem: now > 0 ? this.inFlight.mean(0, now) : 0,
        meanTimeInSystemS: total > 0 ? timeInSystemUs / total / 1e6 : 0,
      },
    };
  }
}

/** The name a failure is counted under: its code ('ECONNRESET', '53300', 'POOL_ACQUIRE_TIMEOUT'), or its name. */
export function errorName(err: unknown): string {
  if (err && typeof err === 'object') {
    const code = (err as { code?: unknown }).code;
    if (typeof code === 'string' || typeof code === 'number') return String(code);
    const status = (err as { status?: unknown }).status;
    if (typeof status === 'number') return String(status);
    const name = (err as { name?: unknown }).name;
    if (typeof name === 'string' && name !== 'Error') return name;
  }
  return 'Error';
}
