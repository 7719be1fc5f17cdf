/**
 * An HTTP/1.1 client agent over the simulated TCP, shaped like undici's Pool: keep-alive connections to one
 * origin held in a Pool (preset 'undici': unlimited connections, idle ones closed after 4 s), one request at
 * a time per connection, a 10 s connect timeout, and no automatic retry.
 *
 * The keep-alive race, on purpose: a connection the server closed while it sat idle is noticed if the FIN (or
 * RST) has arrived before it is reused, and another is taken; if the server closes it as the request goes
 * out, the request fails with ECONNRESET ('socket hang up', Node's words) and the caller decides whether to
 * retry. That is the intermittent ECONNRESET of a client whose idle timeout outlives the server's.
 */
import { HTTP_REQUEST_FIELDS } from './http-record.js';
import type { ActorContext } from '../core/context.js';
import { SimError } from '../core/errors.js';
import { resolveTlsOptions, TlsHandshake, type TlsOptions } from './tls.js';
import { netOf } from '../net/api.js';
import type { NetError } from '../net/errors.js';
import type { Socket } from '../net/tcp/socket.js';
import type { PoolOptions } from '../pool/options.js';
import { Pool, type CloseReason, type Lease } from '../pool/pool.js';
import { REQUEST_ID_HEADER, RequestContext, TIMEOUT_HEADER } from '../requests/context.js';
import {
  encodeRequestHead,
  isToken,
  MessageDecoder,
  parseResponseHead,
  wantsKeepAlive,
  writeMessage,
  type DecodedMessage,
  type HttpHeaders,
  type ResponseHead,
} from './http1-codec.js';

/** A timer owned by the actor (cancel it when what it guards is over). */
type ActorTimer = ReturnType<ActorContext['timer']>;

export interface HttpAgentOptions {
  /** Host name or IPv4 address of the origin. */
  host: string;
  port: number;
  /** Pool options over a preset; default preset 'undici' (unlimited connections, idle keep-alive 4000 ms). */
  pool?: Partial<PoolOptions> & { preset?: string };
  /** undici's connect timeout: a handshake not done by then fails with UND_ERR_CONNECT_TIMEOUT. Default 10000; 0 none. */
  connectTimeoutMs?: number;
  /**
   * Reuse connections (default true). False: the client closes each connection after its response, as
   * clients without keep-alive do, so the client is the active closer and holds the port in TIME_WAIT.
   */
  keepAlive?: boolean;
  /** TLS before HTTP (an https origin): handshake round trips and CPU on every new connection. */
  tls?: Partial<TlsOptions> | true;
  /** Send what remains of a request's deadline (its context's) in x-timeout-ms, as gRPC sends grpc-timeout. */
  propagateDeadline?: boolean;
}

export interface HttpRequestOptions {
  /** Default 'GET'. */
  method?: string;
  /** Starts with '/'. */
  path: string;
  headers?: Record<string, string>;
  /** Request body size; the body is that many zero bytes. Default 0. */
  bodyBytes?: number;
  /**
   * The request this exchange serves (see RequestContext): its id goes out as x-request-id, its deadline
   * bounds the exchange as timeoutMs does (and goes out as x-timeout-ms with propagateDeadline), and the
   * exchange's phases (connect, TLS, response) are recorded as its spans.
   */
  context?: RequestContext;
  /**
   * Time allowed for the whole exchange (waiting for a connection, connecting, sending, the whole response),
   * from the request() call: past it the request fails with ERR_HTTP_REQUEST_TIMEOUT and its connection
   * is destroyed. Default: none.
   */
  timeoutMs?: number;
  /**
   * nginx's proxy_read_timeout / undici's headersTimeout and bodyTimeout: the longest silence allowed between
   * two reads once the request is on the wire. Expiry fails the request with UND_ERR_HEADERS_TIMEOUT (no
   * response head yet) or UND_ERR_BODY_TIMEOUT and destroys the connection. Default: none.
   */
  readTimeoutMs?: number;
}

export interface HttpResponse {
  status: number;
  /** Lower-cased names. */
  headers: HttpHeaders;
  bodyBytes: number;
  /** The TCP connection it came on (its trace id). */
  connectionId: string | undefined;
}

