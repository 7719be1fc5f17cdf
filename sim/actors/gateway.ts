/**
 * The gateway: a reverse proxy in front of a service's replicas, as nginx or Envoy runs it. Clients connect
 * to its listener; each request goes to a replica picked by the load balancer over that replica's keep-alive
 * pool, with connect and read timeouts per try, a deadline over all tries, retries on the next replica,
 * Envoy's fail-fast caps and an optional circuit breaker. What goes wrong becomes the status nginx or Envoy
 * would answer (502, 503, 504), with the cause in `x-gateway-error`; an upstream's own answer passes through.
 */
import { openAudit, type Audit } from '../core/audits.js';
import type { ActorContext } from '../core/context.js';
import { FieldShape } from '../core/trace.js';
import { createHttpServer, HttpAgent, type HttpHandler, type HttpRequest, type HttpResponse, type HttpResponseInit } from '../proto/http1.js';
import { createHttp2Server } from '../proto/http2-server.js';
import type { RequestContext } from '../requests/context.js';
import { errorName, ledgerIn } from '../requests/ledger.js';
import { CircuitBreaker } from './circuit-breaker.js';
import { resolveGatewayOptions, type GatewayOptions, type GatewayOverrides, type RetryOn } from './gateway-options.js';
import { LoadBalancer } from './load-balancer.js';
import { backoffUs } from './retry.js';

/** Why the gateway answered for the upstream: the cause's class, its status, and the words nginx or Envoy log. */
interface Failure {
  kind: 'timeout' | 'error';
  /** The code counted in metrics: UND_ERR_CONNECT_TIMEOUT, UND_ERR_HEADERS_TIMEOUT, ECONNREFUSED, ECONNRESET, … */
  code: string;
  status: number;
  detail: string;
}

/** The outcome of one try: the upstream's response, or a failure. */
type TryResult = { response: HttpResponse } | { failure: Failure };

/** gateway.try's field names: one record per upstream try. */
const TRY_FIELDS = new FieldShape(['upstream', 'attempt', 'status', 'error', 'durationUs']);
const CONNECT_TIMEOUTS = new Set(['UND_ERR_CONNECT_TIMEOUT', 'ETIMEDOUT']);
const READ_TIMEOUTS = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

export interface GatewayStats {
  requests: number;
  tries: number;
  retries: number;
  /** Answers the gateway made itself, by status. */
  generated: Record<string, number>;
  /** Failed tries by cause code. */
  tryFailures: Record<string, number>;
}

export class Gateway {
  readonly options: GatewayOptions;
  readonly stats: GatewayStats = { requests: 0, tries: 0, retries: 0, generated: {}, tryFailures: {} };
  readonly agents: HttpAgent[];
  readonly breaker: CircuitBreaker | null;
  /** Tries in flight per replica (least-conn and p2c read it). */
  private readonly inFlight: number[];
  private readonly lb: LoadBalancer;
  private activeRequests = 0;
  private retriesInFlight = 0;
  private readonly backoffStream;
  private readonly tries: Audit;

