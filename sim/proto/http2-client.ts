/**
 * An HTTP/2 client over ONE simulated TCP connection at a time (optionally TLS, ALPN 'h2' implied), with
 * the request options and response of the HTTP/1.1 agent, so a caller can swap protocols. Requests are
 * streams with odd ids multiplexed on the connection; past the server's SETTINGS_MAX_CONCURRENT_STREAMS they
 * wait in a FIFO queue here, as Node (nghttp2) keeps them. Until the server's SETTINGS arrive the client
 * assumes 100 (Node's peerMaxConcurrentStreams), so a server with a lower limit refuses the extra streams of
 * the first round trip with RST_STREAM REFUSED_STREAM; those fail and are not retried, as in Node.
 *
 * Failures: the connection's (a reset: every open stream fails with ECONNRESET, its code), a stream reset
 * by the server (ERR_HTTP2_STREAM_ERROR), a GOAWAY (streams it did not process fail with
 * ERR_HTTP2_GOAWAY_SESSION; `retryable` says they are safe to send again), the request's timeoutMs
 * (ERR_HTTP_REQUEST_TIMEOUT) or its context's deadline, readTimeoutMs (UND_ERR_HEADERS_TIMEOUT, UND_ERR_BODY_TIMEOUT): the
 * stream is cancelled with RST_STREAM CANCEL and the connection stays. A new connection is opened when
 * the current one is gone or going away; requests still queued move to it.
 */
import { HTTP_REQUEST_FIELDS } from './http-record.js';
import { openAudit, type Audit } from '../core/audits.js';
import type { ActorContext } from '../core/context.js';
import { SimError } from '../core/errors.js';
import { netOf } from '../net/api.js';
import { HttpClientError, readTimeoutError, type HttpRequestOptions, type HttpResponse } from './http1-client.js';
import { isToken, type HttpHeaders } from './http1-codec.js';
import { CONNECTION_SPECIFIC, errorCodeName, H2ErrorCode } from './http2-frames.js';
import { Http2Session, Http2SessionError, newHttp2Stats, resolveHttp2Settings, type Http2LocalSettings, type Http2Stats } from './http2-session.js';
import { resolveTlsOptions, type TlsOptions } from './tls.js';
import { REQUEST_ID_HEADER, RequestContext, TIMEOUT_HEADER } from '../requests/context.js';

type ActorTimer = ReturnType<ActorContext['timer']>;

export interface Http2ClientOptions {
  /** Host name or IPv4 address of the origin. */
  host: string;
  port: number;
  /** Connect (and TLS) must be done by then, else UND_ERR_CONNECT_TIMEOUT (undici's 10000); 0 none. */
  connectTimeoutMs?: number;
  /** TLS before HTTP/2 (https; ALPN's choice of h2 is implied). */
  tls?: Partial<TlsOptions> | true;
  /** Streams assumed allowed before the server's SETTINGS say (Node's peerMaxConcurrentStreams: 100). */
  peerMaxConcurrentStreams?: number;
  /** What this client advertises (initialWindowSize, maxFrameSize); RFC 9113 defaults. */
  settings?: Partial<Pick<Http2LocalSettings, 'initialWindowSize' | 'maxFrameSize'>>;
  /** Send what remains of a request's deadline (its context's) in x-timeout-ms, as gRPC sends grpc-timeout. */
  propagateDeadline?: boolean;
}

/** A stream the server reset (RST_STREAM): Node's ERR_HTTP2_STREAM_ERROR, with the RFC 9113 code. */
export class Http2StreamError extends Error {
  override name = 'Error';
  readonly code = 'ERR_HTTP2_STREAM_ERROR';
  /** REFUSED_STREAM: the server did not process it (RFC 9113 §8.7), so sending it again is safe. */
  readonly retryable: boolean;
  constructor(readonly h2Code: string) {
    super(`Stream closed with error code NGHTTP2_${h2Code}`);
    this.retryable = h2Code === 'REFUSED_STREAM';
  }
}

/** A stream the server's GOAWAY says it never processed (its id is above last-stream-id): safe to retry. */
export class Http2GoawayError extends Error {
  override name = 'Error';
  readonly code = 'ERR_HTTP2_GOAWAY_SESSION';
  readonly retryable = true;
  constructor(
    readonly lastStreamId: number,
    readonly h2Code: string,
  ) {
    super(`the server sent GOAWAY (${h2Code}, last stream ${lastStreamId}) before processing this stream`);
  }
}

