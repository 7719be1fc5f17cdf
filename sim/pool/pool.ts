/**
 * A connection pool with HikariCP's semantics: a bounded set of connections, FIFO waiters with an acquire
 * timeout that fails with HikariCP's message, LIFO (or FIFO) reuse of idle connections, idle timeout above
 * minimumIdle, and maxLifetime (jittered down by up to 2.5%) that never retires a connection in use.
 * The pool does not know what a connection is: a factory opens and closes them (a database session, an HTTP
 * keep-alive socket, or nothing at all in the M/M/c model).
 */
import type { ActorContext } from '../core/context.js';
import type { Gauge, Histogram } from '../core/metrics.js';
import type { RandomStream } from '../core/random.js';
import type { Timer } from '../core/scheduler.js';
import type { Simulation } from '../core/simulation.js';
import { openAudit, type Audit } from '../core/audits.js';
import { DeadlineExceededError } from '../core/errors.js';
import { Fifo } from '../core/fifo.js';
import { resolvePoolOptions, type PoolOptions } from './options.js';
import { POOLS_SERVICE, type PoolRegistry } from './registry.js';

/** Opens and closes the things a pool holds. */
export interface ConnectionFactory<C> {
  /** Opens one; calls `done` once, at the virtual time it is open (or failed). */
  open(done: (err: Error | null, connection?: C) => void): void;
  /** Closes one (the pool no longer uses it). */
  close(connection: C, reason: CloseReason): void;
}

export type CloseReason = 'maxLifetime' | 'idleTimeout' | 'evicted' | 'shutdown';

/** acquire() waited connectionTimeout and got nothing. */
export class PoolTimeoutError extends Error {
  override name = 'PoolTimeoutError';
  /** The named error requests end with. */
  readonly code = 'POOL_ACQUIRE_TIMEOUT';
}

/** The caller's deadline passed before a connection came (Go: context deadline exceeded). */
function waiterDeadlineError(pool: string, waitedMs: number): DeadlineExceededError {
  return new DeadlineExceededError(`${pool}: context deadline exceeded while waiting for a connection (after ${waitedMs}ms)`);
}

export interface AcquireOptions {
  /** The caller's deadline, virtual µs: past it the waiter leaves the line. */
  deadlineUs?: number;
}

interface Pooled<C> {
  id: number;
  connection: C;
  state: 'idle' | 'active' | 'closed';
  /** Retire on return (maxLifetime passed while in use, or evict()). */
  retire: CloseReason | null;
  idleSinceUs: number;
  lifetimeTimer: Timer<Pooled<C>> | null;
  idleTimer: Timer<Pooled<C>> | null;
  pool: Pool<C>;
}

interface Waiter<C> {
  done: boolean;
  enqueuedUs: number;
  /** Gets a lease, PoolTimeoutError, or (pg, undici) the error that kept its connection from opening. */
  callback: (err: Error | null, lease?: Lease<C>) => void;
  timer: Timer<Waiter<C>> | null;
  pool: Pool<C>;
}

/** One use of a connection: give it back with release(), or evict() it if it broke. */
export class Lease<C> {
  private returned = false;
  /** @internal */
  constructor(
    private readonly pooled: Pooled<C>,
    /** When the connection was handed over, µs. */
    readonly acquiredAtUs: number,
    /** How long acquire() waited, µs (0 when a connection was idle). */
    readonly waitedUs: number,
  ) {}

  get connection(): C {
    return this.pooled.connection;
  }

  /** Gives the connection back to the pool. Calling it twice does nothing. */
  release(): void {
    if (this.returned) return;
    this.returned = true;
    this.pooled.pool.giveBack(this.pooled);
  }

  /** Gives it back broken: the pool closes it instead of reusing it. */
  evict(): void {
    if (this.returned) return;
    this.returned = true;
    this.pooled.retire = 'evicted';
    this.pooled.pool.giveBack(this.pooled);
  }
}

