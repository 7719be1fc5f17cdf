/**
 * An HTTP/1.1 server over the simulated TCP with Node's http.Server semantics: one request at a time per
 * connection (a pipelined request stays unread until the response before it is written), idle keep-alive
 * connections closed with FIN after keepAliveTimeout (5 s), headersTimeout answered with 408, a head over
 * 16 KiB with 431, a malformed request with 400, Connection: close honoured both ways, and a handler that
 * throws answered with 500 instead of failing the actor.
 */
import { HTTP_REQUEST_FIELDS } from './http-record.js';
import { openAudit, type Audit } from '../core/audits.js';
import { RequestContext } from '../requests/context.js';
import type { ActorContext } from '../core/context.js';
import { SimError } from '../core/errors.js';
import { resolveTlsOptions, TlsHandshake, type TlsOptions } from './tls.js';
import type { NetError } from '../net/errors.js';
import { TcpListener } from './tcp-listener.js';
import { ResponseAborts } from './http-faults.js';
import type { Socket } from '../net/tcp/socket.js';
import {
  encodeResponseHead,
  HttpParseError,
  MAX_HEAD_BYTES_DEFAULT,
  MessageDecoder,
  parseRequestHead,
  wantsKeepAlive,
  writeMessage,
  type DecodedMessage,
  type HttpHeaders,
  type RequestHead,
} from './http1-codec.js';

/** A timer owned by the actor (cancel it when what it guards is over). */
type ActorTimer = ReturnType<ActorContext['timer']>;

export interface HttpServerOptions {
  /** Node's server.keepAliveTimeout: an idle keep-alive connection is closed (FIN) after this long without a request; 0 never. */
  keepAliveTimeoutMs: number;
  /**
   * Node's server.headersTimeout: a request's head must be complete this long after its first byte (after
   * the connection opened, for the first request), else 408 and close; 0 off. Node checks every 30 s
   * (connectionsCheckingInterval); here it fires exactly.
   */
  headersTimeoutMs: number;
  /** Node's server.maxRequestsPerSocket: the response to the Nth request says Connection: close and the server closes; 0 unlimited. */
  maxRequestsPerSocket: number;
  /** Node's maxHeaderSize: a larger request head gets 431 and the connection is closed. */
  maxHeaderBytes: number;
  /** Node's server.maxConnections: a connection over it is closed as soon as it is accepted; 0 unlimited. */
  maxConnections: number;
}

/** Node 20's http.Server defaults. */
export const nodeHttpServerDefaults: Readonly<HttpServerOptions> = Object.freeze({
  keepAliveTimeoutMs: 5_000,
  headersTimeoutMs: 60_000,
  maxRequestsPerSocket: 0,
  maxHeaderBytes: MAX_HEAD_BYTES_DEFAULT,
  maxConnections: 0,
});

/** Node's defaults under `partial`, checked; a bad field gets one line naming it. */
export function resolveHttpServerOptions(partial: Partial<HttpServerOptions> = {}, what = 'httpServer'): HttpServerOptions {
  for (const key of Object.keys(partial)) {
    if (!(key in nodeHttpServerDefaults)) throw new SimError('ERR_HTTP_OPTION', `${what}.${key}: not an HTTP server option (options: ${Object.keys(nodeHttpServerDefaults).join(', ')})`);
  }
  const o = { ...nodeHttpServerDefaults, ...partial };
  for (const key of Object.keys(nodeHttpServerDefaults) as (keyof HttpServerOptions)[]) {
    const v = o[key];
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) throw new SimError('ERR_HTTP_OPTION', `${what}.${key}: expected a non-negative integer, got ${JSON.stringify(v)}`);
  }
  if (o.maxHeaderBytes === 0) throw new SimError('ERR_HTTP_OPTION', `${what}.maxHeaderBytes: expected a positive integer, got 0`);
  return o;
}

/** Where a request came from. */
export interface HttpSocketInfo {
  remoteAddress: string | undefined;
  remotePort: number | undefined;
  localAddress: string | undefined;
  localPort: number | undefined;
  /** The TCP connection's trace id ('10.0.0.1:32768>10.0.0.2:80'). */
  connectionId: string | undefined;
}