interface Exchange {
  method: string;
  path: string;
  requestId: string | undefined;
  context: RequestContext;
  headers: [string, string][];
  /** Add x-timeout-ms (what remains of the context's deadline) when the stream opens. */
  stampDeadline: boolean;
  bodyBytes: number;
  /** The longest silence allowed on the stream once sent (readTimeoutMs), µs; 0 none. */
  readTimeoutUs: number;
  readTimer: ActorTimer;
  startUs: number;
  /** When its stream opened (the request went out), µs. */
  sentUs: number;
  conn: ClientConnection | null;
  streamId: number;
  status: number;
  responseHeaders: HttpHeaders;
  responseBytes: number;
  done: boolean;
  timer: ActorTimer;
  resolve: (r: HttpResponse) => void;
  reject: (err: unknown) => void;
}

/** A connection and the streams it carries. */
interface ClientConnection {
  session: Http2Session;
  exchanges: Map<number, Exchange>;
  nextStreamId: number;
  connectTimer: ActorTimer;
}

const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
/** Node's peerMaxConcurrentStreams default. */
const NODE_PEER_MAX_CONCURRENT_STREAMS = 100;

export class Http2Client {
  readonly host: string;
  readonly port: number;
  readonly connectTimeoutMs: number;
  readonly tls: TlsOptions | null;
  /** Frames by type and connections opened, over the client's life. */
  readonly stats: Http2Stats = newHttp2Stats();
  private readonly local: Http2LocalSettings;
  private readonly assumedPeerStreams: number;
  readonly propagateDeadline: boolean;
  private conn: ClientConnection | null = null;
  /** Requests waiting for a stream, FIFO. */
  private queue: Exchange[] = [];
  private closed = false;
  /** Every stream gives its concurrency slot back when its request ends (h2-stream-slots): a leaked one would cap the connection. */
  private readonly slots: Audit;

  constructor(
    private readonly ctx: ActorContext,
    options: Http2ClientOptions,
  ) {
    const { host, port, connectTimeoutMs = DEFAULT_CONNECT_TIMEOUT_MS, peerMaxConcurrentStreams = NODE_PEER_MAX_CONCURRENT_STREAMS } = options;
    const bad = (field: string, expected: string, got: unknown) => new SimError('ERR_HTTP2_OPTION', `http2Client.${field}: expected ${expected}, got ${JSON.stringify(got)}`);
    if (typeof host !== 'string' || host.length === 0) throw bad('host', 'a host name or address', host);
    if (!Number.isInteger(port) || port < 1 || port > 65535) throw bad('port', 'an integer from 1 to 65535', port);
    if (!Number.isSafeInteger(connectTimeoutMs) || connectTimeoutMs < 0) throw bad('connectTimeoutMs', 'a non-negative integer', connectTimeoutMs);
    if (!Number.isSafeInteger(peerMaxConcurrentStreams) || peerMaxConcurrentStreams < 1) throw bad('peerMaxConcurrentStreams', 'a positive integer', peerMaxConcurrentStreams);
    this.host = host;
    this.port = port;
    this.connectTimeoutMs = connectTimeoutMs;
    this.assumedPeerStreams = peerMaxConcurrentStreams;
    this.local = { ...resolveHttp2Settings(options.settings ?? {}, 'http2Client.settings'), maxConcurrentStreams: null };
    this.tls = options.tls === undefined ? null : resolveTlsOptions(options.tls, 'http2Client.tls');
    this.propagateDeadline = options.propagateDeadline ?? false;
    this.slots = openAudit(ctx, `http2 client ${ctx.host} -> ${host}:${port}`, 'h2-stream-slots');
  }

  /** Sends a request and resolves with the whole response; rejects with an Error that has a `code`. Never retries. */
  request(options: HttpRequestOptions): Promise<HttpResponse> {
    return this.ctx.suspend<HttpResponse>(`an HTTP/2 response from ${this.host}:${this.port}${typeof options?.path === 'string' ? options.path : ''}`, (resolve, reject) => {
      const ex = this.prepare(options, resolve, reject);
      if (this.closed) return this.fail(ex, new HttpClientError('UND_ERR_CLOSED', 'The client is closed'));
      // timeoutMs from now and the context's deadline (a proxy's, spanning its retries): the earlier one applies.
      const timeoutUs = Math.min(options.timeoutMs ? options.timeoutMs * 1000 : Infinity, ex.context.remainingUs(this.ctx.now));
      if (timeoutUs < Infinity) {
        const ms = timeoutUs / 1000;
        ex.timer = this.ctx.timer(timeoutUs, () => this.fail(ex, new HttpClientError('ERR_HTTP_REQUEST_TIMEOUT', `request timed out after ${ms}ms (${ex.method} ${ex.path})`)));
      }
      this.queue.push(ex);
      this.dispatch();
    });
  }