/**
 * Errors of the client's own making. A request can also fail with the socket's NetError (ECONNREFUSED,
 * ECONNRESET, ETIMEDOUT, …), an HttpParseError (HPE_*) for a malformed response, an HttpEncodeError for a
 * header that cannot be sent, or the pool's PoolTimeoutError (POOL_ACQUIRE_TIMEOUT). Every one has a `code`.
 */
export type HttpClientErrorCode =
  /** The server closed the connection before the whole response came (Node: 'socket hang up' / 'aborted'). */
  | 'ECONNRESET'
  /** The TCP handshake took longer than connectTimeoutMs (undici's ConnectTimeoutError). */
  | 'UND_ERR_CONNECT_TIMEOUT'
  /** The request's timeoutMs passed. */
  | 'ERR_HTTP_REQUEST_TIMEOUT'
  /** readTimeoutMs passed with no response head (undici's HeadersTimeoutError). */
  | 'UND_ERR_HEADERS_TIMEOUT'
  /** readTimeoutMs passed between two reads of the body (undici's BodyTimeoutError). */
  | 'UND_ERR_BODY_TIMEOUT'
  /** The agent was closed (undici's ClientClosedError). */
  | 'UND_ERR_CLOSED'
  /** The server sent bytes nobody asked for (undici's SocketError). */
  | 'UND_ERR_SOCKET'
  /** A request option is not valid. */
  | 'ERR_INVALID_ARG_VALUE';

