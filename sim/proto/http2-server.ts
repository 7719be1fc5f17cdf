/**
 * An HTTP/2 server over the simulated TCP, serving the same handler type as the HTTP/1.1 server (so a gateway
 * can speak either protocol with one handler): each stream is a request handed to the handler once it has
 * arrived whole, answered with HEADERS and DATA frames under flow control. A stream past
 * maxConcurrentStreams is refused with RST_STREAM REFUSED_STREAM; close() sends GOAWAY and lets open
 * streams finish; a session idle for idleTimeoutMs gets GOAWAY and is closed. A handler that throws is
 * answered with 500, as the HTTP/1.1 server does.
 */
import { HTTP_REQUEST_FIELDS } from './http-record.js';
import { openAudit, type Audit } from '../core/audits.js';
import { RequestContext } from '../requests/context.js';
import type { ActorContext } from '../core/context.js';
import { SimError } from '../core/errors.js';
import { TcpListener } from './tcp-listener.js';
import { ResponseAborts } from './http-faults.js';
import type { Socket } from '../net/tcp/socket.js';
import { auditAnswer, type HttpHandler, type HttpRequest, type HttpResponseInit, type HttpServerResponse, type HttpSocketInfo } from './http1-server.js';
import { CONNECTION_SPECIFIC, UNLIMITED_STREAMS } from './http2-frames.js';
import { Http2Session, newHttp2Stats, resolveHttp2Settings, type Http2LocalSettings, type Http2Stats, type SessionStream } from './http2-session.js';
import { resolveTlsOptions, type TlsOptions } from './tls.js';
import { definedFields } from '../core/json-path.js';

type ActorTimer = ReturnType<ActorContext['timer']>;

export interface Http2ServerOptions {
  /**
   * SETTINGS_MAX_CONCURRENT_STREAMS. Node's default is 4294967295: no limit, RFC 9113's initial value
   * (nginx's http2_max_concurrent_streams is 128; undici's and Node's clients assume 100 until told).
   */
  maxConcurrentStreams: number;
  /**
   * A session with no open stream for this long gets GOAWAY (NO_ERROR) and is closed; 0 never. Node's
   * http2 server has no timeout by default (server.timeout 0); nginx closes idle HTTP/2 connections after
   * keepalive_timeout, 75 s.
   */
  idleTimeoutMs: number;
  /** SETTINGS_INITIAL_WINDOW_SIZE for request bodies (65,535). */
  initialWindowSize: number;
  /** SETTINGS_MAX_FRAME_SIZE (16,384). */
  maxFrameSize: number;
}

/** Node 20's http2 server defaults. */
export const nodeHttp2ServerDefaults: Readonly<Http2ServerOptions> = Object.freeze({
  maxConcurrentStreams: UNLIMITED_STREAMS,
  idleTimeoutMs: 0,
  initialWindowSize: 65_535,
  maxFrameSize: 16_384,
});

/** Node's defaults under `partial`, checked; a bad field gets one line naming it. */
export function resolveHttp2ServerOptions(partial: Partial<Http2ServerOptions> = {}, what = 'http2Server'): Http2ServerOptions {
  const { maxConcurrentStreams, idleTimeoutMs, initialWindowSize, maxFrameSize, ...rest } = partial;
  const unknown = Object.keys(rest)[0];
  if (unknown !== undefined) throw new SimError('ERR_HTTP2_OPTION', `${what}.${unknown}: not an HTTP/2 server option (options: ${Object.keys(nodeHttp2ServerDefaults).join(', ')})`);
  const o = { ...nodeHttp2ServerDefaults, ...resolveHttp2Settings(definedFields({ initialWindowSize, maxFrameSize }), what) };
  if (maxConcurrentStreams !== undefined) {
    if (!Number.isSafeInteger(maxConcurrentStreams) || maxConcurrentStreams < 0 || maxConcurrentStreams > UNLIMITED_STREAMS) {
      throw new SimError('ERR_HTTP2_OPTION', `${what}.maxConcurrentStreams: expected an integer from 0 to 4294967295, got ${JSON.stringify(maxConcurrentStreams)}`);
    }
    o.maxConcurrentStreams = maxConcurrentStreams;
  }
  if (idleTimeoutMs !== undefined) {
    if (!Number.isSafeInteger(idleTimeoutMs) || idleTimeoutMs < 0) throw new SimError('ERR_HTTP2_OPTION', `${what}.idleTimeoutMs: expected a non-negative integer, got ${JSON.stringify(idleTimeoutMs)}`);
    o.idleTimeoutMs = idleTimeoutMs;
  }
  return o;
}

