/**
 * The client side of the PostgreSQL-like protocol, shaped like node-postgres: pgConnect() opens a TCP
 * connection, sends the StartupMessage, answers the authentication challenge and resolves at the first
 * ReadyForQuery; query() sends simple queries one at a time (queued behind each other, as a pg.Client does);
 * end() sends Terminate and closes. pgConnectionFactory() lets sim/pool/pool.ts hold these connections.
 *
 * Round trips to open a session, after the TCP handshake (one round trip): trust 1, md5 2, scram-sha-256 3,
 * plus the server's backend start-up time. Errors: PgError (the server's ErrorResponse, with its SQLSTATE),
 * NetError (the socket's: ECONNREFUSED, ECONNRESET, ETIMEDOUT, …), PgClientError (a connect timeout, a
 * connection closed without a word).
 */
import type { ActorContext } from '../core/context.js';
import { DeadlineExceededError, SimError } from '../core/errors.js';
import type { OwnedTimer } from '../core/actor.js';
import type { Timer } from '../core/scheduler.js';
import { netOf } from '../net/api.js';
import type { Socket } from '../net/tcp/socket.js';
import type { ConnectionFactory } from '../pool/pool.js';
import { md5Response, randomToken, SCRAM_MECHANISM, SCRAM_NONCE_CHARS, scramClientFinal, scramClientFirst } from './pg-auth.js';
import {
  AuthCode,
  BodyReader,
  decodeCString,
  decodeErrorResponse,
  decodeText,
  encodePassword,
  encodeQuery,
  encodeSaslInitial,
  encodeSaslResponse,
  encodeStartup,
  encodeTerminate,
  MessageType,
  PgDecoder,
  PgProtocolError,
  type PgFrame,
} from './pg-codec.js';
import { clientMessages, PgClientError, PgError } from './pg-errors.js';
import { checkHints, withHints, type PgQuerySpec } from './pg-hints.js';

export interface PgConnectOptions {
  /** Host name or address of the database. */
  host: string;
  /** Default 5432. */
  port?: number;
  /** Default 'app'. Users the database counts as superusers may take the reserved slots. */
  user?: string;
  /** Default: the user name (libpq's rule). */
  database?: string;
  /** Default ''. Checked only by a database that has a password set. */
  password?: string;
  /** Fail the connect (TCP, startup and authentication together) after this long; 0 (default) never, as node-postgres. */
  connectTimeoutMs?: number;
  /** Sent as application_name in the startup packet when given. */
  applicationName?: string;
}

export interface PgQueryResult {
  /** DataRows received. */
  rows: number;
  /** Bytes of the response on the wire, from its first message through ReadyForQuery. */
  bytes: number;
  /** The CommandComplete tag ('SELECT 10'); '' for an empty query. */
  command: string;
}

interface PendingQuery {
  sql: Uint8Array;
  sent: boolean;
  rows: number;
  bytes: number;
  command: string;
  error: PgError | null;
  callback: (err: Error | null, result?: PgQueryResult) => void;
}

type Phase = 'connecting' | 'startup' | 'ready' | 'closed';

interface ResolvedConnectOptions {
  host: string;
  port: number;
  user: string;
  database: string;
  password: string;
  connectTimeoutMs: number;
  applicationName: string | undefined;
}

/** One session with the database. Made by pgConnect() or pgConnectionFactory(). */
export class PgConnection {
  /** From BackendKeyData. */
  processId = 0;
  secretKey = 0;
  /** ParameterStatus values the server sent (server_version, is_superuser, …). */
  readonly parameters: Record<string, string> = {};
  /** Why the connection closed (null while open, or after a clean end()). */
  closeError: Error | null = null;
  private phase: Phase = 'connecting';
  private readonly decoder = new PgDecoder(false);
  private readonly queue: PendingQuery[] = [];
  private connectCallback: ((err: Error | null, conn?: PgConnection) => void) | null;
  private connectTimer: Timer<OwnedTimer> | null = null;
  private clientNonce = '';

  private constructor(
    private readonly ctx: ActorContext,
    private readonly options: ResolvedConnectOptions,
    private readonly socket: Socket,
    callback: (err: Error | null, conn?: PgConnection) => void,
  ) {
    this.connectCallback = callback;
    socket.on('connect', () => this.onConnect());
    socket.on('data', (chunk) => this.onData(chunk));
    socket.on('error', (err) => this.fail(err));
    socket.on('end', () => this.fail(new PgClientError('PG_CONNECTION_TERMINATED', clientMessages.terminated)));
    socket.on('close', () => this.fail(new PgClientError('PG_CONNECTION_TERMINATED', clientMessages.terminated)));
    if (options.connectTimeoutMs > 0) {
      this.connectTimer = ctx.timer(options.connectTimeoutMs * 1000, () => {
        this.connectTimer = null;
        this.fail(new PgClientError('PG_CONNECT_TIMEOUT', clientMessages.connectTimeout));
      });
    }
  }