  /** Streams open on the current connection. */
  get activeStreams(): number {
    return this.conn?.exchanges.size ?? 0;
  }

  /** Requests waiting for a stream. */
  get queuedRequests(): number {
    return this.queue.length;
  }

  /** No new requests (UND_ERR_CLOSED); queued ones fail, open streams finish, then the connection closes with GOAWAY. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const ex of this.queue.splice(0)) this.fail(ex, new HttpClientError('UND_ERR_CLOSED', 'The client is closed'));
    const conn = this.conn;
    if (conn) {
      conn.session.goaway('NO_ERROR');
      this.closeIfDrained(conn);
    }
  }

  // ---- Requests ----

  private prepare(o: HttpRequestOptions, resolve: (r: HttpResponse) => void, reject: (err: unknown) => void): Exchange {
    const invalid = (field: string, expected: string, got: unknown) => new HttpClientError('ERR_INVALID_ARG_VALUE', `request.${field}: expected ${expected}, got ${JSON.stringify(got)}`);
    const method = o.method ?? 'GET';
    if (typeof method !== 'string' || !isToken(method)) throw invalid('method', 'an HTTP token', method);
    if (typeof o.path !== 'string' || !/^\/[\x21-\x7e]*$/.test(o.path)) throw invalid('path', 'a path starting with / and without spaces', o.path);
    const bodyBytes = o.bodyBytes ?? 0;
    if (!Number.isSafeInteger(bodyBytes) || bodyBytes < 0) throw invalid('bodyBytes', 'a non-negative integer', bodyBytes);
    if (o.timeoutMs !== undefined && (!Number.isSafeInteger(o.timeoutMs) || o.timeoutMs < 0)) throw invalid('timeoutMs', 'a non-negative integer', o.timeoutMs);
    if (o.context !== undefined && !(o.context instanceof RequestContext)) throw invalid('context', 'a RequestContext', o.context);
    const readTimeoutMs = o.readTimeoutMs ?? 0;
    if (!Number.isSafeInteger(readTimeoutMs) || readTimeoutMs < 0) throw invalid('readTimeoutMs', 'a non-negative integer', o.readTimeoutMs);
    // RFC 9113 §8.3.1: pseudo-headers first; §8.2.2: connection-specific fields are not HTTP/2's.
    const headers: [string, string][] = [
      [':method', method],
      [':scheme', this.tls ? 'https' : 'http'],
      [':authority', this.port === 80 || this.port === 443 ? this.host : `${this.host}:${this.port}`],
      [':path', o.path],
    ];
    for (const [name, value] of Object.entries(o.headers ?? {})) {
      const lower = name.toLowerCase();
      if (!CONNECTION_SPECIFIC.has(lower) && lower !== 'host') headers.push([lower, value]);
    }
    const has = (name: string) => headers.some(([n]) => n === name);
    if (bodyBytes > 0 && !has('content-length')) headers.push(['content-length', String(bodyBytes)]);
    const context = o.context ?? RequestContext.named(this.ctx, headers.find(([n]) => n === REQUEST_ID_HEADER)?.[1]);
    if (o.context?.id !== undefined && !has(REQUEST_ID_HEADER)) headers.push([REQUEST_ID_HEADER, o.context.id]);
    return {
      method,
      path: o.path,
      requestId: context.id,
      context,
      headers,
      // What remains of the deadline is stamped as the stream opens (as gRPC does), not while it waits.
      stampDeadline: this.propagateDeadline && context.deadlineUs !== null && !has(TIMEOUT_HEADER),
      bodyBytes,
      readTimeoutUs: readTimeoutMs * 1000,
      readTimer: null,
      startUs: this.ctx.now,
      sentUs: 0,
      conn: null,
      streamId: 0,
      status: 0,
      responseHeaders: {},
      responseBytes: 0,
      done: false,
      timer: null,
      resolve,
      reject,
    };
  }

  /** Starts queued requests while the connection has streams to spare; opens a connection if there is none usable. */
  private dispatch(): void {
    this.queue = this.queue.filter((ex) => !ex.done);
    if (this.queue.length === 0 || this.closed) return;
    const conn = this.usableConnection();
    const session = conn.session;
    if (!session.isReady) return;
    while (this.queue.length > 0 && conn.exchanges.size < session.peerMaxConcurrentStreams) this.startStream(conn, this.queue.shift()!);
  }

