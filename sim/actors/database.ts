/**
 * A PostgreSQL-like database actor: a postmaster that accepts connections on its port and starts a backend
 * for each (backendStartup later), backends that speak the protocol of sim/proto/pg-server.ts, connection
 * slots with PostgreSQL's max_connections and superuser_reserved_connections, and a fixed number of cores
 * that queries queue for. Slow mode (setSlow) stretches query execution, as a degraded disk or a noisy
 * neighbour would.
 *
 * Where PostgreSQL refuses a connection, and with which words (PostgreSQL 16, src/backend):
 * - after the startup packet, when no slot is free (InitProcess): FATAL 53300 "sorry, too many clients already";
 * - after authentication, when a non-superuser would leave fewer than superuser_reserved_connections slots
 *   free (InitPostgres): FATAL 53300 "remaining connection slots are reserved for roles with the SUPERUSER
 *   attribute". A backend holds its slot from the first check on, so with max_connections 5 and 3 reserved,
 *   the third ordinary connection is refused, and a burst of logins can be refused below the limit.
 *
 * Like PostgreSQL, a backend does not notice that its client left until its query is done: the query keeps
 * its core and its slot meanwhile.
 */
import type { Actor, ActorMain, SpawnOptions } from '../core/actor.js';
import type { ActorContext } from '../core/context.js';
import { SimError } from '../core/errors.js';
import { FieldShape } from '../core/trace.js';
import type { Counter, Gauge, Histogram } from '../core/metrics.js';
import type { RandomStream } from '../core/random.js';
import { netOf } from '../net/api.js';
import type { Socket } from '../net/tcp/socket.js';
import type { PgErrorFields } from '../proto/pg-codec.js';
import { PgMessages, SqlState } from '../proto/pg-errors.js';
import { PgServerSession, type PgQueryOutcome, type PgServerQuery, type PgSessionEnd, type PgSessionHandler } from '../proto/pg-server.js';
import { CpuScheduler, type CpuJob } from './database-cpu.js';
import { resolveDatabaseOptions, type DatabaseOptions, type ResolvedDatabaseOptions } from './database-options.js';
// The database's fault kind (slow) registers when the database loads.
import './database-faults.js';
import { openAudit, type Audit } from '../core/audits.js';
import { DialDraws } from '../core/host-dials.js';
import { QUERY_ERRORS, QUERY_RESETS } from './error-faults.js';

export interface DatabaseStats {
  /** Sessions that reached ReadyForQuery. */
  accepted: number;
  /** Connections refused with a FATAL, by SQLSTATE. */
  refused: Record<string, number>;
  /** Queries executed (with or without an ERROR). */
  queries: number;
  /** Queries that ended in an ERROR. */
  queryErrors: number;
  peakConnections: number;
  peakQueued: number;
}

/** The words a query that asks for an error (hint `error`) fails with. */
const queryErrorMessages: Record<string, string> = {
  [SqlState.QueryCanceled]: 'canceling statement due to statement timeout',
  [SqlState.SerializationFailure]: 'could not serialize access due to concurrent update',
  [SqlState.DeadlockDetected]: 'deadlock detected',
  [SqlState.AdminShutdown]: PgMessages.adminShutdown,
};

/** PostgreSQL's first backend pids are a few hundred in; any start would do. */
const FIRST_PID = 100;
/** db.query.start's and db.query.end's field names: two records per query. */
const QUERY_START_FIELDS = new FieldShape(['db', 'pid', 'costUs', 'queuedUs', 'slow']);
const QUERY_END_FIELDS = new FieldShape(['db', 'pid', 'execUs', 'error', 'rows', 'rowBytes']);

interface Backend {
  pid: number;
  session: PgServerSession;
  conn: string | undefined;
  hasSlot: boolean;
  admitted: boolean;
}

/**
 * A database: its options, its fault switches and its numbers. serve(ctx) runs it in an actor (the
 * postmaster); startDatabase() spawns that actor. The handle outlives restarts: each incarnation starts with
 * no connections, and slow mode stays as it was set.
 */
