/**
 * The service: an HTTP server with a worker concurrency limit and a queue in front of it, per-request CPU
 * time, and database calls through a HikariCP-style pool of PostgreSQL connections. A failure answers 500
 * with the root cause in `x-error` (POOL_ACQUIRE_TIMEOUT, 53300, ECONNRESET, …) so callers can count
 * requests by what really went wrong.
 */
import { DialDraws } from '../core/host-dials.js';
import { HANDLER_ERRORS } from './error-faults.js';
import type { ActorContext } from '../core/context.js';
import { distribution, type DistributionSpec } from '../core/distribution.js';
import { SimError } from '../core/errors.js';
import type { PoolOptions } from '../pool/options.js';
import { Pool, type Lease } from '../pool/pool.js';
import { createHttpServer, expectOk, HttpAgent } from '../proto/http1.js';
import { pgConnectionFactory, type PgConnection } from '../proto/pg-client.js';
import { errorName, ledgerIn } from '../requests/ledger.js';

export interface ServiceOptions {
  port: number;
  /** Requests handled at once; the rest wait in line for a worker (Node's event loop has no limit: set one). */
  workers: number;
  /** CPU time per request, before its database calls. */
  cpuTime: DistributionSpec;
  /** Node's keepAliveTimeout for the service's HTTP server. */
  keepAliveTimeoutMs: number;
  /** The database, or null for a service without one. */
  database: { host: string; port: number; pool: Partial<PoolOptions> & { preset?: string }; queriesPerRequest: number; rows: number; rowBytes: number } | null;
  /**
   * Honour the caller's deadline (its request context: x-timeout-ms on the wire), as a Go service passing
   * its request's context down does: work whose deadline has passed by the time a worker is free is dropped,
   * a pool waiter leaves the line at the deadline (database/sql's conn(ctx)), a query still running then is
   * abandoned and its connection closed (pgx's QueryContext), and calls to other services get what remains.
   * Each ends the request with 504 DEADLINE_EXCEEDED instead of working for a caller who has gone.
   */
  honorDeadline: boolean;
  /**
   * Other services each request calls, in order, after its database work (HTTP/1.1 over a keep-alive pool
   * per target, the request id passed on). A failed call fails the request: 500 with the callee's root cause.
   */
  calls: { host: string; port: number; path: string; timeoutMs: number }[];
}

export const serviceDefaults: Readonly<ServiceOptions> = Object.freeze<ServiceOptions>({
  port: 8080,
  workers: 100,
  cpuTime: '1ms',
  keepAliveTimeoutMs: 5000,
  database: { host: 'db', port: 5432, pool: { preset: 'hikari' }, queriesPerRequest: 1, rows: 1, rowBytes: 100 },
  honorDeadline: false,
  calls: [],
});