export class Http2Server extends TcpListener<ServerSession> {
  readonly options: Http2ServerOptions;
  readonly tls: TlsOptions | null;
  /** Frames by type and connections accepted. */
  readonly stats: Http2Stats = newHttp2Stats();

  /** @internal */
  constructor(
    ctx: ActorContext,
    options: Partial<Http2ServerOptions> & { tls?: Partial<TlsOptions> | true },
    readonly handler: HttpHandler,
  ) {
    super(ctx);
    const { tls, ...h2 } = options;
    this.options = resolveHttp2ServerOptions(h2);
    this.tls = tls === undefined ? null : resolveTlsOptions(tls, 'http2Server.tls');
  }

  /** @internal Whether each request whose handler finished on a live stream had its answer (see auditAnswer). */
  answers: Audit | null = null;
  /** @internal The response-aborts fault's draws (made when the server listens). */
  aborts: ResponseAborts | null = null;

  /** Listens on `port` with `backlog` (default 511, as Node); a port in use fails the actor (EADDRINUSE). */
  listen(port: number, backlog?: number): this {
    this.answers ??= openAudit(this.ctx, `http2 server ${this.ctx.host}:${port}`, 'http-answers');
    this.aborts ??= new ResponseAborts(this.ctx);
    return this.listenOn(port, backlog, {}, (socket) => new ServerSession(this, socket));
  }

  /** Every session gets GOAWAY and closes once its open streams are answered. */
  protected closeOnShutdown(s: ServerSession): void {
    s.goAway();
  }
}

/** `createHttp2Server(ctx, { maxConcurrentStreams: 128 }, handler).listen(443)`: the handler is an HTTP/1.1 server's. */
export function createHttp2Server(ctx: ActorContext, options: Partial<Http2ServerOptions> & { tls?: Partial<TlsOptions> | true }, handler: HttpHandler): Http2Server {
  return new Http2Server(ctx, options, handler);
}

/** A request as it arrives on a stream. */
interface IncomingStream {
  stream: SessionStream;
  method: string;
  path: string;
  headers: Record<string, string>;
  bodyBytes: number;
}

class ServerSession {
  /** Set as soon as the session is ready: frames already waiting on an accepted socket are read before its constructor returns. */
  private session!: Http2Session;
  private readonly open = new Map<number, IncomingStream>();
  private requests = 0;
  private idleTimer: ActorTimer = null;
  private readonly info: HttpSocketInfo;

  constructor(
    readonly server: Http2Server,
    socket: Socket,
  ) {
    const o = server.options;
    const local: Http2LocalSettings = { initialWindowSize: o.initialWindowSize, maxFrameSize: o.maxFrameSize, maxConcurrentStreams: o.maxConcurrentStreams };
    this.info = { remoteAddress: socket.remoteAddress, remotePort: socket.remotePort, localAddress: socket.localAddress, localPort: socket.localPort, connectionId: socket.connectionId };
    // The server opens no streams, so the client's own limit never binds it.
    this.session = new Http2Session(server.ctx, socket, 'server', local, server.stats, server.tls, Number.MAX_SAFE_INTEGER, {
      ready: (session) => {
        this.session = session;
        this.armIdleTimer();
      },
      settings: () => {},
      headers: (id, headers, endStream) => this.onHeaders(id, headers, endStream),
      data: (id, bytes, endStream) => {
        const req = this.open.get(id);
        if (!req) return;
        req.bodyBytes += bytes;
        if (endStream) this.handle(id, req);
      },
      reset: (id) => {
        this.open.delete(id);
        this.closeIfDrained();
      },
      goaway: () => this.closeIfDrained(),
      closed: () => {
        this.idleTimer?.cancel();
        this.open.clear();
        server.forget(this);
      },
    });
  }