export class Database {
  readonly options: ResolvedDatabaseOptions;
  readonly stats: DatabaseStats = { accepted: 0, refused: {}, queries: 0, queryErrors: 0, peakConnections: 0, peakQueued: 0 };
  private factor = 1;
  private instance: Instance | null = null;
  /** The actor serving it ('host/actor'), once serve() has run. */
  private address: string | null = null;

  constructor(options: Partial<DatabaseOptions> = {}) {
    this.options = resolveDatabaseOptions(options);
  }

  get name(): string {
    return this.options.name;
  }

  /** The slow factor in force (1: normal). */
  get slowFactor(): number {
    return this.factor;
  }

  /** Backends holding a connection slot (what pg_stat_activity would count). */
  get connections(): number {
    return this.instance?.slotsUsed ?? 0;
  }

  /** Queries executing now. */
  get running(): number {
    return this.instance?.cpu.runningCount ?? 0;
  }

  /** Queries waiting for a core. */
  get queued(): number {
    return this.instance?.cpu.waitingCount ?? 0;
  }

  /**
   * Slow mode: from now on, query execution takes `factor` times as long (running queries' remaining work
   * included); 1 is normal. Kept across restarts. Schedule it like any event: `sim.at('10s', () => db.setSlow(10))`.
   */
  setSlow(factor: number): void {
    if (typeof factor !== 'number' || !Number.isFinite(factor) || factor <= 0) throw new SimError('ERR_DB_SLOW', `${this.name}.setSlow: expected a positive factor, got ${JSON.stringify(factor)}`);
    this.factor = factor;
    this.instance?.setSlow(factor);
  }

  /** Runs the database in the actor of `ctx` (call it from the actor's main): listens on the port. */
  serve(ctx: ActorContext): void {
    if (this.address === null) {
      const address = (this.address = ctx.address);
      ctx.simulation.host(ctx.host).onSlow((factor) => this.setSlow(factor));
      ctx.simulation.onActorEnd((actor: Actor) => {
        if (actor.address === address) this.down();
      });
    } else if (this.address !== ctx.address) {
      throw new SimError('ERR_DB_SERVE', `${this.name}: already served by ${this.address}; one actor (and its restarts) serves a database`);
    }
    ctx.simulation.host(ctx.host).addRole('database');
    this.instance = new Instance(this, ctx, this.factor);
  }

  /** An ActorMain that serves this database (for host.spawn). */
  get main(): ActorMain {
    return (ctx) => this.serve(ctx);
  }

  private down(): void {
    this.instance?.down();
    this.instance = null;
  }
}

/** Spawns the database's actor (a daemon) on `host` and returns its handle. */
export function startDatabase(
  host: { spawn(name: string, main: ActorMain, options?: SpawnOptions): unknown },
  options: Partial<DatabaseOptions> & { actorName?: string } = {},
): Database {
  const { actorName = 'postgres', ...rest } = options;
  const db = new Database(rest);
  host.spawn(actorName, db.main, { daemon: true });
  return db;
}

/** One incarnation of the database: its listener, backends, slots and cores. */
class Instance implements PgSessionHandler {
  slotsUsed = 0;
  readonly cpu: CpuScheduler;
  private nextPid = FIRST_PID;
  private readonly backends = new Map<PgServerSession, Backend>();
  private readonly o: ResolvedDatabaseOptions;
  private readonly streams: { auth: RandomStream; keys: RandomStream };
  /** Draws for the error faults (query-errors, query-resets). */
  private readonly faults: DialDraws;
  /** No more backends hold a slot than max_connections allows (db-max-connections). */
  private readonly slotsAudit: Audit;
  private readonly m: {
    connections: Gauge;
    running: Gauge;
    queued: Gauge;
    accepted: Counter;
    refused: Counter;
    queries: Counter;
    queryErrors: Counter;
    queueUs: Histogram;
    queryUs: Histogram;
  };
  private readonly parameters: [string, string][];
  private live = true;