export interface HttpRequest {
  method: string;
  path: string;
  /** '1.0' or '1.1'. */
  httpVersion: string;
  /** Lower-cased names. */
  headers: HttpHeaders;
  bodyBytes: number;
  /** The x-request-id header, if any: the id that follows the request through every hop. */
  requestId: string | undefined;
  /**
   * The request's context as its headers carry it (x-request-id; x-timeout-ms counted from arrival): a hop
   * that honours its caller's deadline narrows its own work by it and passes it on to the next hop.
   */
  context: RequestContext;
  /** Virtual time the whole request (head and body) had arrived, µs. */
  receivedAtUs: number;
  /** How many requests this connection has carried, this one included. */
  requestOnConnection: number;
  socket: HttpSocketInfo;
}

export interface HttpResponseInit {
  /** Default 200. */
  status?: number;
  /** Body size; the body is that many zero bytes. Default 0. */
  bodyBytes?: number;
  /** Extra headers; 'connection: close' closes the connection after this response. */
  headers?: Record<string, string>;
}

/** The handler's way to answer: end() once. */
export interface HttpServerResponse {
  /** Writes the response. A second call does nothing. Throws (RangeError, code ERR_HTTP_INVALID_STATUS_CODE) for a status outside 100–999. */
  end(init?: HttpResponseInit): void;
  /** end() has been called. */
  readonly headersSent: boolean;
}

export type HttpHandler = (req: HttpRequest, res: HttpServerResponse) => void | Promise<void>;

/**
 * @internal After a handler settled (returned, resolved, threw or rejected): a request read on a connection
 * that is still there must have had its answer (the handler's, or the 500 of one that failed). An async
 * handler answers before it settles; a callback-style one (returning nothing) is not audited.
 */
export function auditAnswer(audit: Audit | null, nowUs: number, req: HttpRequest, res: HttpServerResponse, connectionLive: boolean): void {
  if (audit && connectionLive && !res.headersSent) audit.breach(nowUs, `${req.method} ${req.path} (request ${req.requestId ?? 'without an id'}): its handler finished without an answer on a live connection`);
}

/** Node's answers to requests it could not parse or that came too slowly; then it closes. */
const CLOSING_ANSWERS: Record<number, string> = {
  400: 'HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n',
  408: 'HTTP/1.1 408 Request Timeout\r\nConnection: close\r\n\r\n',
  431: 'HTTP/1.1 431 Request Header Fields Too Large\r\nConnection: close\r\n\r\n',
};

export class HttpServer extends TcpListener<ServerConnection> {
  readonly options: HttpServerOptions;
  /** TLS in front of HTTP (https.Server), or null for plain HTTP. */
  readonly tls: TlsOptions | null;

  /** @internal */
  constructor(
    ctx: ActorContext,
    options: Partial<HttpServerOptions> & { tls?: Partial<TlsOptions> | true },
    readonly handler: HttpHandler,
  ) {
    super(ctx);
    const { tls, ...http } = options;
    this.options = resolveHttpServerOptions(http);
    this.tls = tls === undefined ? null : resolveTlsOptions(tls, 'httpServer.tls');
  }

  /** @internal Whether each request whose handler finished on a live connection had its answer (see auditAnswer). */
  answers: Audit | null = null;
  /** @internal The response-aborts fault's draws (made when the server listens). */
  aborts: ResponseAborts | null = null;

  /** Listens on `port` with `backlog` (default 511, as Node); a port in use fails the actor (EADDRINUSE). */
  listen(port: number, backlog?: number): this {
    this.answers ??= openAudit(this.ctx, `http server ${this.ctx.host}:${port}`, 'http-answers');
    this.aborts ??= new ResponseAborts(this.ctx);
    // allowHalfOpen, as Node's http.Server: a client's FIN after its request still gets the response.
    return this.listenOn(port, backlog, { allowHalfOpen: true }, (socket, open) =>
      this.options.maxConnections > 0 && open >= this.options.maxConnections ? null : new ServerConnection(this, socket),
    );
  }