  get id(): string | undefined {
    return this.info.connectionId;
  }

  /** GOAWAY now; close once the open streams are answered. */
  goAway(): void {
    this.session.goaway('NO_ERROR');
    this.closeIfDrained();
  }

  private onHeaders(id: number, headers: [string, string][], endStream: boolean): void {
    const known = this.open.get(id);
    if (known) {
      if (endStream) this.handle(id, known); // trailers end the request
      return;
    }
    const s = this.session;
    // A stream the client opened after this side's GOAWAY was never going to be processed (RFC 9113 §6.8).
    if (s.goawaySent || id % 2 === 0) return;
    if (this.open.size >= this.server.options.maxConcurrentStreams) {
      this.server.ctx.trace('http2.refused-stream', { stream: id, open: this.open.size, maxConcurrentStreams: this.server.options.maxConcurrentStreams }, { conn: this.id });
      s.resetStream(id, 'REFUSED_STREAM');
      return;
    }
    const pseudo = new Map<string, string>();
    const regular: Record<string, string> = {};
    for (const [name, value] of headers) {
      if (name.startsWith(':')) pseudo.set(name, value);
      else regular[name] = regular[name] === undefined ? value : `${regular[name]}, ${value}`;
    }
    const method = pseudo.get(':method');
    const path = pseudo.get(':path');
    if (!method || !path) {
      s.resetStream(id, 'PROTOCOL_ERROR');
      return;
    }
    // Handlers written for HTTP/1.1 read the Host header; :authority is HTTP/2's (RFC 9113 §8.3.1).
    const authority = pseudo.get(':authority');
    if (authority !== undefined && regular['host'] === undefined) regular['host'] = authority;
    this.idleTimer?.cancel();
    this.idleTimer = null;
    const req: IncomingStream = { stream: s.openStream(id), method, path, headers: regular, bodyBytes: 0 };
    this.open.set(id, req);
    this.server.ctx.trace('http2.stream-open', { side: 'server', stream: id, method, path, requestId: regular['x-request-id'] }, { conn: this.id, req: regular['x-request-id'] });
    if (endStream) this.handle(id, req);
  }

  private handle(id: number, incoming: IncomingStream): void {
    const ctx = this.server.ctx;
    this.requests++;
    const req: HttpRequest = {
      method: incoming.method,
      path: incoming.path,
      httpVersion: '2.0', // Node's req.httpVersion for HTTP/2
      headers: incoming.headers,
      bodyBytes: incoming.bodyBytes,
      requestId: incoming.headers['x-request-id'],
      context: RequestContext.fromHeaders(ctx, incoming.headers, ctx.now),
      receivedAtUs: ctx.now,
      requestOnConnection: this.requests,
      socket: this.info,
    };
    const res = new StreamResponse(this, id, incoming.stream, req);
    // A handler that throws, at once or later, fails its request (500), never the server's actor.
    ctx.go(async () => {
      try {
        await this.server.handler(req, res);
      } catch (err) {
        res.handlerFailed(err);
      }
      auditAnswer(this.server.answers, ctx.now, req, res, this.writable(id));
    });
  }

  /** @internal The stream can take a response: it was neither reset nor lost with the connection. */
  writable(id: number): boolean {
    return this.open.has(id) && !this.session.isClosed;
  }

  /** @internal */
  respond(stream: SessionStream, headers: [string, string][], bodyBytes: number, done: () => void): void {
    this.session.writeHeaders(stream, headers, bodyBytes === 0);
    if (bodyBytes > 0) this.session.writeData(stream, bodyBytes, true, done);
    else done();
  }

  /** @internal The head goes out, then RST_STREAM INTERNAL_ERROR: the response was aborted (response-aborts). */
  abort(stream: SessionStream, id: number, headers: [string, string][]): void {
    this.session.writeHeaders(stream, headers, false);
    this.session.resetStream(id, 'INTERNAL_ERROR');
    this.finished(id);
  }