  /** Opens a session for callback code: `callback` runs once, with the ready connection or the error. */
  static open(ctx: ActorContext, options: PgConnectOptions, callback: (err: Error | null, conn?: PgConnection) => void): void {
    const o = resolveConnectOptions(options);
    // node-postgres turns Nagle off (stream.setNoDelay(true)).
    const socket = netOf(ctx).connect({ host: o.host, port: o.port, noDelay: true });
    new PgConnection(ctx, o, socket, callback);
  }

  /** True while queries can be sent. */
  get ready(): boolean {
    return this.phase === 'ready';
  }

  get closed(): boolean {
    return this.phase === 'closed';
  }

  /** Queries sent or waiting to be sent. */
  get pendingQueries(): number {
    return this.queue.length;
  }

  /** The socket's trace id ('app:32768>db:5432'). */
  get connectionId(): string | undefined {
    return this.socket.connectionId;
  }

  /**
   * Runs a simple query: SQL text, or an object with the text and hints (rows, rowBytes, costUs, id, error;
   * see pg-hints.ts) that tell the simulated server what the query costs and returns. Resolves with the rows
   * and bytes received; rejects with PgError (ERROR: the connection stays usable; FATAL: it is closed),
   * a NetError, or PgClientError.
   *
   * With `deadlineUs` (the caller's, as Go's QueryContext takes it) a query still unanswered then fails with
   * DeadlineExceededError and the connection is closed, as pgx's default context watcher does (it interrupts
   * the socket, which leaves the session unusable); the server runs the query to its end regardless.
   */
  query(q: string | PgQuerySpec, options?: { deadlineUs?: number }): Promise<PgQueryResult> {
    let sql: string;
    try {
      sql = querySql(q);
    } catch (err) {
      return Promise.reject(err);
    }
    if (this.phase === 'closed') return Promise.reject(new PgClientError('PG_CONNECTION_CLOSED', clientMessages.closed));
    const deadlineUs = options?.deadlineUs;
    if (deadlineUs !== undefined && !Number.isSafeInteger(deadlineUs)) return Promise.reject(new SimError('ERR_PG_OPTION', `query.deadlineUs: expected an integer virtual time in µs, got ${JSON.stringify(deadlineUs)}`));
    return this.ctx.suspend<PgQueryResult>(`a query on ${this.socket.connectionId ?? 'a pg connection'}`, (resolve, reject) => {
      const startUs = this.ctx.now;
      const guard = deadlineUs === undefined ? null : this.ctx.timer(Math.max(0, deadlineUs - startUs), () => {
        this.fail(new DeadlineExceededError(`context deadline exceeded during a query on ${this.socket.connectionId ?? 'a pg connection'} (after ${(this.ctx.now - startUs) / 1000}ms)`));
      });
      this.enqueue(sql, (err, result) => {
        guard?.cancel();
        if (err) reject(err);
        else resolve(result!);
      });
    });
  }

  /** query() for callback code. */
  queryThen(q: string | PgQuerySpec, callback: (err: Error | null, result?: PgQueryResult) => void): void {
    let sql: string;
    try {
      sql = querySql(q);
    } catch (err) {
      callback(err as Error);
      return;
    }
    if (this.phase === 'closed') {
      callback(new PgClientError('PG_CONNECTION_CLOSED', clientMessages.closed));
      return;
    }
    this.enqueue(sql, callback);
  }

  /**
   * Ends the session: Terminate, then FIN (the server's backend exits). Queries still queued fail with
   * PG_CONNECTION_CLOSED. Returns at once; the socket closes in the background.
   */
  end(): void {
    if (this.phase === 'closed') return;
    const wasReady = this.phase === 'ready';
    this.phase = 'closed';
    this.clearTimer();
    if (wasReady && !this.socket.destroyed && !this.socket.writableEnded) this.socket.end(encodeTerminate());
    else this.socket.destroy();
    const err = new PgClientError('PG_CONNECTION_CLOSED', clientMessages.closed);
    this.settleConnect(err);
    for (const q of this.queue.splice(0)) q.callback(err);
  }

  // ---- Internals ----