export interface PoolStats {
  acquires: number;
  /** Acquires that could not be served at once. */
  waited: number;
  timeouts: number;
  /** Waiters that left the line when their caller's deadline passed (acquire with deadlineUs). */
  canceled: number;
  created: number;
  errors: number;
  closed: Record<CloseReason, number>;
  peakActive: number;
  peakPending: number;
  /** Total wait over every acquire that got a connection, µs. */
  waitUsTotal: number;
  /** Acquires that got a connection. */
  granted: number;
  /** The longest any waiter stayed in line, however it left it (a connection, the timeout, its deadline), µs. */
  maxWaitUs: number;
}

export class Pool<C> {
  readonly options: PoolOptions;
  readonly stats: PoolStats = {
    acquires: 0,
    waited: 0,
    timeouts: 0,
    canceled: 0,
    created: 0,
    errors: 0,
    closed: { maxLifetime: 0, idleTimeout: 0, evicted: 0, shutdown: 0 },
    peakActive: 0,
    peakPending: 0,
    waitUsTotal: 0,
    maxWaitUs: 0,
    granted: 0,
  };
  private readonly sim: Simulation;
  private readonly all = new Set<Pooled<C>>();
  private readonly idle: Pooled<C>[] = [];
  /** acquire() calls waiting, oldest first; those that timed out stay until they reach the front. */
  private readonly waiters = new Fifo<Waiter<C>>();
  private pending = 0;
  private active = 0;
  private opening = 0;
  private nextId = 0;
  private closedPool = false;
  private readonly lifetimeStream: RandomStream;
  private readonly gauges: { total: Gauge; active: Gauge; idle: Gauge; pending: Gauge };
  private readonly waitHistogram: Histogram;
  private readonly fifo: Audit;

  constructor(
    private readonly ctx: ActorContext,
    options: Partial<PoolOptions> & { preset?: string },
    private readonly factory: ConnectionFactory<C>,
  ) {
    this.options = resolvePoolOptions(options);
    this.sim = ctx.simulation;
    const name = this.options.poolName;
    const m = this.sim.metrics;
    this.gauges = { total: m.gauge(`pool.${name}.total`), active: m.gauge(`pool.${name}.active`), idle: m.gauge(`pool.${name}.idle`), pending: m.gauge(`pool.${name}.pending`) };
    this.waitHistogram = m.histogram(`pool.${name}.waitUs`);
    // Claimed, so a second pool of this name in this process is refused rather than sharing the jitter's draws.
    this.lifetimeStream = this.sim.random.claim(`${ctx.address}/pool/${name}/lifetime`, ctx);
    this.fifo = openAudit(ctx, `pool ${name}`, 'pool-fifo');
    // A world keeps its pools for summaries and invariants; a pool in a bare simulation (a unit test) is on its own.
    if (this.sim.provides(POOLS_SERVICE)) ctx.service<PoolRegistry>(POOLS_SERVICE).add(this as Pool<unknown>);
    this.fill();
  }

  get name(): string {
    return this.options.poolName;
  }
  /** The host of the process that made it. */
  get host(): string {
    return this.ctx.host;
  }
  get totalConnections(): number {
    return this.all.size;
  }
  get activeConnections(): number {
    return this.active;
  }
  get idleConnections(): number {
    return this.idle.length;
  }
  /** True once the process that made it was crashed, killed or stopped: its connections went with it. */
  get gone(): boolean {
    return this.ctx.gone;
  }
  /** acquire() calls waiting for a connection. */
  get pendingAcquires(): number {
    return this.pending;
  }

  /**
   * A connection, waiting for one if none is idle; rejects with PoolTimeoutError after connectionTimeout.
   * With `deadlineUs` (the caller's, as a Go context carries it) a waiter also leaves the line when the deadline
   * passes first, with DeadlineExceededError, as database/sql's conn(ctx) does.
   */
  acquire(options?: AcquireOptions): Promise<Lease<C>> {
    return this.ctx.suspend<Lease<C>>(`a connection from pool ${this.name}`, (resolve, reject) => {
      this.acquireThen((err, lease) => (err ? reject(err) : resolve(lease!)), options);
    });
  }