  /** @internal The response's last byte went to the socket: the stream no longer counts. */
  finished(id: number): void {
    this.open.delete(id);
    this.session.forget(id);
    this.closeIfDrained();
    if (this.open.size === 0 && !this.session.isClosed) this.armIdleTimer();
  }

  private armIdleTimer(): void {
    const ms = this.server.options.idleTimeoutMs;
    if (ms === 0 || this.idleTimer) return;
    this.idleTimer = this.server.ctx.timer(ms * 1000, () => {
      this.idleTimer = null;
      if (this.open.size > 0 || this.session.isClosed) return;
      this.server.ctx.trace('http2.idle-timeout', { timeoutMs: ms, requests: this.requests }, { conn: this.id });
      this.goAway();
    });
  }

  private closeIfDrained(): void {
    const s = this.session;
    if (this.open.size === 0 && !s.isClosed && (s.goawaySent || s.goawayReceived)) s.close();
  }
}

class StreamResponse implements HttpServerResponse {
  headersSent = false;

  constructor(
    private readonly owner: ServerSession,
    private readonly id: number,
    private readonly stream: SessionStream,
    private readonly req: HttpRequest,
  ) {}

  end(init: HttpResponseInit = {}): void {
    if (this.headersSent) return;
    const status = init.status ?? 200;
    if (!Number.isInteger(status) || status < 100 || status > 999) {
      throw Object.assign(new RangeError(`Invalid status code: ${String(status)}`), { code: 'ERR_HTTP2_STATUS_INVALID' });
    }
    const bodyBytes = init.bodyBytes ?? 0;
    if (!Number.isSafeInteger(bodyBytes) || bodyBytes < 0) {
      throw Object.assign(new RangeError(`bodyBytes: expected a non-negative integer, got ${String(bodyBytes)}`), { code: 'ERR_OUT_OF_RANGE' });
    }
    this.headersSent = true;
    const body = this.req.method === 'HEAD' || status === 204 || status === 304 ? 0 : bodyBytes;
    const headers: [string, string][] = [[':status', String(status)]];
    // Connection management is HTTP/1.1's: a handler's 'connection: close' means nothing here (RFC 9113 §8.2.2).
    for (const [name, value] of Object.entries(init.headers ?? {})) if (!CONNECTION_SPECIFIC.has(name.toLowerCase())) headers.push([name.toLowerCase(), value]);
    if (!headers.some(([n]) => n === 'content-length')) headers.push(['content-length', String(bodyBytes)]);
    if (!this.owner.writable(this.id)) {
      this.record(status, body, 'stream closed before the response');
      return;
    }
    if (this.owner.server.aborts?.hits()) {
      // The body stream failed midway: Node's Http2Stream.destroy(err) resets the stream with INTERNAL_ERROR.
      this.record(status, 0, 'aborted');
      this.owner.abort(this.stream, this.id, headers);
      return;
    }
    this.owner.respond(this.stream, headers, body, () => {
      this.record(status, body);
      this.owner.finished(this.id);
    });
  }

  /** @internal The handler threw or rejected: 500, unless it had answered already. */
  handlerFailed(err: unknown): void {
    const ctx = this.owner.server.ctx;
    ctx.trace('http.handler-error', { error: err instanceof Error ? err.message : String(err), path: this.req.path }, { conn: this.owner.id, req: this.req.requestId });
    if (!this.headersSent) this.end({ status: 500 });
  }

  private record(status: number, bodyBytes: number, error?: string): void {
    const ctx = this.owner.server.ctx;
    const req = this.req;
    ctx.trace(
      'http.request',
      { side: 'server', protocol: 'h2', stream: this.id, method: req.method, path: req.path, status, bodyBytes, durationUs: ctx.now - req.receivedAtUs, requestId: req.requestId, error },
      { conn: this.owner.id, req: req.requestId },
      HTTP_REQUEST_FIELDS,
    );
  }
}