  private startStream(conn: ClientConnection, ex: Exchange): void {
    const id = conn.nextStreamId;
    conn.nextStreamId += 2; // client streams are odd (RFC 9113 §5.1.1)
    ex.conn = conn;
    ex.streamId = id;
    conn.exchanges.set(id, ex);
    // Waiting for the connection (its handshake, TLS, SETTINGS) or for a stream the server allows.
    if (this.ctx.now > ex.startUs) ex.context.span('stream wait', this.ctx.host, ex.startUs);
    ex.sentUs = this.ctx.now;
    const stream = conn.session.openStream(id);
    this.ctx.trace('http2.stream-open', { side: 'client', stream: id, method: ex.method, path: ex.path, requestId: ex.requestId }, { conn: conn.session.id, req: ex.requestId });
    const headers: [string, string][] = ex.stampDeadline ? [...ex.headers, [TIMEOUT_HEADER, ex.context.timeoutHeader(this.ctx.now)!]] : ex.headers;
    conn.session.writeHeaders(stream, headers, ex.bodyBytes === 0);
    if (ex.bodyBytes > 0) conn.session.writeData(stream, ex.bodyBytes, true);
    this.heard(ex);
  }

  /** Frames came on the stream (or it was just sent): readTimeoutMs starts again; undici's error names which wait it was. */
  private heard(ex: Exchange): void {
    if (ex.readTimeoutUs === 0) return;
    ex.readTimer?.cancel();
    ex.readTimer = this.ctx.timer(ex.readTimeoutUs, () => {
      this.fail(ex, readTimeoutError(ex.status !== 0, ex.readTimeoutUs / 1000));
    });
  }

  private complete(ex: Exchange): void {
    const conn = ex.conn!;
    this.release(ex);
    this.settle(ex, ex.status, undefined);
    ex.context.span('response', this.ctx.host, ex.sentUs);
    ex.resolve({ status: ex.status, headers: ex.responseHeaders, bodyBytes: ex.responseBytes, connectionId: conn.session.id });
    this.dispatch();
  }

  /** Fails a request; one with an open stream has it cancelled (RST_STREAM CANCEL) unless `streamGone`. */
  private fail(ex: Exchange, err: unknown, streamGone = false): void {
    if (ex.done) return;
    const conn = ex.conn;
    if (conn && conn.exchanges.get(ex.streamId) === ex) {
      if (!streamGone && !conn.session.isClosed) conn.session.resetStream(ex.streamId, 'CANCEL');
      this.release(ex);
    }
    this.settle(ex, undefined, err);
    ex.reject(err);
    if (conn) this.dispatch();
  }

  /** The stream is over: it no longer counts against the limit. */
  private release(ex: Exchange): void {
    const conn = ex.conn!;
    conn.exchanges.delete(ex.streamId);
    conn.session.forget(ex.streamId);
    this.closeIfDrained(conn);
  }

  /** Marks it done and writes its trace record (http.request, as HTTP/1.1's, with protocol and stream). */
  private settle(ex: Exchange, status: number | undefined, err: unknown): void {
    ex.done = true;
    // Checked here, where every ending passes, not in the branches that release (a bug would change those).
    if (ex.conn !== null && ex.conn.exchanges.get(ex.streamId) === ex) {
      this.slots.breach(this.ctx.now, `stream ${ex.streamId} (request ${ex.requestId ?? 'without an id'}) ended ${err === undefined ? 'with its response' : `with ${codeOf(err)}`} but still holds its concurrency slot (${ex.conn.exchanges.size} held)`);
    }
    ex.timer?.cancel();
    ex.readTimer?.cancel();
    ex.timer = ex.readTimer = null;
    this.ctx.trace(
      'http.request',
      {
        side: 'client',
        protocol: 'h2',
        stream: ex.streamId || undefined,
        method: ex.method,
        path: ex.path,
        status,
        bodyBytes: err === undefined ? ex.responseBytes : undefined,
        error: err === undefined ? undefined : codeOf(err),
        durationUs: this.ctx.now - ex.startUs,
        requestId: ex.requestId,
      },
      { conn: ex.conn?.session.id, req: ex.requestId },
      HTTP_REQUEST_FIELDS,
    );
  }