  /** Idle connections close now, busy ones after their response (Node 19+). */
  protected closeOnShutdown(c: ServerConnection): void {
    c.closeIfIdle();
  }
}

/** `createHttpServer(ctx, { keepAliveTimeoutMs: 5000 }, handler).listen(80)`. */
export function createHttpServer(ctx: ActorContext, options: Partial<HttpServerOptions> & { tls?: Partial<TlsOptions> | true }, handler: HttpHandler): HttpServer {
  return new HttpServer(ctx, options, handler);
}

class ServerConnection {
  private readonly decoder: MessageDecoder<RequestHead>;
  /** idle: between requests; handling: a request is with the handler (reading paused); closed: done. */
  private state: 'idle' | 'handling' | 'closed' = 'idle';
  private requests = 0;
  private idleTimer: ActorTimer = null;
  private headersTimer: ActorTimer = null;
  /** The client sent FIN: answer what is in hand, then close. */
  private peerEnded = false;
  private readonly info: HttpSocketInfo;
  private tls: TlsHandshake | null = null;

  constructor(
    readonly server: HttpServer,
    private readonly socket: Socket,
  ) {
    this.decoder = new MessageDecoder(parseRequestHead, server.options.maxHeaderBytes);
    this.info = {
      remoteAddress: socket.remoteAddress,
      remotePort: socket.remotePort,
      localAddress: socket.localAddress,
      localPort: socket.localPort,
      connectionId: socket.connectionId,
    };
    if (server.tls) {
      // The handshake takes the connection's first bytes; what follows it is HTTP.
      this.tls = new TlsHandshake(server.ctx, socket, 'server', server.tls, (leftover) => {
        if (leftover) this.onData(leftover);
      });
    }
    socket.on('data', (chunk) => (this.tls && !this.tls.done ? this.tls.push(chunk) : this.onData(chunk)));
    socket.on('end', () => this.onEnd());
    // A reset client (ECONNRESET) is this connection's end, not the server's failure.
    socket.on('error', (_err: NetError) => this.shutdown());
    socket.on('close', () => this.shutdown());
    // The first request's head is timed from the connection (Node's headersTimeout).
    this.armHeadersTimer();
  }

  closeIfIdle(): void {
    if (this.state === 'idle' && !this.decoder.inMessage) this.closeSocket();
  }

  private onData(chunk: Uint8Array): void {
    if (this.state === 'closed') return;
    this.decoder.push(chunk);
    this.process();
  }

  /** Reads the next request from what has arrived, if the connection is free for one. */
  private process(): void {
    if (this.state !== 'idle') return;
    if (this.decoder.bufferedBytes > 0 || this.decoder.inMessage) {
      this.cancelIdleTimer();
      if (!this.headersTimer && !this.decoder.inBody) this.armHeadersTimer();
    }
    let message: DecodedMessage<RequestHead> | null;
    try {
      message = this.decoder.next();
    } catch (err) {
      this.answerAndClose(err instanceof HttpParseError && err.code === 'HPE_HEADER_OVERFLOW' ? 431 : 400, err);
      return;
    }
    if (this.decoder.inBody || message) this.cancelHeadersTimer();
    if (message) this.handle(message);
    else if (this.peerEnded) this.closeSocket();
  }