  private enqueue(sqlText: string, callback: PendingQuery['callback']): void {
    this.queue.push({ sql: encodeQuery(sqlText), sent: false, rows: 0, bytes: 0, command: '', error: null, callback });
    this.sendNext();
  }

  private sendNext(): void {
    const head = this.queue[0];
    if (this.phase !== 'ready' || !head || head.sent) return;
    head.sent = true;
    this.socket.write(head.sql);
  }

  private onConnect(): void {
    if (this.phase !== 'connecting') return;
    this.phase = 'startup';
    const o = this.options;
    const params: Record<string, string> = { user: o.user, database: o.database };
    if (o.applicationName !== undefined) params.application_name = o.applicationName;
    this.socket.write(encodeStartup(params));
  }

  private onData(chunk: Uint8Array): void {
    if (this.phase === 'closed') return;
    this.decoder.push(chunk);
    try {
      for (let f = this.decoder.next(); f !== null; f = this.closed ? null : this.decoder.next()) this.handle(f);
    } catch (err) {
      if (!(err instanceof PgProtocolError)) throw err;
      this.fail(new PgClientError('PG_PROTOCOL', err.message));
    }
  }

  private handle(f: PgFrame): void {
    const head = this.phase === 'ready' ? this.queue[0] : undefined;
    if (head) head.bytes += f.wireBytes;
    switch (f.type) {
      case MessageType.Authentication:
        return this.onAuthentication(f.body);
      case MessageType.ParameterStatus: {
        const r = new BodyReader(f.body);
        const name = r.cstring();
        this.parameters[name] = r.cstring();
        return;
      }
      case MessageType.BackendKeyData: {
        const r = new BodyReader(f.body);
        this.processId = r.int32();
        this.secretKey = r.int32();
        return;
      }
      case MessageType.ReadyForQuery:
        return this.onReadyForQuery();
      case MessageType.RowDescription:
      case MessageType.EmptyQueryResponse:
      case MessageType.NoticeResponse:
        return;
      case MessageType.DataRow:
        if (head) head.rows++;
        return;
      case MessageType.CommandComplete:
        if (head) head.command = decodeCString(f.body);
        return;
      case MessageType.ErrorResponse: {
        const error = new PgError(decodeErrorResponse(f.body));
        if (error.severity !== 'ERROR' || !head) return this.fail(error);
        head.error = error;
        return;
      }
      default:
        throw new PgProtocolError(`unexpected message type ${f.type}`);
    }
  }

  private onAuthentication(body: Uint8Array): void {
    if (this.phase !== 'startup') throw new PgProtocolError('authentication message after startup');
    const r = new BodyReader(body);
    const code = r.int32();
    const o = this.options;
    switch (code) {
      case AuthCode.Ok:
        return;
      case AuthCode.MD5Password:
        this.socket.write(encodePassword(md5Response(o.user, o.password, r.bytes(4))));
        return;
      case AuthCode.SASL: {
        const offered: string[] = [];
        for (let m = r.cstring(); m !== ''; m = r.cstring()) offered.push(m);
        if (!offered.includes(SCRAM_MECHANISM)) throw new PgProtocolError(`no supported SASL mechanism among ${offered.join(', ')}`);
        this.clientNonce = randomToken(this.ctx.random('pg/nonce'), SCRAM_NONCE_CHARS);
        this.socket.write(encodeSaslInitial(SCRAM_MECHANISM, scramClientFirst(this.clientNonce)));
        return;
      }
      case AuthCode.SASLContinue: {
        const final = scramClientFinal(decodeText(r.rest()), o.password);
        if (final === null) throw new PgProtocolError('malformed SCRAM server-first message');
        this.socket.write(encodeSaslResponse(final));
        return;
      }
      case AuthCode.SASLFinal:
        return;
      default:
        throw new PgProtocolError(`unsupported authentication request ${code}`);
    }
  }

  private onReadyForQuery(): void {
    if (this.phase === 'startup') {
      this.phase = 'ready';
      this.clearTimer();
      this.settleConnect(null);
      this.sendNext();
      return;
    }
    const head = this.queue.shift();
    if (!head || !head.sent) throw new PgProtocolError('ReadyForQuery with no query outstanding');
    if (head.error) head.callback(head.error);
    else head.callback(null, { rows: head.rows, bytes: head.bytes, command: head.command });
    this.sendNext();
  }

