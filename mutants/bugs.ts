/**
 * The planted bugs, as data: each a slip a developer could make, written as exact string replacements in the
 * sources (applied to a copy, never to the repository), and the scenarios whose chaos profile takes the path
 * the bug is on. Finds are kept short and distinctive: the sources move, and a find that no longer matches
 * exactly once fails test/mutants (so a refactor that breaks a plant is noticed in CI, not in a long run).
 */

/** One exact replacement: `find` must occur exactly once in `file` (a path from the repository's root). */
export interface Edit {
  file: string;
  find: string;
  replace: string;
}

export interface Bug {
  /** Short kebab-case name (`--only`). */
  name: string;
  /** What the slip does, in a line. */
  what: string;
  /** Built-in scenario names, or paths (from the repository's root) to scenario modules or system files. */
  scenarios: string[];
  edits: Edit[];
}

const POOL = 'sim/pool/pool.ts';
const SERVICE = 'sim/actors/service.ts';
const GATEWAY = 'sim/actors/gateway.ts';
const TCP = 'sim/net/tcp/connection.ts';
/** The only Envoy gateway with a retry budget: no built-in scenario runs one. */
const ENVOY = 'mutants/systems/envoy-retry-budget.yaml';

export const bugs: readonly Bug[] = [
  {
    name: 'pool-timeout-never',
    what: 'pool: the acquire timeout never fires (connectionTimeout read with the wrong comparison)',
    scenarios: ['pool-exhaustion'],
    edits: [{ file: POOL, find: 'this.options.connectionTimeoutMs > 0 ?', replace: 'this.options.connectionTimeoutMs < 0 ?' }],
  },
  {
    name: 'pool-timeout-10x',
    what: 'pool: the acquire timeout fires at 10× connectionTimeout (a zero too many in ms → µs)',
    scenarios: ['pool-exhaustion'],
    edits: [{ file: POOL, find: 'connectionTimeoutMs * 1000 : Infinity', replace: 'connectionTimeoutMs * 10_000 : Infinity' }],
  },
  {
    name: 'pool-waiters-lifo',
    what: 'pool: waiters kept in a stack, so the newest is served first (LIFO instead of FIFO)',
    scenarios: ['pool-exhaustion'],
    edits: [
      { file: POOL, find: 'private readonly waiters = new Fifo<Waiter<C>>();', replace: 'private readonly waiters: Waiter<C>[] = [];' },
      { file: POOL, find: 'for (let w = this.waiters.shift(); w; w = this.waiters.shift())', replace: 'for (let w = this.waiters.pop(); w; w = this.waiters.pop())' },
    ],
  },
  {
    name: 'pool-evict-leaks-slot',
    what: "pool: evict() never gives the slot back (the canary's leaky pool, for every pool)",
    scenarios: ['pool-exhaustion', 'partition'],
    edits: [{ file: POOL, find: "this.pooled.retire = 'evicted';\n    this.pooled.pool.giveBack(this.pooled);", replace: "this.pooled.retire = 'evicted';" }],
  },
  {
    name: 'random-alias',
    what: "randomness: Math.random reached through an alias in the pool's maxLifetime jitter",
    scenarios: ['pool-exhaustion'],
    edits: [
      { file: POOL, find: 'const lifeMs = this.options.maxLifetimeMs;', replace: 'const lifeMs = this.options.maxLifetimeMs;\n    const rnd = Math.random;' },
      { file: POOL, find: '(1 - 0.025 * this.lifetimeStream.next())', replace: '(1 - 0.025 * rnd())' },
    ],
  },
  {
    name: 'service-releases-broken',
    what: 'service: a connection whose query failed is released to the pool instead of evicted',
    scenarios: ['pool-exhaustion', 'db-max-connections'],
    edits: [{ file: SERVICE, find: 'lease.evict(); // a broken connection goes', replace: 'lease.release(); // a broken connection goes' }],
  },
  {
    name: 'service-silent-pool-timeout',
    what: 'service: on a pool timeout the handler returns without answering (the caller "has gone anyway")',
    scenarios: ['pool-exhaustion'],
    edits: [
      {
        file: SERVICE,
        find: "return fail(errorName(err));\n          } finally {\n            span('pool wait'",
        replace: "if (errorName(err) === 'POOL_ACQUIRE_TIMEOUT') return; // the gateway has given up by now\n            return fail(errorName(err));\n          } finally {\n            span('pool wait'",
      },
    ],
  },
  {
    name: 'http1-server-no-500',
    what: 'HTTP/1.1 server: a throwing handler is never answered (the headersSent test inverted)',
    scenarios: ['pool-exhaustion', 'partition'],
    edits: [{ file: 'sim/proto/http1-server.ts', find: 'if (this.headersSent) return;\n    this.end({ status: 500 });', replace: 'if (!this.headersSent) return;\n    this.end({ status: 500 });' }],
  },
  {
    name: 'http1-client-reuses-closed',
    what: 'HTTP/1.1 client: only a connection that was reset counts as stale, so one the server closed with a FIN while it sat idle is reused',
    scenarios: ['keepalive-race', 'partition'],
    edits: [{ file: 'sim/proto/http1-client.ts', find: "    if (conn.state === 'closed') {\n      // The server's FIN or RST came while it sat idle", replace: "    if (conn.state === 'closed' && conn.failure !== null) {\n      // The server's FIN or RST came while it sat idle" }],
  },
  {
    name: 'h2-reset-leaks-slot',
    what: 'HTTP/2 client: a stream the server reset is not released, so its concurrency slot leaks',
    scenarios: ['http2-hol'],
    edits: [{ file: 'sim/proto/http2-client.ts', find: "resetStream(ex.streamId, 'CANCEL');\n      this.release(ex);", replace: "resetStream(ex.streamId, 'CANCEL');\n      if (!streamGone) this.release(ex); // the server reset it: already gone" }],
  },
  {
    name: 'gateway-ignores-max-retries',
    what: 'gateway: maxRetries is not checked (retries until the replicas or the deadline run out)',
    scenarios: ['partition', ENVOY],
    edits: [{ file: GATEWAY, find: '!this.retryable(result) || attempt > o.maxRetries ||', replace: '!this.retryable(result) ||' }],
  },
  {
    name: 'gateway-nginx-retries-replica',
    what: "gateway: nginx's try-each-replica-once rule dropped (with unbounded proxy_next_upstream_tries)",
    scenarios: ['pool-exhaustion', 'partition'],
    edits: [{ file: GATEWAY, find: "if (o.style === 'nginx' && tried >= o.upstream.replicas.length) return false;", replace: '' }],
  },
  {
    name: 'envoy-budget-never-refuses',
    what: "gateway: Envoy's retry budget never refuses (budget_percent used as a fraction: 20 instead of 0.2)",
    scenarios: [ENVOY],
    edits: [{ file: GATEWAY, find: 'Math.max(b.minRetryConcurrency, (b.budgetPercent / 100) *', replace: 'Math.max(b.minRetryConcurrency, b.budgetPercent *' }],
  },
  {
    name: 'client-ignores-retry-budget',
    what: 'client: the retry budget is never consulted (retries up to maxRetries on a failing path)',
    scenarios: ['retry-storm'],
    edits: [{ file: 'sim/actors/client.ts', find: 'if (n > o.maxRetries || (budget && !budget.tryRetry(ctx.now))) {', replace: 'if (n > o.maxRetries) {' }],
  },
  {
    name: 'tcp-fin-not-retransmitted',
    what: 'TCP: the FIN is sent like a bare ACK, never kept for retransmission, so a lost FIN is never sent again',
    scenarios: ['hello', 'connection-storm'],
    edits: [{ file: TCP, find: 'this.sendNew(FIN | ACK, null);', replace: 'this.stack.sendSegment(this, this.sndNxt, this.rcvNxt, FIN | ACK, null);\n        this.sndNxt = this.sndMax = this.sndNxt + 1;' }],
  },
  {
    name: 'tcp-rto-no-backoff',
    what: 'TCP: the RTO is not doubled when a data segment times out (no exponential backoff)',
    scenarios: ['hello', 'partition'],
    edits: [{ file: TCP, find: 'this.dupAcks = 0;\n    this.rto.backoff();', replace: 'this.dupAcks = 0;' }],
  },
  {
    name: 'tcp-rto-not-rearmed',
    what: 'TCP: the retransmission timer is not re-armed after a timeout (one retransmission, then silence)',
    scenarios: ['hello', 'partition'],
    edits: [{ file: TCP, find: 'this.sndNxt = head.seq + head.len;\n    this.restartRtoTimer();', replace: 'this.sndNxt = head.seq + head.len;' }],
  },
  {
    name: 'scheduler-lifo-ties',
    what: 'scheduler: events due at the same instant run in reverse order (the sequence counts down)',
    scenarios: ['hello', 'pool-exhaustion'],
    edits: [{ file: 'sim/core/scheduler.ts', find: 'new Timer<A>(this, atUs, this.seq++, fn, arg)', replace: 'new Timer<A>(this, atUs, -this.seq++, fn, arg)' }],
  },
  {
    name: 'db-max-connections-off-by-one',
    what: 'database: max_connections checked with > instead of >=, one backend too many',
    scenarios: ['db-max-connections'],
    edits: [{ file: 'sim/actors/database.ts', find: 'if (this.slotsUsed >= this.o.maxConnections) return', replace: 'if (this.slotsUsed > this.o.maxConnections) return' }],
  },
];