  /** acquire() for callback code: `callback` runs once, with a lease or the timeout error. */
  acquireThen(callback: (err: Error | null, lease?: Lease<C>) => void, options?: AcquireOptions): void {
    this.stats.acquires++;
    const deadlineUs = options?.deadlineUs;
    if (deadlineUs !== undefined && deadlineUs <= this.sim.now) {
      this.stats.canceled++;
      callback(waiterDeadlineError(this.name, 0));
      return;
    }
    const ready = this.takeIdle();
    if (ready) {
      if (this.pending > 0) this.fifo.breach(this.sim.now, `pool ${this.name}: an idle connection went to a new acquire while ${this.pending} waiters were in line`);
      this.grant(ready, callback, 0);
      return;
    }
    this.stats.waited++;
    const w: Waiter<C> = { done: false, enqueuedUs: this.sim.now, callback, timer: null, pool: this };
    this.waiters.push(w);
    this.pending++;
    if (this.pending > this.stats.peakPending) this.stats.peakPending = this.pending;
    const timeoutUs = this.options.connectionTimeoutMs > 0 ? this.options.connectionTimeoutMs * 1000 : Infinity;
    const leftUs = deadlineUs !== undefined ? deadlineUs - this.sim.now : Infinity;
    if (leftUs < timeoutUs) w.timer = this.sim.scheduler.after(leftUs, onWaiterDeadline, w);
    else if (timeoutUs < Infinity) w.timer = this.sim.scheduler.after(timeoutUs, onWaiterTimeout, w);
    this.updateGauges();
    this.fill();
  }

  /** Starts the statistics afresh (after a warm-up); gauges and metrics counters are left alone. */
  resetStats(): void {
    const s = this.stats;
    s.acquires = s.waited = s.timeouts = s.canceled = s.created = s.errors = s.waitUsTotal = s.granted = s.maxWaitUs = 0;
    s.closed = { maxLifetime: 0, idleTimeout: 0, evicted: 0, shutdown: 0 };
    s.peakActive = this.active;
    s.peakPending = this.pending;
  }

  /** Closes every idle connection now and each active one when it is returned; waiters time out as usual. */
  shutdown(): void {
    this.closedPool = true;
    for (const p of this.idle.splice(0)) this.close(p, 'shutdown');
    for (const p of this.all) if (p.state === 'active') p.retire = 'shutdown';
    this.updateGauges();
  }

  // ---- Internals ----

  /** @internal A lease came back. */
  giveBack(p: Pooled<C>): void {
    if (p.state !== 'active') return;
    this.active--;
    p.state = 'idle';
    this.offer(p);
  }

  /** @internal */
  waiterTimedOut(w: Waiter<C>): void {
    const waitedMs = this.leaveLine(w, 'acquireTimeouts');
    if (waitedMs === null) return;
    this.stats.timeouts++;
    const err = new PoolTimeoutError(this.timeoutMessage(waitedMs));
    this.sim.trace.write({ t: this.sim.now, kind: 'pool.timeout', host: this.ctx.host, actor: this.ctx.name, fields: { pool: this.name, waitedMs, total: this.all.size, active: this.active, idle: this.idle.length, waiting: this.pending } });
    this.updateGauges();
    w.callback(err);
  }

  /** @internal The caller's deadline passed while it waited: it leaves the line (not an acquire timeout). */
  waiterCanceled(w: Waiter<C>): void {
    const waitedMs = this.leaveLine(w, 'acquireCanceled');
    if (waitedMs === null) return;
    this.stats.canceled++;
    this.sim.trace.write({ t: this.sim.now, kind: 'pool.cancel', host: this.ctx.host, actor: this.ctx.name, fields: { pool: this.name, waitedMs, waiting: this.pending } });
    this.updateGauges();
    w.callback(waiterDeadlineError(this.name, waitedMs));
  }