  constructor(
    private readonly ctx: ActorContext,
    overrides: GatewayOverrides = {},
  ) {
    const o = (this.options = resolveGatewayOptions(overrides));
    const replicas = o.upstream.replicas;
    // Envoy's max_connections is per cluster; spread it over the replicas' pools.
    const maxPerReplica = o.caps ? Math.max(1, Math.floor(o.caps.maxConnections / replicas.length)) : undefined;
    this.agents = replicas.map(
      (r) =>
        new HttpAgent(ctx, {
          host: r.host,
          port: r.port,
          connectTimeoutMs: o.connectTimeoutMs,
          propagateDeadline: o.propagateDeadline,
          pool: { preset: 'nginx-upstream', poolName: `${ctx.host}->${r.host}`, ...(maxPerReplica ? { maximumPoolSize: maxPerReplica } : {}), ...o.upstream.pool },
        }),
    );
    this.inFlight = replicas.map(() => 0);
    this.lb = new LoadBalancer(o.upstream.loadBalancing, this.inFlight, ctx.random('gateway/lb'));
    this.backoffStream = ctx.random('gateway/backoff');
    this.tries = openAudit(ctx, `gateway ${ctx.host}`, 'gateway-tries');
    // Join the world's ledger now: it is made on first use and its gauge's place in the trace is its making's.
    ledgerIn(ctx);
    ctx.simulation.host(ctx.host).addRole('gateway');
    this.breaker = o.circuitBreaker
      ? new CircuitBreaker(o.circuitBreaker, (from, to, rate) => {
          ctx.trace('gateway.breaker', { from, to, failureRatePercent: Math.round(rate * 10) / 10 });
          this.count(`breaker.${to}`);
        })
      : null;
    const handler: HttpHandler = (req, res) => this.handle(req).then((init) => res.end(init));
    const listener =
      o.protocol === 'http2'
        ? createHttp2Server(ctx, { idleTimeoutMs: o.clientKeepAliveTimeoutMs, maxConcurrentStreams: o.maxConcurrentStreams }, handler)
        : createHttpServer(ctx, { keepAliveTimeoutMs: o.clientKeepAliveTimeoutMs, maxConnections: o.maxClientConnections }, handler);
    listener.listen(o.port, o.listenBacklog);
  }

  /** Requests waiting for an upstream connection, over every replica. */
  get pendingRequests(): number {
    return this.agents.reduce((n, a) => n + a.pool.pendingAcquires, 0);
  }

  private async handle(req: HttpRequest): Promise<HttpResponseInit> {
    const o = this.options;
    const startUs = this.ctx.now;
    this.stats.requests++;
    // The client's deadline counts when the gateway honours it; its own request timeout bounds every request.
    const given = o.propagateDeadline ? req.context : req.context.detached();
    const context = given.withDeadline(o.requestTimeoutMs > 0 ? startUs + o.requestTimeoutMs * 1000 : null);
    if (o.caps && this.activeRequests >= o.caps.maxRequests) return this.generated(req, 503, 'UO upstream overflow (max_requests)');
    this.activeRequests++;
    try {
      return await this.forward(req, context);
    } finally {
      this.activeRequests--;
      context.span('gateway', this.ctx.host, startUs);
    }
  }

  /** Tries replicas until one answers, the retries run out, or the deadline passes. */
  private async forward(req: HttpRequest, context: RequestContext): Promise<HttpResponseInit> {
    const o = this.options;
    const tried: number[] = [];
    let previousWaitUs = 0;
    for (let attempt = 1; ; attempt++) {
      if (context.expired(this.ctx.now)) return this.generated(req, 504, o.style === 'envoy' ? 'UT upstream request timeout' : 'upstream timed out (deadline)');
      if (o.caps && this.pendingRequests >= o.caps.maxPendingRequests) return this.generated(req, 503, 'UO upstream overflow (max_pending_requests)');
      if (this.breaker && !this.breaker.tryAcquire(this.ctx.now)) {
        return this.generated(req, o.style === 'envoy' ? 503 : 502, o.style === 'envoy' ? 'UO circuit breaker open' : 'no live upstreams (circuit breaker open)');
      }
      const replica = this.lb.pick(tried);
      this.auditTry(req, replica, attempt, tried);
      tried.push(replica);
      const isRetry = attempt > 1;
      if (isRetry) {
        this.stats.retries++;
        this.retriesInFlight++;
      }
      const result = await this.tryOnce(req, replica, attempt, context);
      if (isRetry) this.retriesInFlight--;
      const failedStatus = 'response' in result ? result.response.status : result.failure.status;
      this.breaker?.onResult(this.ctx.now, 'failure' in result || failedStatus >= 500);
      if ('response' in result && !this.retryable(result)) return passThrough(result.response);
      if (!this.mayRetry(result, attempt, tried.length, context)) {
        if ('response' in result) return passThrough(result.response);
        return this.generated(req, result.failure.status, result.failure.detail);
      }
      this.auditRetry(req);
      const waitUs = Math.min(backoffUs(o.retryBackoff, attempt, previousWaitUs, this.backoffStream), context.remainingUs(this.ctx.now));
      previousWaitUs = waitUs;
      if (waitUs > 0) await this.ctx.sleep(waitUs);
    }
  }