  /** The connection is over: the connect or every query fails with `err`, and the socket closes. */
  private fail(err: Error): void {
    if (this.phase === 'closed') return;
    this.phase = 'closed';
    this.closeError = err;
    this.clearTimer();
    if (!this.socket.destroyed) this.socket.destroy();
    this.settleConnect(err);
    for (const q of this.queue.splice(0)) q.callback(err);
  }

  private settleConnect(err: Error | null): void {
    const cb = this.connectCallback;
    if (!cb) return;
    this.connectCallback = null;
    if (err) cb(err);
    else cb(null, this);
  }

  private clearTimer(): void {
    this.connectTimer?.cancel();
    this.connectTimer = null;
  }
}

/**
 * Connects and authenticates: resolves with the connection at its first ReadyForQuery; rejects with the
 * server's FATAL (53300 "sorry, too many clients already", 28P01, …) as a PgError, a NetError, or
 * PgClientError PG_CONNECT_TIMEOUT.
 */
export function pgConnect(ctx: ActorContext, options: PgConnectOptions): Promise<PgConnection> {
  let o: ResolvedConnectOptions;
  try {
    o = resolveConnectOptions(options);
  } catch (err) {
    return Promise.reject(err);
  }
  return ctx.suspend<PgConnection>(`a pg connection to ${o.host}:${o.port}`, (resolve, reject) => {
    PgConnection.open(ctx, o, (err, conn) => (err ? reject(err) : resolve(conn!)));
  });
}

/**
 * A factory for sim/pool/pool.ts: open = connect and authenticate (a failure, such as 53300, counts in the
 * pool's `errors`), close = end().
 */
export function pgConnectionFactory(ctx: ActorContext, options: PgConnectOptions): ConnectionFactory<PgConnection> {
  const o = resolveConnectOptions(options);
  return {
    open: (done) => PgConnection.open(ctx, o, (err, conn) => (err ? done(err) : done(null, conn))),
    close: (conn) => conn.end(),
  };
}

function querySql(q: string | PgQuerySpec): string {
  if (typeof q === 'string') return q;
  if (q === null || typeof q !== 'object' || typeof q.text !== 'string') throw new SimError('ERR_PG_QUERY', 'query: expected SQL text or { text, rows?, rowBytes?, costUs?, id?, error? }');
  for (const key of Object.keys(q)) {
    if (!['text', 'rows', 'rowBytes', 'costUs', 'id', 'error'].includes(key)) throw new SimError('ERR_PG_QUERY', `query.${key}: not a query field (fields: text, rows, rowBytes, costUs, id, error)`);
  }
  const problem = checkHints(q);
  if (problem) throw new SimError('ERR_PG_QUERY', `query.${problem}`);
  return withHints(q);
}

function resolveConnectOptions(options: PgConnectOptions | ResolvedConnectOptions): ResolvedConnectOptions {
  const what = 'pgConnect';
  const known = ['host', 'port', 'user', 'database', 'password', 'connectTimeoutMs', 'applicationName'];
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) throw new SimError('ERR_PG_OPTION', `${what}.${key}: not an option (options: ${known.join(', ')})`);
  }
  const o = options as PgConnectOptions;
  if (typeof o.host !== 'string' || o.host.length === 0) throw new SimError('ERR_PG_OPTION', `${what}.host: expected a host name or address`);
  const port = o.port ?? 5432;
  if (!Number.isSafeInteger(port) || port < 1 || port > 65_535) throw new SimError('ERR_PG_OPTION', `${what}.port: expected an integer from 1 to 65535, got ${JSON.stringify(o.port)}`);
  const user = o.user ?? 'app';
  if (typeof user !== 'string' || user.length === 0) throw new SimError('ERR_PG_OPTION', `${what}.user: expected a non-empty string`);
  const database = o.database ?? user;
  if (typeof database !== 'string' || database.length === 0) throw new SimError('ERR_PG_OPTION', `${what}.database: expected a non-empty string`);
  const password = o.password ?? '';
  if (typeof password !== 'string') throw new SimError('ERR_PG_OPTION', `${what}.password: expected a string`);
  const connectTimeoutMs = o.connectTimeoutMs ?? 0;
  if (!Number.isSafeInteger(connectTimeoutMs) || connectTimeoutMs < 0) throw new SimError('ERR_PG_OPTION', `${what}.connectTimeoutMs: expected a non-negative integer, got ${JSON.stringify(o.connectTimeoutMs)}`);
  if (o.applicationName !== undefined && typeof o.applicationName !== 'string') throw new SimError('ERR_PG_OPTION', `${what}.applicationName: expected a string`);
  return { host: o.host, port, user, database, password, connectTimeoutMs, applicationName: o.applicationName };
}