  constructor(
    private readonly db: Database,
    private readonly ctx: ActorContext,
    slowFactor: number,
  ) {
    const o = (this.o = db.options);
    const metrics = ctx.metrics;
    const p = `db.${o.name}`;
    this.m = {
      connections: metrics.gauge(`${p}.connections`),
      running: metrics.gauge(`${p}.running`),
      queued: metrics.gauge(`${p}.queued`),
      accepted: metrics.counter(`${p}.accepted`),
      refused: metrics.counter(`${p}.refused`),
      queries: metrics.counter(`${p}.queries`),
      queryErrors: metrics.counter(`${p}.queryErrors`),
      queueUs: metrics.histogram(`${p}.queueUs`),
      queryUs: metrics.histogram(`${p}.queryUs`),
    };
    this.streams = { auth: ctx.random('auth'), keys: ctx.random('backendKeys') };
    this.faults = new DialDraws(ctx);
    this.slotsAudit = openAudit(ctx, `database ${o.name} on ${ctx.host}`, 'db-max-connections');
    this.parameters = [
      ['client_encoding', 'UTF8'],
      ['DateStyle', 'ISO, MDY'],
      ['default_transaction_read_only', 'off'],
      ['in_hot_standby', 'off'],
      ['integer_datetimes', 'on'],
      ['IntervalStyle', 'postgres'],
      ['server_encoding', 'UTF8'],
      ['server_version', o.serverVersion],
      ['standard_conforming_strings', 'on'],
      ['TimeZone', 'UTC'],
    ];
    this.cpu = new CpuScheduler(ctx, o.cpuCores, () => this.updateGauges());
    if (slowFactor !== 1) this.cpu.setFactor(slowFactor);
    // PostgreSQL sets TCP_NODELAY on every backend's socket.
    netOf(ctx)
      .createServer({ noDelay: true }, (socket) => this.accept(socket))
      .listen(o.port, o.listenBacklog);
    // Fast shutdown: every backend tells its client, then the postmaster's sockets close.
    ctx.onStop(() => {
      for (const b of [...this.backends.values()]) b.session.terminate({ severity: 'FATAL', code: SqlState.AdminShutdown, message: PgMessages.adminShutdown });
    });
    ctx.trace('db.start', { db: o.name, port: o.port, maxConnections: o.maxConnections, cpuCores: o.cpuCores });
    this.updateGauges();
  }

  setSlow(factor: number): void {
    this.cpu.setFactor(factor);
    this.ctx.trace('db.slow', { db: this.o.name, factor });
  }

  /** The incarnation ended (crash, kill, stop): nothing of it is running any more. */
  down(): void {
    this.live = false;
    this.slotsUsed = 0;
    this.backends.clear();
    this.m.connections.set(0);
    this.m.running.set(0);
    this.m.queued.set(0);
  }

  // ---- The postmaster ----

  private accept(socket: Socket): void {
    const pid = this.nextPid++;
    const session = new PgServerSession(
      socket,
      {
        auth: this.o.auth,
        password: this.o.password,
        random: this.streams.auth,
        pid,
        secretKey: Math.floor(this.streams.keys.next() * 0x7fff_ffff),
        parameters: this.parameters,
        superuser: (user) => this.o.superusers.includes(user),
      },
      this,
    );
    this.backends.set(session, { pid, session, conn: socket.connectionId, hasSlot: false, admitted: false });
    // The postmaster forks at once; the backend reads the startup packet when it is up.
    this.ctx.timer(this.ctx.sample(this.o.backendStartupDist, 'backendStartup'), () => session.begin());
  }

  // ---- PgSessionHandler: a backend's decisions ----

  startup(session: PgServerSession): PgErrorFields | null {
    const b = this.backends.get(session)!;
    if (this.slotsUsed >= this.o.maxConnections) return { severity: 'FATAL', code: SqlState.TooManyConnections, message: PgMessages.tooManyClients };
    this.slotsUsed++;
    // Beside the check above, not in it: a slip there (> for >=) still counts here.
    if (this.slotsUsed > this.o.maxConnections) this.slotsAudit.breach(this.ctx.now, `${this.slotsUsed} backends hold a slot, max_connections is ${this.o.maxConnections}`);
    b.hasSlot = true;
    if (this.slotsUsed > this.db.stats.peakConnections) this.db.stats.peakConnections = this.slotsUsed;
    this.updateGauges();
    return null;
  }