  /** A waiter leaves the line without a connection, counted under `counter`; its wait in ms, or null if it had already left. */
  private leaveLine(w: Waiter<C>, counter: 'acquireTimeouts' | 'acquireCanceled'): number | null {
    if (w.done) return null;
    w.done = true;
    this.pending--;
    this.sim.metrics.counter(`pool.${this.name}.${counter}`).inc();
    this.noteWait(this.sim.now - w.enqueuedUs);
    return Math.round((this.sim.now - w.enqueuedUs) / 1000);
  }

  /** @internal maxLifetime reached: an idle connection goes now, one in use when it comes back. */
  lifetimeEnded(p: Pooled<C>): void {
    p.lifetimeTimer = null;
    if (p.state === 'idle') {
      this.removeIdle(p);
      this.close(p, 'maxLifetime');
      this.fill();
    } else if (p.state === 'active') p.retire = 'maxLifetime';
  }

  /** @internal */
  idleTimedOut(p: Pooled<C>): void {
    p.idleTimer = null;
    if (p.state !== 'idle' || this.all.size - this.opening <= this.options.minimumIdle) return;
    this.removeIdle(p);
    this.close(p, 'idleTimeout');
  }

  private timeoutMessage(waitedMs: number): string {
    const o = this.options;
    switch (o.errorStyle) {
      case 'hikari':
        return `${o.poolName} - Connection is not available, request timed out after ${waitedMs}ms (total=${this.all.size}, active=${this.active}, idle=${this.idle.length}, waiting=${this.pending})`;
      case 'pg':
        return 'timeout exceeded when trying to connect';
      case 'pgbouncer':
        return 'query_wait_timeout';
      case 'undici':
        return `timed out after ${waitedMs}ms waiting for a connection from ${o.poolName}`;
    }
  }

  /** Opens connections while waiters outnumber the ones being opened, or the pool is below minimumIdle. */
  private fill(): void {
    // A process that has ended opens nothing: an evict reached from its last callbacks (its sockets closing as it died) must not dial out.
    if (this.closedPool || !this.ctx.alive) return;
    const o = this.options;
    while (this.all.size + this.opening < o.maximumPoolSize && (this.pending > this.opening || this.all.size + this.opening < o.minimumIdle)) {
      this.opening++;
      this.factory.open((err, connection) => this.opened(err, connection));
    }
  }

  private opened(err: Error | null, connection: C | undefined): void {
    this.opening--;
    if (err || connection === undefined) {
      this.stats.errors++;
      this.sim.metrics.counter(`pool.${this.name}.errors`).inc();
      this.sim.trace.write({ t: this.sim.now, kind: 'pool.open-failed', host: this.ctx.host, actor: this.ctx.name, fields: { pool: this.name, error: err?.message ?? 'no connection' } });
      // node-postgres and undici hand the connect error to the request that asked for the connection;
      // HikariCP keeps its waiters waiting (until connectionTimeout) for a connection that may yet open.
      if (this.options.errorStyle !== 'hikari' && this.pending > this.opening) this.failOldestWaiter(err ?? new Error('no connection'));
      return;
    }
    const p: Pooled<C> = { id: ++this.nextId, connection, state: 'idle', retire: null, idleSinceUs: this.sim.now, lifetimeTimer: null, idleTimer: null, pool: this };
    this.all.add(p);
    this.stats.created++;
    this.sim.metrics.counter(`pool.${this.name}.created`).inc();
    const lifeMs = this.options.maxLifetimeMs;
    if (lifeMs > 0) {
      // HikariCP shortens each lifetime by a random 0–2.5% so connections do not all retire at once.
      const lifeUs = Math.round(lifeMs * 1000 * (1 - 0.025 * this.lifetimeStream.next()));
      p.lifetimeTimer = this.sim.scheduler.after(lifeUs, onLifetime, p);
    }
    if (this.closedPool) {
      this.close(p, 'shutdown');
      return;
    }
    this.offer(p);
  }

