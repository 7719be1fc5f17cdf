/**
 * The client: load as users and load generators make it. Open loop (Poisson or fixed-rate arrivals, with a
 * rate schedule for spikes) or closed loop (users who wait for an answer, then think). Each request has a
 * deadline and retries with backoff and an optional retry budget, and is accounted in the RequestLedger.
 * What a request does is the caller's: `call` talks HTTP to a gateway, or anything else.
 */
import type { ActorContext } from '../core/context.js';
import { distribution, type DistributionSpec } from '../core/distribution.js';
import { openAudit } from '../core/audits.js';
import { SimError } from '../core/errors.js';
import { parseDuration, type Duration } from '../core/time.js';
import { RequestContext } from '../requests/context.js';
import { errorName, requestsOf } from '../requests/ledger.js';
import { RetryBudget, backoffUs, type BackoffOptions } from './retry.js';

export interface ClientOptions {
  /** poisson / fixed: open loop at ratePerS; closed: `users` who each wait for an answer, then think. */
  arrival: 'poisson' | 'fixed' | 'closed';
  ratePerS: number;
  /** Rate changes at given times (a spike: up at 10 s, back at 20 s). Open loop only. */
  rateSchedule: { at: Duration; ratePerS: number }[];
  users: number;
  thinkTime: DistributionSpec;
  /** A request that has not succeeded this long after it started ends as DEADLINE_EXCEEDED; 0: none. */
  deadlineMs: number;
  /** Retries after a failed attempt (0: none). */
  maxRetries: number;
  backoff: BackoffOptions;
  /** Finagle-style budget: retries ≤ ratio × requests (10 s window) + minPerSecond; null: unbounded. */
  retryBudget: { ratio: number; minPerSecond: number } | null;
  /** No new requests after this virtual time; 0: never stop. */
  stopAtMs: number;
}

export const clientDefaults: Readonly<ClientOptions> = Object.freeze<ClientOptions>({
  arrival: 'poisson',
  ratePerS: 100,
  rateSchedule: [],
  users: 10,
  thinkTime: '100ms',
  deadlineMs: 0,
  maxRetries: 0,
  backoff: { kind: 'full', baseMs: 25, capMs: 250 },
  retryBudget: null,
  stopAtMs: 0,
});

/**
 * One attempt of a request: resolve on success, throw an error with a `code` (or `status`) on failure. `req`
 * is the request's context (id, deadline, spans): hand it to the HTTP client (`{ context: req }`) and it
 * travels down the stack.
 */
export type Attempt = (req: RequestContext, attempt: number) => Promise<void>;

export function resolveClientOptions(partial: Partial<ClientOptions>, what = 'client'): ClientOptions {
  for (const key of Object.keys(partial)) {
    if (!(key in clientDefaults)) throw new SimError('ERR_CLIENT_OPTION', `${what}.${key}: not a client option (options: ${Object.keys(clientDefaults).join(', ')})`);
  }
  const o = { ...clientDefaults, ...partial };
  const bad = (field: string, msg: string) => new SimError('ERR_CLIENT_OPTION', `${what}.${field}: ${msg}`);
  if (!['poisson', 'fixed', 'closed'].includes(o.arrival)) throw bad('arrival', `expected poisson, fixed or closed, got ${JSON.stringify(o.arrival)}`);
  if (!(o.ratePerS >= 0) || !Number.isFinite(o.ratePerS)) throw bad('ratePerS', `expected a non-negative number, got ${o.ratePerS}`);
  if (!Number.isSafeInteger(o.users) || o.users < 0) throw bad('users', `expected a non-negative integer, got ${o.users}`);
  if (!Number.isSafeInteger(o.maxRetries) || o.maxRetries < 0) throw bad('maxRetries', `expected a non-negative integer, got ${o.maxRetries}`);
  if (!(o.deadlineMs >= 0)) throw bad('deadlineMs', `expected a non-negative number, got ${o.deadlineMs}`);
  if (!['none', 'exponential', 'full', 'equal', 'decorrelated'].includes(o.backoff.kind)) throw bad('backoff.kind', `expected none, exponential, full, equal or decorrelated, got ${JSON.stringify(o.backoff.kind)}`);
  o.rateSchedule.forEach((step, i) => {
    parseDuration(step.at, `${what}.rateSchedule[${i}].at`);
    if (!(step.ratePerS >= 0)) throw bad(`rateSchedule[${i}].ratePerS`, `expected a non-negative number, got ${step.ratePerS}`);
  });
  distribution(o.thinkTime, `${what}.thinkTime`);
  return o;
}