  private handle(message: DecodedMessage<RequestHead>): void {
    const server = this.server;
    const ctx = server.ctx;
    const head = message.head;
    this.state = 'handling';
    this.socket.pause(); // no pipelining: the next request waits in the kernel buffer
    this.requests++;
    if (head.version === '1.1' && head.headers['host'] === undefined) {
      // RFC 9112 §3.2 (Node's requireHostHeader, on by default).
      this.answerAndClose(400, new Error('missing Host header'));
      return;
    }
    const max = server.options.maxRequestsPerSocket;
    const keepAlive = wantsKeepAlive(head.version, head.headers) && !(max > 0 && this.requests >= max);
    const req: HttpRequest = {
      method: head.method,
      path: head.path,
      httpVersion: head.version,
      headers: head.headers,
      bodyBytes: message.bodyBytes,
      requestId: head.headers['x-request-id'],
      context: RequestContext.fromHeaders(ctx, head.headers, ctx.now),
      receivedAtUs: ctx.now,
      requestOnConnection: this.requests,
      socket: this.info,
    };
    const res = new ServerResponse(this, req, keepAlive);
    let result: void | Promise<void>;
    try {
      result = server.handler(req, res);
    } catch (err) {
      res.handlerFailed(err);
      auditAnswer(server.answers, ctx.now, req, res, this.writable !== null);
      return;
    }
    if (result && typeof (result as Promise<void>).then === 'function') {
      const task = result as Promise<void>;
      ctx.go(() => task.then(undefined, (err: unknown) => res.handlerFailed(err)).then(() => auditAnswer(server.answers, ctx.now, req, res, this.writable !== null)));
    }
  }

  /** @internal The response is on its way (or could not be written): take the next request or close. */
  responded(keepAlive: boolean): void {
    if (this.state !== 'handling') return;
    if (!keepAlive || this.peerEnded || this.server.isClosing) {
      this.closeSocket();
      return;
    }
    this.state = 'idle';
    // Node arms keepAliveTimeout when the response is finished; the next request's first byte disarms it.
    const ms = this.server.options.keepAliveTimeoutMs;
    if (ms > 0) this.idleTimer = this.server.ctx.timer(ms * 1000, () => this.keepAliveExpired());
    this.process(); // a pipelined request may be buffered already
    if (this.state === 'idle') this.socket.resume();
  }

  /** @internal */
  get writable(): Socket | null {
    return this.state === 'closed' || this.socket.destroyed || this.socket.writableEnded ? null : this.socket;
  }

  /** @internal */
  get id(): string | undefined {
    return this.info.connectionId;
  }

  private keepAliveExpired(): void {
    this.idleTimer = null;
    if (this.state !== 'idle' || this.decoder.inMessage || this.decoder.bufferedBytes > 0) return;
    this.server.ctx.trace('http.keepalive-timeout', { timeoutMs: this.server.options.keepAliveTimeoutMs, requests: this.requests }, { conn: this.id });
    this.closeSocket();
  }

  private onEnd(): void {
    this.peerEnded = true;
    if (this.state === 'idle' && !this.decoder.inMessage) this.closeSocket();
    else if (this.state === 'idle') this.process();
  }

  private armHeadersTimer(): void {
    const ms = this.server.options.headersTimeoutMs;
    if (ms > 0) this.headersTimer = this.server.ctx.timer(ms * 1000, () => this.headersExpired());
  }

  private headersExpired(): void {
    this.headersTimer = null;
    if (this.state !== 'idle' || this.decoder.inBody) return;
    this.answerAndClose(408, new Error(`no complete request head within ${this.server.options.headersTimeoutMs}ms`));
  }

  /** Node's clientError default: a canned answer, then the connection goes. */
  private answerAndClose(status: 400 | 408 | 431, err: unknown): void {
    const ctx = this.server.ctx;
    const code = (err as { code?: unknown }).code;
    ctx.trace('http.client-error', { status, error: typeof code === 'string' ? code : (err as Error).message }, { conn: this.id });
    this.state = 'closed';
    this.cancelTimers();
    if (!this.socket.destroyed && !this.socket.writableEnded) this.socket.write(CLOSING_ANSWERS[status]!);
    this.socket.end();
    // close(2) right away: if unread bytes remain, Linux resets the connection, as it does for Node.
    this.socket.destroy();
  }

  /** @internal The response was aborted (response-aborts): the framework destroys the socket, as Express does once headers are out. */
  aborted(): void {
    if (this.state === 'handling') this.closeSocket();
  }

  /** Closes gracefully: FIN after anything still queued (close(2); RST if unread data remains, as Linux does). */
  private closeSocket(): void {
    this.state = 'closed';
    this.cancelTimers();
    this.socket.destroy();
  }

  /** The socket closed (or was reset): a response still being made has nowhere to go; ServerResponse.end() notices. */
  private shutdown(): void {
    this.state = 'closed';
    this.cancelTimers();
    this.server.forget(this);
  }