/** Starts the service from its actor's main. Returns its pool (if it has a database) for inspection. */
export function runService(ctx: ActorContext, partial: Partial<ServiceOptions> = {}): { pool: Pool<PgConnection> | null } {
  for (const key of Object.keys(partial)) {
    if (!(key in serviceDefaults)) throw new SimError('ERR_SERVICE_OPTION', `service.${key}: not a service option (options: ${Object.keys(serviceDefaults).join(', ')})`);
  }
  const o: ServiceOptions = { ...serviceDefaults, ...partial };
  if (!Number.isSafeInteger(o.workers) || o.workers < 1) throw new SimError('ERR_SERVICE_OPTION', `service.workers: expected a positive integer, got ${o.workers}`);
  const cpu = distribution(o.cpuTime, 'service.cpuTime');
  const host = ctx.simulation.host(ctx.host);
  host.addRole('service');
  const db = o.database;
  const pool = db ? new Pool<PgConnection>(ctx, { poolName: `${ctx.host}-db`, ...db.pool }, pgConnectionFactory(ctx, { host: db.host, port: db.port })) : null;
  // Workers are a pool too: slots with no timeout, so the queue for a worker is the pool's FIFO of waiters.
  const workers = new Pool<number>(ctx, { poolName: `${ctx.host}-workers`, maximumPoolSize: o.workers, minimumIdle: o.workers, connectionTimeoutMs: 0, maxLifetimeMs: 0, idleTimeoutMs: 0 }, { open: (done) => done(null, 0), close: () => {} });
  let queryId = 0;
  /** Draws for the handler-errors fault. */
  const faults = new DialDraws(ctx);
  o.calls.forEach((c, i) => {
    if (typeof c?.host !== 'string' || !Number.isInteger(c.port) || typeof c.path !== 'string' || !c.path.startsWith('/')) {
      throw new SimError('ERR_SERVICE_OPTION', `service.calls[${i}]: expected { host, port, path: '/…', timeoutMs }, got ${JSON.stringify(c)}`);
    }
    if (!Number.isSafeInteger(c.timeoutMs) || c.timeoutMs < 0) throw new SimError('ERR_SERVICE_OPTION', `service.calls[${i}].timeoutMs: expected a non-negative integer, got ${JSON.stringify(c.timeoutMs)}`);
  });
  const callees = o.calls.map((c) => ({ call: c, agent: new HttpAgent(ctx, { host: c.host, port: c.port, propagateDeadline: true, pool: { poolName: `${ctx.host}->${c.host}` } }) }));

  // Join the world's ledger now: it is made on first use and its gauge's place in the trace is its making's.
  ledgerIn(ctx);

  createHttpServer(ctx, { keepAliveTimeoutMs: o.keepAliveTimeoutMs }, async (req, res) => {
    // With honorDeadline the caller's deadline bounds the worker wait, the pool wait, the queries and the calls.
    const context = o.honorDeadline ? req.context : req.context.detached();
    const deadline = context.deadlineUs !== null ? { deadlineUs: context.deadlineUs } : undefined;
    const span = (phase: string, startUs: number) => context.span(phase, ctx.host, startUs);
    const arrivedUs = ctx.now;
    const fail = (code: string, status = code === 'DEADLINE_EXCEEDED' ? 504 : 500) => res.end({ status, headers: { 'x-error': code } });
    const worker = await workers.acquire();
    span('worker wait', arrivedUs);
    try {
      if (context.expired(ctx.now)) return fail('DEADLINE_EXCEEDED');
      const cpuStartUs = ctx.now;
      // A 'slow' fault on the host stretches CPU time, as a noisy neighbour or CPU throttling would.
      await ctx.sleep(Math.round(ctx.sample(cpu, 'cpu') * host.slowFactor));
      span('cpu', cpuStartUs);
      // A handler-errors fault: the application's code throws here; the HTTP server must still answer (500).
      if (faults.hits(HANDLER_ERRORS)) throw new Error(`${ctx.host}: handler failed (an injected application error)`);
      if (pool && db) {
        for (let q = 0; q < db.queriesPerRequest; q++) {
          let lease: Lease<PgConnection>;
          const waitStartUs = ctx.now;
          try {
            // With a deadline, the waiter leaves the line when its caller is gone (Go's conn(ctx)).
            lease = await pool.acquire(deadline);
          } catch (err) {
            return fail(errorName(err));
          } finally {
            span('pool wait', waitStartUs);
          }
          if (context.expired(ctx.now)) {
            lease.release();
            return fail('DEADLINE_EXCEEDED');
          }
          const queryStartUs = ctx.now;
          try {
            await lease.connection.query({ text: 'SELECT 1', rows: db.rows, rowBytes: db.rowBytes, id: `${req.requestId ?? 'q'}.${++queryId}` }, deadline);
            lease.release();
          } catch (err) {
            lease.evict(); // a broken connection goes; HikariCP evicts on a connection error too
            return fail(errorName(err));
          } finally {
            span('query', queryStartUs);
          }
        }
      }
      for (const { call, agent } of callees) {
        const callStartUs = ctx.now;
        try {
          // With a deadline, a call is bounded by what remains of it and says so on the wire (x-timeout-ms).
          expectOk(await agent.request({ path: call.path, context, ...(call.timeoutMs > 0 ? { timeoutMs: call.timeoutMs } : {}) }));
        } catch (err) {
          return fail(errorName(err));
        } finally {
          span(`call ${call.host}`, callStartUs);
        }
      }
      res.end({ status: 200, bodyBytes: 512 });
    } finally {
      worker.release();
      span('service', arrivedUs);
    }
  }).listen(o.port);
  return { pool };
}