  /** A connection is free: retire it, hand it to the oldest waiter, or keep it idle. */
  private offer(p: Pooled<C>): void {
    if (p.retire) {
      this.close(p, p.retire);
      this.fill();
      this.updateGauges();
      return;
    }
    const w = this.takeWaiter();
    if (w) {
      this.auditOrder(w.enqueuedUs);
      this.grant(p, w.callback, this.sim.now - w.enqueuedUs);
      return;
    }
    p.state = 'idle';
    p.idleSinceUs = this.sim.now;
    this.idle.push(p);
    const o = this.options;
    if (o.idleTimeoutMs > 0 && o.minimumIdle < o.maximumPoolSize) {
      p.idleTimer?.cancel();
      p.idleTimer = this.sim.scheduler.after(o.idleTimeoutMs * 1000, onIdleTimeout, p);
    }
    this.updateGauges();
  }

  private failOldestWaiter(err: Error): void {
    const w = this.takeWaiter();
    if (!w) return;
    this.updateGauges();
    w.callback(err);
  }

  /** The oldest waiter still waiting, taken off the line (its timeout canceled), or undefined. */
  private takeWaiter(): Waiter<C> | undefined {
    for (let w = this.waiters.shift(); w; w = this.waiters.shift()) {
      if (w.done) continue;
      w.done = true;
      w.timer?.cancel();
      this.pending--;
      return w;
    }
    return undefined;
  }

  private takeIdle(): Pooled<C> | undefined {
    const p = this.options.idleOrder === 'lifo' ? this.idle.pop() : this.idle.shift();
    if (p) {
      p.idleTimer?.cancel();
      p.idleTimer = null;
    }
    return p;
  }

  private removeIdle(p: Pooled<C>): void {
    const i = this.idle.indexOf(p);
    if (i >= 0) this.idle.splice(i, 1);
  }

  /** FIFO waiters: the one served must be the longest waiting (HikariCP's fair hand-off). */
  private auditOrder(servedSinceUs: number): void {
    const oldest = this.oldestWaiterSinceUs;
    if (oldest !== null && oldest < servedSinceUs) this.fifo.breach(this.sim.now, `pool ${this.name}: a waiter in line since ${servedSinceUs} µs was served before one in line since ${oldest} µs`);
  }

  private noteWait(waitedUs: number): void {
    if (waitedUs > this.stats.maxWaitUs) this.stats.maxWaitUs = waitedUs;
  }

  /** When the longest-waiting waiter still in line joined it (virtual µs); null with nobody waiting. */
  get oldestWaiterSinceUs(): number | null {
    return this.waiters.find((w) => !w.done)?.enqueuedUs ?? null;
  }

  private grant(p: Pooled<C>, callback: (err: Error | null, lease?: Lease<C>) => void, waitedUs: number): void {
    p.state = 'active';
    this.active++;
    if (this.active > this.stats.peakActive) this.stats.peakActive = this.active;
    this.stats.granted++;
    this.stats.waitUsTotal += waitedUs;
    this.noteWait(waitedUs);
    this.waitHistogram.record(waitedUs);
    this.updateGauges();
    callback(null, new Lease(p, this.sim.now, waitedUs));
  }

  private close(p: Pooled<C>, reason: CloseReason): void {
    if (p.state === 'closed') return;
    if (p.state === 'active') this.active--;
    p.state = 'closed';
    p.lifetimeTimer?.cancel();
    p.idleTimer?.cancel();
    this.all.delete(p);
    this.stats.closed[reason]++;
    this.sim.metrics.counter(`pool.${this.name}.closed.${reason}`).inc();
    this.factory.close(p.connection, reason);
    this.updateGauges();
  }

  private updateGauges(): void {
    const g = this.gauges;
    g.total.set(this.all.size);
    g.active.set(this.active);
    g.idle.set(this.idle.length);
    g.pending.set(this.pending);
  }
}

function onWaiterTimeout<C>(w: Waiter<C>): void {
  w.pool.waiterTimedOut(w);
}
function onWaiterDeadline<C>(w: Waiter<C>): void {
  w.pool.waiterCanceled(w);
}
function onLifetime<C>(p: Pooled<C>): void {
  p.pool.lifetimeEnded(p);
}
function onIdleTimeout<C>(p: Pooled<C>): void {
  p.pool.idleTimedOut(p);
}