  private cancelIdleTimer(): void {
    this.idleTimer?.cancel();
    this.idleTimer = null;
  }

  private cancelHeadersTimer(): void {
    this.headersTimer?.cancel();
    this.headersTimer = null;
  }

  private cancelTimers(): void {
    this.cancelIdleTimer();
    this.cancelHeadersTimer();
  }
}

/** How much of an aborted response's body goes out before the connection closes: half of it, at most this. */
const ABORTED_BODY_BYTES = 16 * 1024;

class ServerResponse implements HttpServerResponse {
  headersSent = false;

  constructor(
    private readonly conn: ServerConnection,
    private readonly req: HttpRequest,
    private keepAlive: boolean,
  ) {}

  end(init: HttpResponseInit = {}): void {
    if (this.headersSent) return;
    const status = init.status ?? 200;
    if (!Number.isInteger(status) || status < 100 || status > 999) {
      throw Object.assign(new RangeError(`Invalid status code: ${String(status)}`), { code: 'ERR_HTTP_INVALID_STATUS_CODE' });
    }
    const bodyBytes = init.bodyBytes ?? 0;
    if (!Number.isSafeInteger(bodyBytes) || bodyBytes < 0) {
      throw Object.assign(new RangeError(`bodyBytes: expected a non-negative integer, got ${String(bodyBytes)}`), { code: 'ERR_OUT_OF_RANGE' });
    }
    const extra = Object.entries(init.headers ?? {});
    const own = new Set(extra.map(([name]) => name.toLowerCase()));
    if (extra.some(([name, value]) => name.toLowerCase() === 'connection' && /(^|,)\s*close\s*(,|$)/i.test(value))) this.keepAlive = false;
    const head: [string, string][] = [...extra];
    if (!own.has('content-length')) head.push(['Content-Length', String(bodyBytes)]);
    if (!own.has('connection')) head.push(['Connection', this.keepAlive ? 'keep-alive' : 'close']);
    const keepAliveMs = this.conn.server.options.keepAliveTimeoutMs;
    if (this.keepAlive && keepAliveMs > 0 && !own.has('keep-alive')) head.push(['Keep-Alive', `timeout=${Math.floor(keepAliveMs / 1000)}`]);
    const encoded = encodeResponseHead(status, head); // may throw ERR_INVALID_CHAR: the handler's error
    this.headersSent = true;
    const socket = this.conn.writable;
    const body = this.req.method === 'HEAD' || status === 204 || status === 304 || status < 200 ? 0 : bodyBytes;
    if (!socket) {
      this.record(status, body, 'client closed the connection');
      this.conn.responded(false);
      return;
    }
    if (this.conn.server.aborts?.hits()) {
      // The body stream failed midway: what went out stays, the rest never comes (Content-Length says more).
      const cut = Math.min(body >> 1, ABORTED_BODY_BYTES);
      const partial = new Uint8Array(encoded.byteLength + cut);
      partial.set(encoded);
      socket.write(partial);
      this.record(status, cut, 'aborted');
      this.conn.aborted();
      return;
    }
    writeMessage(socket, encoded, body, () => {
      this.record(status, body);
      this.conn.responded(this.keepAlive);
    });
  }

  /** @internal The handler threw or rejected: 500, unless it had answered already. */
  handlerFailed(err: unknown): void {
    const conn = this.conn;
    conn.server.ctx.trace('http.handler-error', { error: err instanceof Error ? err.message : String(err), path: this.req.path }, { conn: conn.id, req: this.req.requestId });
    if (this.headersSent) return;
    this.end({ status: 500 });
  }

  private record(status: number, bodyBytes: number, error?: string): void {
    const ctx = this.conn.server.ctx;
    const req = this.req;
    ctx.trace(
      'http.request',
      { side: 'server', method: req.method, path: req.path, status, bodyBytes, durationUs: ctx.now - req.receivedAtUs, requestId: req.requestId, error },
      { conn: this.conn.id, req: req.requestId },
      HTTP_REQUEST_FIELDS,
    );
  }
}
