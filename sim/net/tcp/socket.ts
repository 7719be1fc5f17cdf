/**
 * The application's TCP socket, shaped like Node's net.Socket: write / end / destroy, 'connect' 'data' 'end'
 * 'close' 'error' 'drain' 'timeout' events, setTimeout, setEncoding, setKeepAlive, setNoDelay, and for async
 * code read() / read(n), connected() and async iteration.
 *
 * Where it differs from Node (on purpose): data stays in the kernel's receive buffer until the application
 * takes it (a 'data' listener takes it as it arrives; read() when called), so a reader that stops reading
 * closes the TCP window; read() is asynchronous (it waits for data instead of returning null); an error that
 * arrives while nobody listens for 'error' or reads is kept for the next read() or write() instead of
 * crashing the process; user-space buffering is bounded (ENOBUFS).
 */
import type { Actor } from '../../core/actor.js';
import type { Timer } from '../../core/scheduler.js';
import { Emitter } from '../emitter.js';
import { NetError } from '../errors.js';
import { isSocketEncoding, StreamDecoder, type SocketEncoding } from '../string-decoder.js';
import type { Connection, ConnectionUser, TcpInfo } from './connection.js';

/** A socket's events; `C` is what 'data' carries: bytes, or text after setEncoding(). */
export interface SocketEvents<C extends Uint8Array | string = Uint8Array> {
  [event: string]: (...args: any[]) => void;
  connect: () => void;
  data: (chunk: C) => void;
  end: () => void;
  close: (hadError: boolean) => void;
  error: (err: NetError) => void;
  drain: () => void;
  /** setTimeout()'s idle time passed with nothing read or written (the socket stays open, as in Node). Virtual time: the simulated clock, no real timer. */
  timeout: () => void;
}

export interface SocketOptions {
  /** Keep the writable side open after the peer's FIN (Node's allowHalfOpen; default false: end() follows). */
  allowHalfOpen?: boolean;
  /** SO_KEEPALIVE, with Linux's 7200 / 75 / 9 unless the host's TCP options say otherwise. */
  keepAlive?: boolean;
  /** TCP_NODELAY (Node's noDelay; default false: Nagle on, as for Node's net sockets). */
  noDelay?: boolean;
}

const encoder = new TextEncoder();

export class Socket<C extends Uint8Array | string = Uint8Array> extends Emitter<SocketEvents<C>> implements ConnectionUser {
  connecting: boolean;
  destroyed = false;
  /** end() was called: no more writes. */
  writableEnded = false;
  /** The peer's FIN was read ('end' emitted or read() returned null). */
  readableEnded = false;
  readonly allowHalfOpen: boolean;
  private flowingPaused = false;
  private pendingError: NetError | null = null;
  private errorReported = false;
  private needDrain = false;
  private readWaiter: { resolve: (c: C | null) => void; reject: (e: unknown) => void; size: number } | null = null;
  private connectWaiters: { resolve: (s: Socket<C>) => void; reject: (e: unknown) => void }[] = [];
  private closeEmitted = false;
  private decoder: StreamDecoder | null = null;
  /** setTimeout's idle time, µs (0: off); the timer re-reads lastActiveUs when it fires. Virtual time: the simulated clock, no real timer. */
  private idleTimeoutUs = 0;
  private lastActiveUs = 0;
  private idleTimer: Timer<IdleTimed> | null = null;
  private bytesTaken = 0;
  private bytesAccepted = 0;

  /** @internal */
  constructor(
    owner: Actor,
    /** The kernel connection, or null when connect() failed before one existed. */
    private conn: Connection | null,
    options: SocketOptions,
    established: boolean,
  ) {
    super(owner);
    this.allowHalfOpen = options.allowHalfOpen ?? false;
    this.connecting = !established;
    owner.hold();
    if (conn) {
      conn.user = this;
      if (options.keepAlive !== undefined) conn.setKeepAlive(options.keepAlive);
      if (options.noDelay) conn.setNoDelay(true);
    }
  }