export class HttpClientError extends Error {
  override name = 'Error';
  constructor(
    readonly code: HttpClientErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** readTimeoutMs passed: undici's HeadersTimeoutError before the response head, BodyTimeoutError after it. */
export function readTimeoutError(inBody: boolean, ms: number): HttpClientError {
  return inBody ? new HttpClientError('UND_ERR_BODY_TIMEOUT', `Body Timeout Error (no data for ${ms}ms)`) : new HttpClientError('UND_ERR_HEADERS_TIMEOUT', `Headers Timeout Error (no response head in ${ms}ms)`);
}

/** One request in flight. */
interface Exchange {
  method: string;
  path: string;
  requestId: string | undefined;
  context: RequestContext;
  head: Uint8Array;
  /** The request's headers when x-timeout-ms is added at send time; null otherwise. */
  headersToStamp: [string, string][] | null;
  bodyBytes: number;
  /** When its bytes went out (the start of its 'response' span). */
  sentUs: number;
  /** Read timeout, µs; 0 none. */
  readTimeoutUs: number;
  /** Runs while the request waits for bytes of its response. */
  readTimer: ActorTimer;
  /** The request asked for Connection: close. */
  closeAfter: boolean;
  startUs: number;
  conn: AgentConnection | null;
  lease: Lease<AgentConnection> | null;
  done: boolean;
  timer: ActorTimer;
  resolve: (r: HttpResponse) => void;
  reject: (err: unknown) => void;
}

/** A keep-alive connection as the pool holds it. */
export class AgentConnection {
  /** connecting: handshake under way; open: usable; closed: gone (by either side), never reused. */
  state: 'connecting' | 'open' | 'closed' = 'connecting';
  /** Why it closed, when it was an error. */
  failure: Error | null = null;
  /** Responses it has carried. */
  served = 0;
  /** @internal */ exchange: Exchange | null = null;
  /** @internal */ method = 'GET';
  /** @internal */ connectTimer: ActorTimer = null;
  /** @internal The TLS handshake, while it runs. */ tls: TlsHandshake | null = null;
  /** @internal When the SYN went out, and when TCP was up (for the request's connect and TLS spans). */ openedAtUs = 0;
  /** @internal */ tcpUpAtUs = 0;
  /** @internal */ readonly decoder = new MessageDecoder<ResponseHead>((text) => parseResponseHead(text, this.method));

  /** @internal */
  constructor(readonly socket: Socket) {}

  /** The TCP connection's trace id. */
  get id(): string | undefined {
    return this.socket.connectionId;
  }
}

const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;

export class HttpAgent {
  readonly pool: Pool<AgentConnection>;
  readonly host: string;
  readonly port: number;
  readonly connectTimeoutMs: number;
  readonly keepAlive: boolean;
  readonly tls: TlsOptions | null;
  private closed = false;
  /** Requests waiting for the pool to hand them a connection. */
  private readonly waiting = new Set<Exchange>();
  readonly propagateDeadline: boolean;

  constructor(
    private readonly ctx: ActorContext,
    options: HttpAgentOptions,
  ) {
    const { host, port, connectTimeoutMs = DEFAULT_CONNECT_TIMEOUT_MS } = options;
    if (typeof host !== 'string' || host.length === 0) throw new SimError('ERR_HTTP_OPTION', `httpAgent.host: expected a host name or address, got ${JSON.stringify(host)}`);
    if (!Number.isInteger(port) || port < 1 || port > 65535) throw new SimError('ERR_HTTP_OPTION', `httpAgent.port: expected an integer from 1 to 65535, got ${JSON.stringify(port)}`);
    if (!Number.isSafeInteger(connectTimeoutMs) || connectTimeoutMs < 0) throw new SimError('ERR_HTTP_OPTION', `httpAgent.connectTimeoutMs: expected a non-negative integer, got ${JSON.stringify(connectTimeoutMs)}`);
    this.host = host;
    this.port = port;
    this.connectTimeoutMs = connectTimeoutMs;
    this.keepAlive = options.keepAlive ?? true;
    this.propagateDeadline = options.propagateDeadline ?? false;
    this.tls = options.tls === undefined ? null : resolveTlsOptions(options.tls, 'httpAgent.tls');
    // The factory hands over a connection as soon as its SYN is out (as undici dispatches to a Client that is
    // still connecting): a connect error or timeout then fails the request waiting on it, where a pool
    // waiting for `open` to succeed would keep its waiter until the pool's own acquire timeout.
    // Named for where it runs and what it reaches (the origin: the port too, unless it is HTTP's or HTTPS's own),
    // as the gateway's and service's pools are: one name for two origins would make two agents' pools share
    // (and overwrite) each other's gauges, and is refused.
    const origin = port === 80 || port === 443 ? host : `${host}:${port}`;
    this.pool = new Pool<AgentConnection>(ctx, { preset: 'undici', poolName: `${ctx.host}->${origin}`, ...options.pool }, {
      open: (done) => done(null, this.openConnection()),
      close: (conn, reason) => this.closeConnection(conn, reason),
    });
  }

  /** Sends a request and resolves with the whole response; rejects with an Error that has a `code`. Never retries. */
  request(options: HttpRequestOptions): Promise<HttpResponse> {
    return this.ctx.suspend<HttpResponse>(`an HTTP response from ${this.host}:${this.port}${typeof options?.path === 'string' ? options.path : ''}`, (resolve, reject) => {
      const ex = this.prepare(options, resolve, reject);
      if (this.closed) {
        this.fail(ex, new HttpClientError('UND_ERR_CLOSED', 'The client is closed'));
        return;
      }
      const timeoutUs = Math.min(options.timeoutMs ? options.timeoutMs * 1000 : Infinity, ex.context.remainingUs(this.ctx.now));
      if (timeoutUs < Infinity) {
        const ms = timeoutUs / 1000;
        ex.timer = this.ctx.timer(Math.max(0, timeoutUs), () => this.fail(ex, new HttpClientError('ERR_HTTP_REQUEST_TIMEOUT', `request timed out after ${ms}ms (${ex.method} ${ex.path})`)));
      }
      this.acquire(ex);
    });
  }

  /**
   * No new requests; idle connections close now, busy ones when their response is in. Requests still waiting
   * for a connection fail with UND_ERR_CLOSED: a shut pool opens no more.
   */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.pool.shutdown();
    for (const ex of [...this.waiting]) this.fail(ex, new HttpClientError('UND_ERR_CLOSED', 'The client is closed'));
  }

  // ---- Requests ----

  private prepare(o: HttpRequestOptions, resolve: (r: HttpResponse) => void, reject: (err: unknown) => void): Exchange {
    const bad = (what: string, got: unknown) => new HttpClientError('ERR_INVALID_ARG_VALUE', `request.${what}, got ${JSON.stringify(got)}`);
    const method = o.method ?? 'GET';
    if (typeof method !== 'string' || !isToken(method)) throw bad('method: expected an HTTP token', method);
    if (typeof o.path !== 'string' || !/^\/[\x21-\x7e]*$/.test(o.path)) throw bad('path: expected a path starting with / and without spaces', o.path);
    const bodyBytes = o.bodyBytes ?? 0;
    if (!Number.isSafeInteger(bodyBytes) || bodyBytes < 0) throw bad('bodyBytes: expected a non-negative integer', bodyBytes);
    if (o.timeoutMs !== undefined && (!Number.isSafeInteger(o.timeoutMs) || o.timeoutMs < 0)) throw bad('timeoutMs: expected a non-negative integer', o.timeoutMs);
    if (o.context !== undefined && !(o.context instanceof RequestContext)) throw bad('context: expected a RequestContext', o.context);
    const readTimeoutMs = o.readTimeoutMs ?? 0;
    if (!Number.isSafeInteger(readTimeoutMs) || readTimeoutMs < 0) throw bad('readTimeoutMs: expected a non-negative integer', o.readTimeoutMs);
    const given = o.headers === undefined ? [] : Object.entries(o.headers);
    // One pass over the caller's headers for the four this client looks at (the first of each, as before).
    let hasHost = false;
    let hasLength = false;
    let hasTimeout = false;
    let givenId: string | undefined;
    let connection: string | undefined;
    for (let i = 0; i < given.length; i++) {
      const [name, value] = given[i]!;
      const lower = name.toLowerCase();
      if (lower === 'host') hasHost = true;
      else if (lower === 'content-length') hasLength = true;
      else if (lower === TIMEOUT_HEADER) hasTimeout = true;
      else if (lower === REQUEST_ID_HEADER) givenId ??= value;
      else if (lower === 'connection') connection ??= value;
    }
    const headers: [string, string][] = [];
    if (!hasHost) headers.push(['host', this.port === 80 ? this.host : `${this.host}:${this.port}`]);
    for (let i = 0; i < given.length; i++) headers.push(given[i]!);
    if (!hasLength && (bodyBytes > 0 || method === 'POST' || method === 'PUT' || method === 'PATCH')) headers.push(['content-length', String(bodyBytes)]);
    const context = o.context ?? RequestContext.named(this.ctx, givenId);
    if (o.context?.id !== undefined && givenId === undefined) headers.push([REQUEST_ID_HEADER, o.context.id]);
    return {
      method,
      path: o.path,
      requestId: context.id,
      context,
      head: encodeRequestHead(method, o.path, headers), // ERR_INVALID_CHAR / ERR_INVALID_HTTP_TOKEN reject the request
      // What remains of the deadline is stamped as the request goes out (as gRPC does), not while it waits.
      headersToStamp: this.propagateDeadline && context.deadlineUs !== null && !hasTimeout ? headers : null,
      bodyBytes,
      sentUs: 0,
      readTimeoutUs: readTimeoutMs * 1000,
      readTimer: null,
      closeAfter: connection !== undefined && !wantsKeepAlive('1.1', { connection }),
      startUs: this.ctx.now,
      conn: null,
      lease: null,
      done: false,
      timer: null,
      resolve,
      reject,
    };
  }

  private acquire(ex: Exchange): void {
    this.waiting.add(ex);
    this.pool.acquireThen((err, lease) => this.leased(ex, err, lease));
  }

  private leased(ex: Exchange, err: Error | null, lease: Lease<AgentConnection> | undefined): void {
    this.waiting.delete(ex);
    if (err || !lease) {
      this.fail(ex, err ?? new HttpClientError('UND_ERR_CLOSED', 'no connection'));
      return;
    }
    const conn = lease.connection;
    if (ex.done) {
      // Timed out while waiting for the pool: the connection goes back unused.
      if (conn.state === 'closed') lease.evict();
      else lease.release();
      return;
    }
    if (conn.state === 'closed') {
      // The server's FIN or RST came while it sat idle: never reuse it, take another.
      this.ctx.trace('http.stale-connection', { served: conn.served, error: conn.failure ? codeOf(conn.failure) : undefined }, { conn: conn.id, req: ex.requestId });
      lease.evict();
      if (this.closed) this.fail(ex, new HttpClientError('UND_ERR_CLOSED', 'The client is closed'));
      else this.acquire(ex);
      return;
    }
    ex.conn = conn;
    ex.lease = lease;
    conn.exchange = ex;
    if (conn.state === 'open') this.send(ex);
  }

  private send(ex: Exchange): void {
    const conn = ex.conn!;
    conn.method = ex.method;
    ex.sentUs = this.ctx.now;
    if (ex.headersToStamp) ex.head = encodeRequestHead(ex.method, ex.path, [...ex.headersToStamp, [TIMEOUT_HEADER, ex.context.timeoutHeader(this.ctx.now)!]]);
    writeMessage(conn.socket, ex.head, ex.bodyBytes, () => {});
    this.armReadTimer(ex);
  }

  /** (Re)starts the read timeout: from the send, then from each read. */
  private armReadTimer(ex: Exchange): void {
    if (ex.readTimeoutUs === 0) return;
    ex.readTimer?.cancel();
    ex.readTimer = this.ctx.timer(ex.readTimeoutUs, () => {
      this.fail(ex, readTimeoutError(ex.conn?.decoder.inBody ?? false, ex.readTimeoutUs / 1000));
    });
  }

  private complete(ex: Exchange, message: DecodedMessage<ResponseHead>): void {
    const conn = ex.conn!;
    const lease = ex.lease!;
    conn.exchange = null;
    conn.served++;
    const head = message.head;
    const reusable = this.keepAlive && !ex.closeAfter && wantsKeepAlive(head.version, head.headers) && conn.state === 'open' && !conn.socket.readableEnded && conn.decoder.bufferedBytes === 0;
    this.settle(ex, head.status, undefined, message.bodyBytes);
    this.span(ex, 'response', ex.sentUs);
    if (reusable) lease.release();
    else {
      this.kill(conn, null);
      lease.evict();
    }
    ex.resolve({ status: head.status, headers: head.headers, bodyBytes: message.bodyBytes, connectionId: conn.id });
  }

  private fail(ex: Exchange, err: unknown): void {
    if (ex.done) return;
    this.waiting.delete(ex);
    this.settle(ex, undefined, err);
    const conn = ex.conn;
    if (conn) {
      if (conn.exchange === ex) conn.exchange = null;
      this.kill(conn, err instanceof Error ? err : null);
      ex.lease!.evict();
    }
    ex.reject(err);
  }

  /** Marks it done and writes its trace record. */
  private settle(ex: Exchange, status: number | undefined, err: unknown, bodyBytes?: number): void {
    ex.done = true;
    ex.timer?.cancel();
    ex.timer = null;
    ex.readTimer?.cancel();
    ex.readTimer = null;
    this.ctx.trace(
      'http.request',
      { side: 'client', method: ex.method, path: ex.path, status, bodyBytes, error: err === undefined ? undefined : codeOf(err), durationUs: this.ctx.now - ex.startUs, requestId: ex.requestId },
      { conn: ex.conn?.id, req: ex.requestId },
      HTTP_REQUEST_FIELDS,
    );
  }

  // ---- Connections ----

  private openConnection(): AgentConnection {
    // undici turns Nagle off on its sockets (setNoDelay(true)).
    const socket = netOf(this.ctx).connect({ host: this.host, port: this.port, noDelay: true });
    const conn = new AgentConnection(socket);
    conn.openedAtUs = this.ctx.now;
    socket.on('connect', () => {
      conn.tcpUpAtUs = this.ctx.now;
      if (!this.tls) {
        this.connected(conn);
        return;
      }
      // The connection counts as connected (and its connect timeout ends) once TLS is done, as undici's does.
      conn.tls = new TlsHandshake(this.ctx, socket, 'client', this.tls, (leftover) => {
        this.connected(conn);
        if (leftover) this.received(conn, leftover);
      });
    });
    socket.on('data', (chunk) => (conn.tls && !conn.tls.done ? conn.tls.push(chunk) : this.received(conn, chunk)));
    socket.on('end', () => this.ended(conn));
    socket.on('error', (err: NetError) => this.kill(conn, err));
    socket.on('close', () => this.kill(conn, null));
    const ms = this.connectTimeoutMs;
    if (ms > 0) {
      conn.connectTimer = this.ctx.timer(ms * 1000, () => {
        if (conn.state === 'connecting') this.kill(conn, new HttpClientError('UND_ERR_CONNECT_TIMEOUT', `Connect Timeout Error (attempted address: ${this.host}:${this.port}, timeout: ${ms}ms)`));
      });
    }
    return conn;
  }

  private closeConnection(conn: AgentConnection, _reason: CloseReason): void {
    this.kill(conn, null);
  }

  private connected(conn: AgentConnection): void {
    if (conn.state !== 'connecting') return;
    conn.state = 'open';
    conn.connectTimer?.cancel();
    conn.connectTimer = null;
    const ex = conn.exchange;
    if (!ex) return;
    this.span(ex, 'connect', conn.openedAtUs, conn.tcpUpAtUs);
    if (this.tls) this.span(ex, 'tls', conn.tcpUpAtUs);
    this.send(ex);
  }

  /** A phase of the request, on the request's record if it is one the ledger follows. */
  private span(ex: Exchange, phase: string, startUs: number, endUs = this.ctx.now): void {
    ex.context.span(phase, this.ctx.host, startUs, undefined, endUs);
  }

  private received(conn: AgentConnection, chunk: Uint8Array): void {
    const ex = conn.exchange;
    if (!ex) {
      this.kill(conn, new HttpClientError('UND_ERR_SOCKET', 'other side sent data while no request was in flight'));
      return;
    }
    this.armReadTimer(ex);
    conn.decoder.push(chunk);
    for (;;) {
      let message: DecodedMessage<ResponseHead> | null;
      try {
        message = conn.decoder.next();
      } catch (err) {
        this.fail(ex, err);
        return;
      }
      if (!message) return;
      const status = message.head.status;
      if (status >= 100 && status < 200 && status !== 101) continue; // informational: the real answer follows
      this.complete(ex, message);
      return;
    }
  }

  /** The server's FIN. */
  private ended(conn: AgentConnection): void {
    const ex = conn.exchange;
    if (ex) {
      const last = conn.decoder.end(); // a body delimited by the close is complete now
      if (last) {
        this.complete(ex, last);
        return;
      }
      // Node's words: before any of the response 'socket hang up', during its body 'aborted'.
      this.fail(ex, new HttpClientError('ECONNRESET', conn.decoder.inBody ? 'aborted' : 'socket hang up'));
      return;
    }
    this.kill(conn, null);
  }

  /** The connection is finished: never reused; a request on it fails with `err` (or 'socket hang up'). */
  private kill(conn: AgentConnection, err: Error | null): void {
    if (conn.state === 'closed') return;
    conn.state = 'closed';
    conn.failure = err;
    conn.connectTimer?.cancel();
    conn.connectTimer = null;
    const ex = conn.exchange;
    conn.exchange = null;
    if (!conn.socket.destroyed) conn.socket.destroy();
    if (ex) this.fail(ex, err ?? new HttpClientError('ECONNRESET', 'socket hang up'));
  }
}

function codeOf(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : err instanceof Error ? err.message : String(err);
}

/**
 * A response whose status is not 2xx, as an error a request's accounting can name: the service's root cause
 * from `x-error` (POOL_ACQUIRE_TIMEOUT, 53300, …) when it sent one, else the status ('503').
 */
export class HttpStatusError extends Error {
  readonly code: string;
  constructor(readonly status: number, headers: Record<string, string>) {
    const code = headers['x-error'] ?? String(status);
    super(`HTTP ${status}${code !== String(status) ? ` (${code})` : ''}`);
    this.code = code;
  }
}

/** Throws HttpStatusError unless the response is 2xx; returns it otherwise. */
export function expectOk(res: HttpResponse): HttpResponse {
  if (res.status < 200 || res.status > 299) throw new HttpStatusError(res.status, res.headers);
  return res;
}