  private async tryOnce(req: HttpRequest, replica: number, attempt: number, context: RequestContext): Promise<TryResult> {
    const o = this.options;
    const startUs = this.ctx.now;
    this.stats.tries++;
    this.inFlight[replica]!++;
    let result: TryResult;
    try {
      const response = await this.agents[replica]!.request({
        method: req.method,
        path: req.path,
        bodyBytes: req.bodyBytes,
        context,
        ...(o.readTimeoutMs > 0 ? { readTimeoutMs: o.readTimeoutMs } : {}),
      });
      result = { response };
    } catch (err) {
      result = { failure: this.classify(err) };
      this.stats.tryFailures[result.failure.code] = (this.stats.tryFailures[result.failure.code] ?? 0) + 1;
      this.count(`try.${result.failure.code}`);
    }
    this.inFlight[replica]!--;
    const host = o.upstream.replicas[replica]!.host;
    this.ctx.trace('gateway.try', { upstream: host, attempt, status: 'response' in result ? result.response.status : undefined, error: 'failure' in result ? result.failure.code : undefined, durationUs: this.ctx.now - startUs }, { req: req.requestId }, TRY_FIELDS);
    context.span(`upstream ${host}`, this.ctx.host, startUs, attempt);
    return result;
  }

  /** nginx: every timeout is 504, any other upstream error 502. Envoy: connect failures and resets are 503, timeouts 504. */
  private classify(err: unknown): Failure {
    const code = errorName(err);
    const envoy = this.options.style === 'envoy';
    if (code === 'ERR_HTTP_REQUEST_TIMEOUT') return { kind: 'timeout', code, status: 504, detail: envoy ? 'UT upstream request timeout' : 'upstream timed out (deadline)' };
    if (CONNECT_TIMEOUTS.has(code)) {
      return { kind: 'timeout', code, status: envoy ? 503 : 504, detail: envoy ? 'UF upstream connect error or disconnect/reset before headers. reset reason: connection timeout' : 'upstream timed out (110: Connection timed out) while connecting to upstream' };
    }
    if (READ_TIMEOUTS.has(code)) return { kind: 'timeout', code, status: 504, detail: envoy ? 'UT upstream per-try timeout' : 'upstream timed out (110: Connection timed out) while reading response header from upstream' };
    if (code === 'ECONNREFUSED') {
      return { kind: 'error', code, status: envoy ? 503 : 502, detail: envoy ? 'UF upstream connect error or disconnect/reset before headers. reset reason: connection failure' : 'connect() failed (111: Connection refused) while connecting to upstream' };
    }
    return { kind: 'error', code, status: envoy ? 503 : 502, detail: envoy ? `UC upstream connect error or disconnect/reset before headers. reset reason: ${code}` : `upstream prematurely closed connection (${code}) while reading response header from upstream` };
  }

  private retryable(result: TryResult): boolean {
    const on = this.options.retryOn;
    if ('failure' in result) return result.failure.code !== 'ERR_HTTP_REQUEST_TIMEOUT' && on.includes(result.failure.kind);
    return on.includes(`http_${result.response.status}` as RetryOn);
  }

  private mayRetry(result: TryResult, attempt: number, tried: number, context: RequestContext): boolean {
    const o = this.options;
    if (!this.retryable(result) || attempt > o.maxRetries || context.expired(this.ctx.now)) return false;
    // nginx tries each server once (proxy_next_upstream); Envoy may come back to one.
    if (o.style === 'nginx' && tried >= o.upstream.replicas.length) return false;
    // Envoy: "If this field is set, the retry budget will override any configured retry circuit breaker"
    // (CircuitBreakers.Thresholds.retry_budget): with a budget, caps.maxRetries does not apply.
    if (o.caps && !o.retryBudget && this.retriesInFlight >= o.caps.maxRetries) return this.refuseRetry('caps.maxRetries');
    if (o.retryBudget && this.retriesInFlight >= this.retryAllowance()) return this.refuseRetry('retryBudget');
    return true;
  }