/** Starts generating load from the actor of `ctx`. Call from the actor's main. */
export function runClient(ctx: ActorContext, partial: Partial<ClientOptions>, attempt: Attempt): void {
  const o = resolveClientOptions(partial);
  const ledger = requestsOf(ctx);
  ctx.simulation.host(ctx.host).addRole('client');
  const budget = o.retryBudget ? new RetryBudget(o.retryBudget.ratio, o.retryBudget.minPerSecond) : null;
  const backoffStream = ctx.random('backoff');
  const retries = openAudit(ctx, `client ${ctx.host}`, 'client-retries');
  let requestCount = 0;
  let retryCount = 0;
  const ownStopUs = o.stopAtMs > 0 ? o.stopAtMs * 1000 : Infinity;
  const stopped = () => ctx.now >= ownStopUs || ctx.simulation.draining;

  /**
   * The retry rules, checked as each retry starts: maxRetries + 1 attempts at most; with a budget, retries
   * never more than 2 × `ratio` of the requests so far plus 10 s of `minPerSecond` for each 10 s begun: the
   * bound a 10 s sliding window keeps (each retry's window reaches back into the 10 s before).
   */
  const auditRetry = (id: string, attempt: number): void => {
    retryCount++;
    if (attempt > o.maxRetries + 1) retries.breach(ctx.now, `request ${id}: attempt ${attempt}, but maxRetries ${o.maxRetries} allows ${o.maxRetries + 1}`);
    const b = o.retryBudget;
    if (b) {
      const windows = Math.floor(ctx.now / 10_000_000) + 2;
      const allowed = 2 * b.ratio * requestCount + b.minPerSecond * 10 * windows;
      if (retryCount > allowed) retries.breach(ctx.now, `${retryCount} retries for ${requestCount} requests: over the retry budget's ${Math.floor(allowed)} (ratio ${b.ratio}, ${b.minPerSecond}/s)`);
    }
  };

  const request = async (): Promise<void> => {
    const rec = ledger.start(ctx.host);
    requestCount++;
    budget?.onRequest(ctx.now);
    const deadlineAfterUs = Math.round(o.deadlineMs * 1000);
    if (deadlineAfterUs > 0) rec.deadlineUs = ctx.now + deadlineAfterUs;
    const context = RequestContext.ofRecord(ledger, rec);
    const deadline = deadlineAfterUs > 0 ? ctx.timer(deadlineAfterUs, () => ledger.finish(rec, 'DEADLINE_EXCEEDED')) : null;
    let previousWaitUs = 0;
    for (let n = 1; ; n++) {
      rec.attempts = n;
      if (n > 1) auditRetry(rec.id, n);
      const startedUs = ctx.now;
      try {
        await attempt(context, n);
        ledger.span(rec, 'attempt', ctx.host, startedUs, n);
        deadline?.cancel();
        ledger.finish(rec, 'ok');
        return;
      } catch (err) {
        ledger.span(rec, 'attempt', ctx.host, startedUs, n);
        if (rec.outcome !== null) return; // the deadline passed meanwhile
        if (n > o.maxRetries || (budget && !budget.tryRetry(ctx.now))) {
          deadline?.cancel();
          ledger.finish(rec, errorName(err));
          return;
        }
        const waitUs = backoffUs(o.backoff, n, previousWaitUs, backoffStream);
        previousWaitUs = waitUs;
        if (waitUs > 0) {
          const backoffStartUs = ctx.now;
          await ctx.sleep(waitUs);
          ledger.span(rec, 'backoff', ctx.host, backoffStartUs, n);
          if (rec.outcome !== null) return;
        }
      }
    }
  };

  if (o.arrival === 'closed') {
    const think = distribution(o.thinkTime, 'thinkTime');
    for (let u = 0; u < o.users; u++) {
      ctx.go(async () => {
        const stream = ctx.random(`user${u}/think`);
        while (!stopped()) {
          await request();
          await ctx.sleep(think.sample(stream));
        }
      });
    }
    return;
  }

  let rate = o.ratePerS;
  for (const step of o.rateSchedule) ctx.timer(parseDuration(step.at), () => (rate = step.ratePerS));
  const arrivals = ctx.random('arrivals');
  const gapUs = (): number => {
    if (rate <= 0) return 1_000_000; // idle: look again in a second
    const meanUs = 1_000_000 / rate;
    return Math.max(1, Math.round(o.arrival === 'poisson' ? -meanUs * Math.log(1 - arrivals.next()) : meanUs));
  };
  const next = (): void => {
    if (stopped()) return;
    if (rate > 0) ctx.go(request);
    ctx.timer(gapUs(), next);
  };
  ctx.timer(gapUs(), next);
}