  get remoteAddress(): string | undefined {
    return this.conn?.remoteIp;
  }
  get remotePort(): number | undefined {
    return this.conn?.remotePort;
  }
  get localAddress(): string | undefined {
    return this.conn?.localIp;
  }
  get localPort(): number | undefined {
    return this.conn?.localPort;
  }
  /** The trace id of the connection ('client:32768>server:80'). */
  get connectionId(): string | undefined {
    return this.conn?.id;
  }
  /**
   * Bytes written and not yet taken by the kernel, as Node counts them (the user-space queue beyond the send
   * buffer: up to the send buffer's worth of written, unacknowledged data sits in the kernel). tcpInfo() has the rest.
   */
  get writableLength(): number {
    const conn = this.conn;
    return conn === null ? 0 : Math.max(0, conn.bufferedBytes - conn.sendBufferBytes);
  }
  /** Bytes the application has written (Node: sent, or queued to send). */
  get bytesWritten(): number {
    return this.bytesAccepted;
  }
  /** Bytes the application has taken ('data' events, read()); what waits in the receive buffer is readableLength. */
  get bytesRead(): number {
    return this.bytesTaken;
  }
  /** Received bytes waiting to be read (here in the kernel's receive buffer). */
  get readableLength(): number {
    return this.conn?.readableBytes ?? 0;
  }
  /** The encoding set by setEncoding(), or null for bytes. */
  get readableEncoding(): SocketEncoding | null {
    return this.decoder?.encoding ?? null;
  }
  /** RTT, RTO and congestion state, as Linux's TCP_INFO (`ss -ti`) shows them; undefined without a connection. */
  tcpInfo(): TcpInfo | undefined {
    return this.conn?.info();
  }

  /** The kernel's TCP state ('ESTABLISHED', 'TIME_WAIT', …). */
  get tcpState(): string {
    return this.conn?.state ?? 'CLOSED';
  }
  /** Node's readyState. */
  get readyState(): 'opening' | 'open' | 'readOnly' | 'writeOnly' | 'closed' {
    if (this.destroyed) return 'closed';
    if (this.connecting) return 'opening';
    if (this.writableEnded && this.readableEnded) return 'closed';
    if (this.writableEnded) return 'readOnly';
    if (this.readableEnded) return 'writeOnly';
    return 'open';
  }

  /**
   * Queues data. Returns false once the buffered, unacknowledged data reaches the send buffer size; 'drain'
   * follows when it falls below. Past the user-space bound the socket is destroyed with ENOBUFS.
   */
  write(data: Uint8Array | string): boolean {
    const bytes = typeof data === 'string' ? encoder.encode(data) : data;
    if (this.destroyed || !this.conn) {
      this.reportError(new NetError('ERR_STREAM_DESTROYED', 'write'));
      return false;
    }
    if (this.writableEnded) {
      this.reportError(new NetError('ERR_STREAM_WRITE_AFTER_END', 'write'));
      return false;
    }
    if (this.conn.error) {
      // Linux reports the reset once (ECONNRESET), then EPIPE for every later write.
      this.reportError(this.errorReported ? new NetError('EPIPE', 'write', this.conn.remoteIp, this.conn.remotePort) : this.conn.error);
      return false;
    }
    const o = this.conn.options;
    if (this.conn.bufferedBytes + bytes.byteLength > this.conn.sendBufferBytes + o.userBufferMaxBytes) {
      this.destroy(new NetError('ENOBUFS', 'write', this.conn.remoteIp, this.conn.remotePort));
      return false;
    }
    this.conn.write(bytes);
    this.bytesAccepted += bytes.byteLength;
    this.active();
    const ok = this.conn.bufferedBytes < this.conn.sendBufferBytes;
    if (!ok) this.needDrain = true;
    return ok;
  }

  /** Sends FIN after queued data (half-close). With data, writes it first. */
  end(data?: Uint8Array | string): this {
    if (data !== undefined) this.write(data);
    if (this.writableEnded || this.destroyed) return this;
    this.writableEnded = true;
    this.conn?.shutdown();
    this.maybeFinish();
    return this;
  }