  /** Envoy's retry budget: retries in flight allowed now (budget_percent of the active and pending requests, at least min_retry_concurrency). */
  private retryAllowance(): number {
    const b = this.options.retryBudget!;
    return Math.max(b.minRetryConcurrency, (b.budgetPercent / 100) * (this.activeRequests + this.pendingRequests));
  }

  /** The try rules, checked as each try starts: maxRetries + 1 tries at most; nginx tries each replica once. */
  private auditTry(req: HttpRequest, replica: number, attempt: number, tried: readonly number[]): void {
    const o = this.options;
    if (attempt > o.maxRetries + 1) this.tries.breach(this.ctx.now, `request ${req.requestId ?? '(no id)'}: try ${attempt}, but maxRetries ${o.maxRetries} allows ${o.maxRetries + 1}`);
    if (o.style === 'nginx' && tried.includes(replica)) this.tries.breach(this.ctx.now, `request ${req.requestId ?? '(no id)'}: ${o.upstream.replicas[replica]!.host} tried twice (nginx's proxy_next_upstream tries each server once)`);
  }

  /** The retry rules, checked as a retry is decided: Envoy's retry budget where there is one, else caps.maxRetries. */
  private auditRetry(req: HttpRequest): void {
    const o = this.options;
    const next = this.retriesInFlight + 1;
    if (o.caps && !o.retryBudget && next > o.caps.maxRetries) this.tries.breach(this.ctx.now, `request ${req.requestId ?? '(no id)'}: retry ${next} in flight, over caps.maxRetries ${o.caps.maxRetries}`);
    const b = o.retryBudget;
    if (b) {
      // Worked out here from the configuration, not with retryAllowance(): the check must not share the code it checks.
      const cap = Math.max(b.minRetryConcurrency, ((this.activeRequests + this.pendingRequests) * b.budgetPercent) / 100);
      // Envoy lets a retry go while fewer than the cap are in flight.
      if (this.retriesInFlight >= cap) this.tries.breach(this.ctx.now, `request ${req.requestId ?? '(no id)'}: retry ${next} in flight, over the retry budget's ${cap} (${b.budgetPercent}% of ${this.activeRequests + this.pendingRequests}, at least ${b.minRetryConcurrency})`);
    }
  }

  private refuseRetry(why: string): false {
    this.count(`retryRefused.${why}`);
    return false;
  }

  /** An answer the gateway makes itself. */
  private generated(req: HttpRequest, status: number, detail: string): HttpResponseInit {
    this.stats.generated[status] = (this.stats.generated[status] ?? 0) + 1;
    this.count(`status.${status}`);
    this.ctx.trace('gateway.reply', { status, detail }, { req: req.requestId });
    return { status, headers: { 'x-gateway-error': detail } };
  }

  private count(what: string): void {
    this.ctx.simulation.metrics.counter(`gateway.${this.ctx.host}.${what}`).inc();
  }
}

/** Headers that describe one hop's connection, not the response (RFC 9110 §7.6.1), and the body's framing. */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'content-length']);

/** The upstream's answer as it came: status, size, and its end-to-end headers (the root cause in x-error among them). */
function passThrough(r: HttpResponse): HttpResponseInit {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(r.headers)) if (!HOP_BY_HOP.has(name)) headers[name] = value;
  return { status: r.status, bodyBytes: r.bodyBytes, headers };
}

/** Starts a gateway from its actor's main. */
export function runGateway(ctx: ActorContext, overrides: GatewayOverrides = {}): Gateway {
  return new Gateway(ctx, overrides);
}