  // ---- The connection ----

  private usableConnection(): ClientConnection {
    const current = this.conn;
    if (current && !current.session.isClosed && !current.session.goawayReceived && !current.session.goawaySent) return current;
    // undici's connector turns Nagle off (setNoDelay(true)).
    const socket = netOf(this.ctx).connect({ host: this.host, port: this.port, noDelay: true });
    const conn: ClientConnection = { session: null as unknown as Http2Session, exchanges: new Map(), nextStreamId: 1, connectTimer: null };
    conn.session = new Http2Session(this.ctx, socket, 'client', this.local, this.stats, this.tls, this.assumedPeerStreams, {
      ready: () => {
        conn.connectTimer?.cancel();
        conn.connectTimer = null;
        this.dispatch();
      },
      settings: () => this.dispatch(),
      headers: (id, headers, endStream) => this.onHeaders(conn, id, headers, endStream),
      data: (id, bytes, endStream) => {
        const ex = conn.exchanges.get(id);
        if (!ex) return;
        ex.responseBytes += bytes;
        if (endStream) this.complete(ex);
        else this.heard(ex);
      },
      reset: (id, code) => {
        const ex = conn.exchanges.get(id);
        if (ex) this.fail(ex, new Http2StreamError(errorCodeName(code)), true);
      },
      goaway: (lastStreamId, code) => this.onGoaway(conn, lastStreamId, code),
      closed: (err) => this.onClosed(conn, err),
    });
    const ms = this.connectTimeoutMs;
    if (ms > 0) {
      conn.connectTimer = this.ctx.timer(ms * 1000, () => {
        if (!conn.session.isReady) conn.session.destroy(new HttpClientError('UND_ERR_CONNECT_TIMEOUT', `Connect Timeout Error (attempted address: ${this.host}:${this.port}, timeout: ${ms}ms)`));
      });
    }
    this.conn = conn;
    return conn;
  }

  private onHeaders(conn: ClientConnection, id: number, headers: [string, string][], endStream: boolean): void {
    const ex = conn.exchanges.get(id);
    if (!ex) return;
    const status = Number(headers.find(([n]) => n === ':status')?.[1]);
    if (ex.status === 0) {
      if (!(status >= 100 && status <= 999)) return this.fail(ex, new Http2StreamError('PROTOCOL_ERROR'));
      if (status < 200) return; // informational: the real answer follows
      ex.status = status;
      for (const [name, value] of headers) {
        if (name.startsWith(':')) continue;
        const prior = ex.responseHeaders[name];
        ex.responseHeaders[name] = prior === undefined ? value : `${prior}, ${value}`;
      }
    }
    if (endStream) this.complete(ex);
    else this.heard(ex);
  }

  private onGoaway(conn: ClientConnection, lastStreamId: number, code: number): void {
    const name = errorCodeName(code);
    for (const [id, ex] of [...conn.exchanges]) {
      if (id > lastStreamId) this.fail(ex, new Http2GoawayError(lastStreamId, name), true);
    }
    // Node: a GOAWAY with an error ends the session at once; NO_ERROR lets the processed streams finish.
    if (code !== H2ErrorCode.NO_ERROR) conn.session.destroy(new Http2SessionError(name, `the server sent GOAWAY with ${name}`));
    else this.closeIfDrained(conn);
    this.dispatch();
  }

  private onClosed(conn: ClientConnection, err: Error | null): void {
    conn.connectTimer?.cancel();
    conn.connectTimer = null;
    if (this.conn === conn) this.conn = null;
    const failure = err ?? new HttpClientError('ECONNRESET', 'socket hang up');
    // A connection that never came up takes the queue with it (undici fails its queued requests on a connect
    // error); one that worked hands the queue to a new connection.
    const queued = conn.session.isReady ? [] : this.queue.splice(0);
    for (const ex of [...conn.exchanges.values()]) this.fail(ex, failure, true);
    for (const ex of queued) this.fail(ex, failure);
    this.dispatch();
  }

  /** A connection that is going away (or whose client is closed) closes once its last stream is done. */
  private closeIfDrained(conn: ClientConnection): void {
    const s = conn.session;
    if (conn.exchanges.size > 0 || s.isClosed || !(this.closed || s.goawayReceived || s.goawaySent)) return;
    if (this.conn === conn) this.conn = null;
    s.close();
  }
}

function codeOf(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : err instanceof Error ? err.message : String(err);
}