  /**
   * Closes the socket now (close(2)): FIN after queued data, or RST if received data was never read.
   * With an error, emits it first.
   */
  destroy(err?: NetError): this {
    if (this.destroyed) return this;
    this.destroyed = true;
    this.stopIdleTimer();
    const conn = this.conn;
    if (conn && conn.state !== 'CLOSED') {
      if (conn.state === 'SYN_SENT') conn.abort();
      else conn.close();
    }
    this.settleWaiters(err ?? null);
    if (err) this.emitError(err);
    this.emitClose(err !== undefined);
    return this;
  }

  /** Closes with RST at once (Node's resetAndDestroy, SO_LINGER 0). */
  resetAndDestroy(): this {
    if (this.destroyed) return this;
    this.conn?.abort();
    return this.destroy();
  }

  setKeepAlive(enable = false, initialDelayMs = 0): this {
    this.conn?.setKeepAlive(enable, initialDelayMs > 0 ? initialDelayMs * 1000 : undefined);
    return this;
  }

  /** TCP_NODELAY: true (the default argument, as Node's) turns Nagle off and sends what it was holding. */
  setNoDelay(noDelay = true): this {
    this.conn?.setNoDelay(noDelay);
    return this;
  }

  /**
   * 'data' and read() give text in this encoding from now on (Node's setEncoding, through a decoder that
   * keeps a character split between segments whole). Throws for an encoding it does not know, as Node does.
   */
  setEncoding(encoding: SocketEncoding = 'utf8'): Socket<string> {
    if (!isSocketEncoding(encoding)) throw new TypeError(`Unknown encoding: ${String(encoding)}`);
    this.decoder = new StreamDecoder(encoding);
    return this as unknown as Socket<string>;
  }