  authenticated(session: PgServerSession): PgErrorFields | null {
    const b = this.backends.get(session)!;
    const reserved = this.o.superuserReservedConnections;
    const free = this.o.maxConnections - this.slotsUsed;
    if (reserved > 0 && free < reserved && !this.o.superusers.includes(session.user)) {
      return { severity: 'FATAL', code: SqlState.TooManyConnections, message: PgMessages.reservedForSuperuser };
    }
    b.admitted = true;
    this.db.stats.accepted++;
    this.m.accepted.inc();
    this.ctx.trace('db.conn.accept', { db: this.o.name, pid: b.pid, user: session.user, database: session.database, connections: this.slotsUsed }, { conn: b.conn });
    return null;
  }

  query(session: PgServerSession, q: PgServerQuery, done: (outcome: PgQueryOutcome) => void): void {
    const b = this.backends.get(session)!;
    const h = q.hints;
    const costUs = h.costUs ?? this.ctx.sample(this.o.queryTimeDist, 'queryTime');
    const ids = { conn: b.conn, req: h.id };
    this.cpu.submit(
      costUs,
      (job: CpuJob) => {
        const queuedUs = job.startedUs - job.submittedUs;
        this.m.queueUs.record(queuedUs);
        this.ctx.trace('db.query.start', { db: this.o.name, pid: b.pid, costUs, queuedUs, slow: this.cpu.slowFactor }, ids, QUERY_START_FIELDS);
      },
      (job: CpuJob) => {
        if (!this.live) return;
        const execUs = this.ctx.now - job.startedUs;
        this.m.queryUs.record(execUs);
        this.db.stats.queries++;
        this.m.queries.inc();
        let outcome: PgQueryOutcome;
        if (this.faults.hits(QUERY_RESETS)) {
          // pg_terminate_backend mid-query: the client gets FATAL 57P01, then the connection closes.
          this.ctx.trace('db.query.end', { db: this.o.name, pid: b.pid, execUs, error: SqlState.AdminShutdown }, ids, QUERY_END_FIELDS);
          session.terminate({ severity: 'FATAL', code: SqlState.AdminShutdown, message: PgMessages.adminShutdown });
          return;
        }
        const error = h.error ?? (this.faults.hits(QUERY_ERRORS) ? SqlState.SerializationFailure : undefined);
        if (error !== undefined) {
          this.db.stats.queryErrors++;
          this.m.queryErrors.inc();
          outcome = { error: { severity: 'ERROR', code: error, message: queryErrorMessages[error] ?? `simulated error ${error}` } };
        } else {
          outcome = { rows: h.rows ?? this.o.defaultRows, rowBytes: h.rowBytes ?? this.o.defaultRowBytes };
        }
        this.ctx.trace(
          'db.query.end',
          'error' in outcome ? { db: this.o.name, pid: b.pid, execUs, error: outcome.error.code } : { db: this.o.name, pid: b.pid, execUs, rows: outcome.rows, rowBytes: outcome.rowBytes },
          ids,
          QUERY_END_FIELDS,
        );
        done(outcome);
      },
    );
  }

  ended(session: PgServerSession, why: PgSessionEnd): void {
    const b = this.backends.get(session);
    if (!b || !this.live) return;
    this.backends.delete(session);
    if (b.hasSlot) {
      this.slotsUsed--;
      this.updateGauges();
    }
    if (why.kind === 'fatal' && !b.admitted) {
      const code = why.error.code;
      this.db.stats.refused[code] = (this.db.stats.refused[code] ?? 0) + 1;
      this.m.refused.inc();
      this.ctx.trace('db.conn.refuse', { db: this.o.name, pid: b.pid, user: session.user, code, message: why.error.message, connections: this.slotsUsed }, { conn: b.conn });
      return;
    }
    const fields: Record<string, string | number> = { db: this.o.name, pid: b.pid, reason: why.kind, connections: this.slotsUsed };
    if (why.kind === 'fatal') fields.code = why.error.code;
    if (why.kind === 'disconnect' && why.error) fields.error = why.error.code;
    this.ctx.trace('db.conn.end', fields, { conn: b.conn });
  }

  private updateGauges(): void {
    if (!this.live) return;
    const m = this.m;
    m.connections.set(this.slotsUsed);
    m.running.set(this.cpu.runningCount);
    m.queued.set(this.cpu.waitingCount);
    if (this.cpu.waitingCount > this.db.stats.peakQueued) this.db.stats.peakQueued = this.cpu.waitingCount;
  }
}