  /**
   * Emits 'timeout' once the socket has been idle (nothing read or written) for `ms`; 0 turns it off. As in
   * Node the socket stays open: the listener decides (usually destroy()). Activity after a 'timeout' starts
   * the count again.
   */
  setTimeout(ms: number, onTimeout?: () => void): this { // virtual time: Node's socket idle timeout, on the simulated clock (no real timer)
    if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0) throw new RangeError(`The value of "msecs" is out of range. It must be a non-negative finite number. Received ${String(ms)}`);
    if (onTimeout) this.once('timeout', onTimeout);
    this.idleTimeoutUs = Math.round(ms * 1000);
    this.stopIdleTimer();
    if (this.idleTimeoutUs > 0 && !this.destroyed) this.active();
    return this;
  }

  /** The idle timeout set by setTimeout (ms; 0: none). Virtual time: the simulated clock, no real timer. */
  get timeout(): number {
    return this.idleTimeoutUs / 1000;
  }

  /** Stops 'data' events; data waits in the receive buffer and the window closes as it fills. */
  pause(): this {
    this.flowingPaused = true;
    return this;
  }

  resume(): this {
    this.flowingPaused = false;
    this.owner.dispatch(() => this.flow());
    return this;
  }

  override on<K extends keyof SocketEvents<C>>(event: K, fn: SocketEvents<C>[K]): this {
    super.on(event, fn);
    if (event === 'data') this.owner.dispatch(() => this.flow());
    return this;
  }

  /** Resolves once connected; rejects with the connect error (ECONNREFUSED, ETIMEDOUT, …). */
  connected(): Promise<this> {
    if (this.destroyed && this.pendingError && (!this.conn || this.conn.state === 'CLOSED')) return Promise.reject(this.pendingError);
    if (!this.connecting) return Promise.resolve(this);
    return this.owner.suspend<this>(`connect to ${this.describe()}`, (resolve, reject) => {
      this.connectWaiters.push({ resolve: resolve as unknown as (s: Socket<C>) => void, reject });
    });
  }

  /**
   * The next chunk of data, or null at the end of the stream; with `size`, the next `size` bytes (fewer only
   * at the end of the stream). Unlike Node's read(n), it waits for them instead of returning null, and `size`
   * is at most the receive buffer (more could never arrive unread). Rejects with the connection's error.
   */
  read(size?: number): Promise<C | null> {
    if (this.readWaiter) return Promise.reject(new Error('read() while another read() is pending'));
    const limit = this.conn?.options.receiveBufferBytes ?? Infinity;
    if (size !== undefined && (!Number.isSafeInteger(size) || size <= 0 || size > limit)) {
      return Promise.reject(new RangeError(`read(size): size must be a whole number of bytes from 1 to the receive buffer (${limit}), got ${String(size)}`));
    }
    const want = size ?? 0;
    const ready = this.takeForRead(want);
    if (ready !== undefined) return 'error' in ready ? Promise.reject(ready.error) : Promise.resolve(ready.chunk);
    return this.owner.suspend<C | null>(`a read on ${this.describe()}`, (resolve, reject) => {
      this.readWaiter = { resolve, reject, size: want };
    });
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<C, void, void> {
    for (;;) {
      const chunk = await this.read();
      if (chunk === null) return;
      yield chunk;
    }
  }

  // ---- ConnectionUser: the connection calls these ----

  /** @internal */
  established(): void {
    this.owner.dispatch(() => this.flow());
  }

  /** @internal */
  readable(): void {
    this.owner.dispatch(() => this.flow());
  }

  /** @internal */
  writable(): void {
    if (!this.needDrain || !this.conn || this.conn.bufferedBytes >= this.conn.sendBufferBytes) return;
    this.needDrain = false;
    this.emit('drain');
  }

  /** @internal */
  failed(err: NetError): void {
    this.owner.dispatch(() => {
      if (this.destroyed) return;
      this.pendingError = err;
      this.connecting = false;
      const hadWaiter = this.settleWaiters(err);
      if (this.listenerCount('error') > 0 || hadWaiter || this.listenerCount('data') > 0) {
        this.errorReported = true;
        this.emitError(err);
        this.destroyed = true;
        this.emitClose(true);
      }
    });
  }

  // ---- Internals ----

  private describe(): string {
    return this.conn ? this.conn.id : 'an unconnected socket';
  }

  /**
   * What a read() would get now: data (`size` bytes when size > 0), the end (null), an error, or undefined when
   * it has to wait.
   */
  private takeForRead(size: number): { chunk: C | null } | { error: NetError } | undefined {
    const conn = this.conn;
    if (this.pendingError && !this.errorReported) {
      this.errorReported = true;
      return { error: this.pendingError };
    }
    if (!conn) return { chunk: null };
    if (size > 0 && conn.readableBytes < size && !(conn.inputEnded || conn.state === 'CLOSED' || this.destroyed)) return undefined;
    const chunk = this.take(conn, size);
    if (chunk !== null) return { chunk };
    if (conn.readEnded || conn.state === 'CLOSED' || this.destroyed) {
      if (conn.error && !this.errorReported) {
        this.errorReported = true;
        return { error: conn.error };
      }
      const rest = this.decoder?.end();
      if (rest) return { chunk: rest as C };
      this.markReadEnd();
      return { chunk: null };
    }
    return undefined;
  }

  /** Hands received data to a waiting read() or to 'data' listeners; notices the end of the stream. */
  private flow(): void {
    const conn = this.conn;
    if (!conn || this.destroyed) return;
    if (this.connecting && conn.state !== 'SYN_SENT' && conn.state !== 'CLOSED') this.onConnected();
    const waiter = this.readWaiter;
    if (waiter) {
      this.readWaiter = null;
      const ready = this.takeForRead(waiter.size);
      if (ready === undefined) this.readWaiter = waiter;
      // Settled here, synchronously, so the reader resumes at this virtual time.
      else if ('error' in ready) waiter.reject(ready.error);
      else waiter.resolve(ready.chunk);
      return;
    }
    if (this.listenerCount('data') === 0 || this.flowingPaused) {
      // Nobody reads, but nothing is left to read and our side has ended too: the socket is finished.
      if (conn.readEnded && this.writableEnded && !this.readableEnded) this.markReadEnd();
      return;
    }
    for (let chunk = this.take(conn, 0); chunk !== null; chunk = this.flowingPaused || this.destroyed ? null : this.take(conn, 0)) this.emit('data', chunk);
    if (conn.readEnded && !this.readableEnded) {
      const rest = this.decoder?.end();
      if (rest) this.emit('data', rest as C);
      this.markReadEnd();
    }
  }

  /**
   * Takes received data for the application (`size` bytes when size > 0, else the next chunk), as text once
   * setEncoding() was called; the stream check (when on) sees exactly the bytes it gets.
   */
  private take(conn: Connection, size: number): C | null {
    for (;;) {
      const bytes = conn.read(size > 0 ? size : Infinity);
      if (bytes === null) return null;
      if (conn.streamCheck !== null) conn.streamCheck.receiving.delivered(bytes);
      this.bytesTaken += bytes.byteLength;
      this.active();
      if (this.decoder === null) return bytes as C;
      const text = this.decoder.write(bytes);
      // A character cut by the segment boundary waits for its rest, as Node emits no empty string.
      if (text.length > 0) return text as C;
    }
  }

  /** Something was read or written: the idle timeout counts from now. */
  private active(): void {
    if (this.idleTimeoutUs === 0) return;
    this.lastActiveUs = this.owner.sim.now;
    if (this.idleTimer === null) this.idleTimer = this.owner.sim.scheduler.at(this.lastActiveUs + this.idleTimeoutUs, onIdleTimer, this as IdleTimed);
  }

  /** @internal */
  idleTimerFired(): void {
    this.idleTimer = null;
    if (this.idleTimeoutUs === 0 || this.destroyed) return;
    const dueUs = this.lastActiveUs + this.idleTimeoutUs;
    if (this.owner.sim.now < dueUs) {
      this.idleTimer = this.owner.sim.scheduler.at(dueUs, onIdleTimer, this as IdleTimed);
      return;
    }
    // Not re-armed: the next activity starts the count again (Node's timer is refreshed only by activity).
    this.emit('timeout');
  }

  private stopIdleTimer(): void {
    this.idleTimer?.cancel();
    this.idleTimer = null;
  }

  private onConnected(): void {
    this.connecting = false;
    this.active();
    for (const w of this.connectWaiters.splice(0)) w.resolve(this);
    this.emit('connect');
  }

  private markReadEnd(): void {
    if (this.readableEnded) return;
    this.readableEnded = true;
    // A clean end (the peer's FIN, everything before it read) must come after all the peer wrote.
    if (this.conn?.readEnded && this.conn.streamCheck !== null) this.conn.streamCheck.receiving.ended();
    this.emit('end');
    if (!this.allowHalfOpen && !this.writableEnded) this.end();
    this.maybeFinish();
  }

  /** Both directions done: the socket closes (Node destroys it after 'end' and 'finish'). */
  private maybeFinish(): void {
    if (this.readableEnded && this.writableEnded && !this.destroyed) this.destroy();
  }

  private settleWaiters(err: NetError | null): boolean {
    let had = false;
    if (this.readWaiter) {
      had = true;
      const w = this.readWaiter;
      this.readWaiter = null;
      if (err) w.reject(err);
      else w.resolve(null);
    }
    for (const w of this.connectWaiters.splice(0)) {
      had = true;
      w.reject(err ?? new NetError('ERR_SOCKET_CLOSED', 'connect'));
    }
    if (had && err) this.errorReported = true;
    return had;
  }

  private reportError(err: NetError): void {
    this.errorReported = true;
    if (this.listenerCount('error') > 0) this.emitError(err);
    else this.owner.fail(new Error(`Unhandled 'error' event: ${err.message}`));
  }

  private emitError(err: NetError): void {
    this.emit('error', err);
  }

  private emitClose(hadError: boolean): void {
    if (this.closeEmitted) return;
    this.closeEmitted = true;
    this.stopIdleTimer();
    this.emit('close', hadError);
    this.owner.release();
  }

  /** @internal Used by the API when the connection could not even start (ENOTFOUND, EADDRNOTAVAIL). */
  failBeforeConnect(err: NetError): void {
    if (this.destroyed) return; // destroy() came first (a connect timeout): nothing more to report
    this.pendingError = err;
    this.owner.dispatch(() => {
      this.connecting = false;
      const hadWaiter = this.settleWaiters(err);
      if (!hadWaiter && this.listenerCount('error') > 0) this.emitError(err);
      this.errorReported = this.errorReported || hadWaiter || this.listenerCount('error') > 0;
      this.destroyed = true;
      this.emitClose(true);
    });
  }
}

interface IdleTimed {
  idleTimerFired(): void;
}

function onIdleTimer(s: IdleTimed): void {
  s.idleTimerFired();
}
