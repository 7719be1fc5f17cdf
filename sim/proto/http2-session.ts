/**
 * One endpoint of an HTTP/2 connection over a simulated TCP socket: what client and server share. It runs
 * TLS first when asked, sends the connection preface (client) and SETTINGS, reads frames, acknowledges
 * SETTINGS and PINGs, and keeps flow control (RFC 9113 §5.2, §6.9) both ways: DATA waits for window, sent
 * round-robin between streams one frame at a time (nghttp2 schedules streams of equal weight this way), and
 * received bytes are given back with WINDOW_UPDATE once half a window has been consumed, as nghttp2 does.
 * What streams mean (requests, responses, limits) is the client's and the server's business.
 */
import type { ActorContext } from '../core/context.js';
import { SimError } from '../core/errors.js';
import type { NetError } from '../net/errors.js';
import type { Socket } from '../net/tcp/socket.js';
import { TlsHandshake, type TlsOptions } from './tls.js';
import {
  CONNECTION_PREFACE,
  dataFrame,
  decodeHeaderBlock,
  DEFAULT_MAX_FRAME_BYTES,
  DEFAULT_WINDOW_BYTES,
  encodeHeaderBlock,
  errorCodeName,
  Flags,
  FrameDecoder,
  goawayFrame,
  H2ErrorCode,
  headersFrame,
  Http2FrameError,
  MAX_FRAME_BYTES_LIMIT,
  MAX_WINDOW_BYTES,
  parseSettings,
  payloadU32,
  pingFrame,
  rstStreamFrame,
  SettingId,
  settingsAckFrame,
  settingsFrame,
  windowUpdateFrame,
  type Frame,
  type H2ErrorName,
} from './http2-frames.js';

/** What one side advertises in its SETTINGS about what it receives. */
export interface Http2LocalSettings {
  /** SETTINGS_INITIAL_WINDOW_SIZE: bytes the peer may send on a stream before a WINDOW_UPDATE (RFC 9113 and Node: 65,535). */
  initialWindowSize: number;
  /** SETTINGS_MAX_FRAME_SIZE: the largest frame payload this side accepts (RFC 9113 and Node: 16,384). */
  maxFrameSize: number;
  /** SETTINGS_MAX_CONCURRENT_STREAMS: streams the peer may open at once; null: not sent (no limit). */
  maxConcurrentStreams: number | null;
}

/** RFC 9113's initial values, which Node keeps. */
export const http2SettingsDefaults: Readonly<Pick<Http2LocalSettings, 'initialWindowSize' | 'maxFrameSize'>> = Object.freeze({
  initialWindowSize: DEFAULT_WINDOW_BYTES,
  maxFrameSize: DEFAULT_MAX_FRAME_BYTES,
});

/** The window and frame-size settings under `partial`, checked against RFC 9113's bounds; a bad field gets one line naming it. */
export function resolveHttp2Settings(partial: Partial<Pick<Http2LocalSettings, 'initialWindowSize' | 'maxFrameSize'>>, what: string): Pick<Http2LocalSettings, 'initialWindowSize' | 'maxFrameSize'> {
  for (const key of Object.keys(partial)) {
    if (!(key in http2SettingsDefaults)) throw new SimError('ERR_HTTP2_OPTION', `${what}.${key}: not an HTTP/2 setting (settings: ${Object.keys(http2SettingsDefaults).join(', ')})`);
  }
  const o = { ...http2SettingsDefaults, ...partial };
  const w = o.initialWindowSize;
  if (!Number.isSafeInteger(w) || w < 1 || w > MAX_WINDOW_BYTES) throw new SimError('ERR_HTTP2_OPTION', `${what}.initialWindowSize: expected an integer from 1 to 2147483647, got ${JSON.stringify(w)}`);
  const f = o.maxFrameSize;
  if (!Number.isSafeInteger(f) || f < DEFAULT_MAX_FRAME_BYTES || f > MAX_FRAME_BYTES_LIMIT) throw new SimError('ERR_HTTP2_OPTION', `${what}.maxFrameSize: expected an integer from 16384 to 16777215, got ${JSON.stringify(f)}`);
  return o;
}

/** Frames sent and received by type, over every connection of a client or server. */
export interface Http2Stats {
  connections: number;
  framesSent: Record<string, number>;
  framesReceived: Record<string, number>;
}

export function newHttp2Stats(): Http2Stats {
  return { connections: 0, framesSent: {}, framesReceived: {} };
}

/** A stream's flow-control and sending state. */
export interface SessionStream {
  readonly id: number;
  /** Bytes this side may still send on it (the peer's stream window). */
  sendWindow: number;
  /** Body bytes waiting to go as DATA. */
  pendingBytes: number;
  /** END_STREAM goes with the last pending byte. */
  pendingEnd: boolean;
  /** In the round-robin send queue. */
  queued: boolean;
  /** Bytes this side may still receive on it. */
  recvWindow: number;
  /** Received bytes not yet given back with WINDOW_UPDATE. */
  recvUnacked: number;
  /** Runs once END_STREAM has been handed to the socket. */
  onEnd: (() => void) | null;
}

/** What the session tells its owner. */
export interface SessionEvents {
  /** Preface and SETTINGS are sent (after TLS): streams may open. */
  /** The preface and SETTINGS are out: it may come before the constructor has returned (a server's socket accepted with frames waiting), so it hands over the session. */
  ready(session: Http2Session): void;
  headers(streamId: number, headers: [string, string][], endStream: boolean): void;
  data(streamId: number, bytes: number, endStream: boolean): void;
  /** The peer reset a stream (RST_STREAM) with this error code. */
  reset(streamId: number, code: number): void;
  goaway(lastStreamId: number, code: number): void;
  /** The peer's SETTINGS arrived (MAX_CONCURRENT_STREAMS may have changed). */
  settings(): void;
  /** The connection is gone: with the socket's (or a protocol) error, or null when it ended cleanly. Once. */
  closed(err: Error | null): void;
}

/** A protocol error this side detected: it sent GOAWAY with `h2Code` and closed (Node's ERR_HTTP2_SESSION_ERROR). */
export class Http2SessionError extends Error {
  override name = 'Error';
  readonly code = 'ERR_HTTP2_SESSION_ERROR';
  constructor(
    readonly h2Code: string,
    message: string,
  ) {
    super(message);
  }
}

/** Bytes the socket may hold before DATA waits for 'drain' (as HTTP/1.1's writeMessage: 8 MiB). */
const EAGER_BYTES = 8 * 1024 * 1024;

export class Http2Session {
  readonly streams = new Map<number, SessionStream>();
  /** The peer's SETTINGS_MAX_CONCURRENT_STREAMS (until its SETTINGS arrive: the value the owner assumed). */
  peerMaxConcurrentStreams: number;
  /** The highest stream id the peer has opened (the last-stream-id of a GOAWAY this side sends). */
  lastPeerStreamId = 0;
  /** A GOAWAY came: no new streams. */
  goawayReceived = false;
  goawaySent = false;
  isReady = false;
  isClosed = false;
  private peerMaxFrameBytes = DEFAULT_MAX_FRAME_BYTES;
  private peerInitialWindow = DEFAULT_WINDOW_BYTES;
  private connSendWindow = DEFAULT_WINDOW_BYTES;
  private connRecvWindow = DEFAULT_WINDOW_BYTES;
  private connRecvUnacked = 0;
  /** Streams with DATA waiting, served round-robin. */
  private sendQueue: SessionStream[] = [];
  /** The socket holds EAGER_BYTES unsent: DATA waits for 'drain' (control frames still go). */
  private writeBlocked = false;
  /** Frames written at this moment, not yet handed to the socket. */
  private out: Uint8Array[] = [];
  private readonly decoder: FrameDecoder;
  private prefaceSeen: boolean;
  private tls: TlsHandshake | null = null;

  constructor(
    private readonly ctx: ActorContext,
    readonly socket: Socket,
    private readonly side: 'client' | 'server',
    private readonly local: Http2LocalSettings,
    private readonly stats: Http2Stats,
    tls: TlsOptions | null,
    /** The peer's limit assumed before its SETTINGS arrive (Node's peerMaxConcurrentStreams, 100). */
    assumedPeerMaxStreams: number,
    private readonly events: SessionEvents,
  ) {
    this.peerMaxConcurrentStreams = assumedPeerMaxStreams;
    this.decoder = new FrameDecoder(local.maxFrameSize);
    this.prefaceSeen = side === 'client';
    stats.connections++;
    const begin = (): void => {
      if (!tls) return this.start();
      this.tls = new TlsHandshake(ctx, socket, side, tls, (leftover) => {
        this.start();
        if (leftover) this.receive(leftover);
      });
    };
    if (socket.connecting) socket.on('connect', begin);
    else begin();
    socket.on('data', (chunk) => (this.tls && !this.tls.done ? this.tls.push(chunk) : this.receive(chunk)));
    socket.on('end', () => this.finish(null));
    socket.on('error', (err: NetError) => this.finish(err));
    socket.on('close', () => this.finish(null));
    socket.on('drain', () => {
      this.writeBlocked = false;
      this.pump();
    });
  }

  /** The TCP connection's trace id. */
  get id(): string | undefined {
    return this.socket.connectionId;
  }

  // ---- Sending ----

  /** A stream this side tracks (a new request, or a request the server accepted). */
  openStream(id: number): SessionStream {
    const s: SessionStream = { id, sendWindow: this.peerInitialWindow, pendingBytes: 0, pendingEnd: false, queued: false, recvWindow: this.local.initialWindowSize, recvUnacked: 0, onEnd: null };
    this.streams.set(id, s);
    return s;
  }

  writeHeaders(s: SessionStream, headers: [string, string][], endStream: boolean): void {
    this.write('HEADERS', headersFrame(s.id, encodeHeaderBlock(headers), endStream));
    if (endStream) s.onEnd?.();
  }

  /** Queues `bytes` of body on the stream, END_STREAM with the last of them; DATA goes as windows allow. */
  writeData(s: SessionStream, bytes: number, endStream: boolean, onEnd: (() => void) | null = null): void {
    s.pendingBytes += bytes;
    s.pendingEnd = endStream;
    s.onEnd = onEnd;
    this.enqueue(s);
    this.pump();
  }

  /** Sends RST_STREAM and forgets the stream. */
  resetStream(id: number, code: H2ErrorName): void {
    this.forget(id);
    this.trace('sent', 'http2.rst-stream', { stream: id, code });
    this.write('RST_STREAM', rstStreamFrame(id, H2ErrorCode[code]));
  }

  /** Forgets a stream that is done; data still queued for it is dropped. */
  forget(id: number): void {
    const s = this.streams.get(id);
    if (!s) return;
    this.streams.delete(id);
    s.pendingBytes = 0;
    s.pendingEnd = false;
  }

  /** Sends GOAWAY (last-stream-id: the highest the peer opened), once. */
  goaway(code: H2ErrorName): void {
    if (this.goawaySent || this.isClosed) return;
    this.goawaySent = true;
    this.trace('sent', 'http2.goaway', { lastStreamId: this.lastPeerStreamId, code });
    this.write('GOAWAY', goawayFrame(this.lastPeerStreamId, H2ErrorCode[code]));
  }

  /** Closes after what is queued: FIN once the socket has sent it. */
  close(): void {
    if (this.isClosed) return;
    this.flush();
    this.socket.end();
  }

  /** Closes now; open streams are the owner's to fail (closed() is called with `err`). */
  destroy(err: Error | null): void {
    this.finish(err);
  }

  private start(): void {
    if (this.isClosed) return;
    if (this.side === 'client') this.socket.write(CONNECTION_PREFACE);
    const l = this.local;
    const settings: [number, number][] = [];
    if (this.side === 'client') settings.push([SettingId.ENABLE_PUSH, 0]);
    if (l.maxConcurrentStreams !== null) settings.push([SettingId.MAX_CONCURRENT_STREAMS, l.maxConcurrentStreams]);
    settings.push([SettingId.INITIAL_WINDOW_SIZE, l.initialWindowSize], [SettingId.MAX_FRAME_SIZE, l.maxFrameSize]);
    this.write('SETTINGS', settingsFrame(settings));
    // The connection window starts at 65,535 whatever the streams' is (§6.9.2): raise it to match, as browsers do.
    const raise = l.initialWindowSize - DEFAULT_WINDOW_BYTES;
    if (raise > 0) {
      this.connRecvWindow += raise;
      this.write('WINDOW_UPDATE', windowUpdateFrame(0, raise));
    }
    this.isReady = true;
    this.events.ready(this);
  }

  /**
   * Queues a frame; the frames of one moment leave in one socket write, as nghttp2 serialises every frame it
   * has into one buffer per send. Without that a HEADERS frame would take a segment of its own (Nagle is not
   * modelled).
   */
  private write(type: string, bytes: Uint8Array): void {
    if (this.isClosed || this.socket.destroyed || this.socket.writableEnded) return;
    this.stats.framesSent[type] = (this.stats.framesSent[type] ?? 0) + 1;
    this.out.push(bytes);
    if (this.out.length === 1) this.ctx.timer(0, () => this.flush());
  }

  private flush(): void {
    const frames = this.out;
    this.out = [];
    if (frames.length === 0 || this.socket.destroyed || this.socket.writableEnded) return;
    let bytes = frames[0]!;
    if (frames.length > 1) {
      bytes = new Uint8Array(frames.reduce((n, f) => n + f.byteLength, 0));
      let at = 0;
      for (const f of frames) {
        bytes.set(f, at);
        at += f.byteLength;
      }
    }
    // Linux grows a busy socket's send buffer far past its initial 16 KiB (tcp_wmem's max is 4 MiB), so the
    // kernel takes what flow control lets out; only past EAGER_BYTES does DATA wait for 'drain'.
    if (!this.socket.write(bytes) && this.socket.writableLength >= EAGER_BYTES) this.writeBlocked = true;
  }

  private enqueue(s: SessionStream): void {
    if (s.queued || (s.pendingBytes === 0 && !s.pendingEnd)) return;
    s.queued = true;
    this.sendQueue.push(s);
  }

  /** Sends DATA while the socket takes it: one frame per stream per turn, within both windows. */
  private pump(): void {
    while (!this.writeBlocked && !this.isClosed && this.sendQueue.length > 0) {
      const s = this.sendQueue[0]!;
      // The connection window is shut: every stream waits for a WINDOW_UPDATE on stream 0.
      if (s.pendingBytes > 0 && this.connSendWindow <= 0) return;
      this.sendQueue.shift();
      s.queued = false;
      if (!this.streams.has(s.id)) continue; // reset meanwhile
      const n = Math.min(s.pendingBytes, this.peerMaxFrameBytes, Math.max(0, s.sendWindow), this.connSendWindow);
      if (s.pendingBytes > 0 && n === 0) continue; // its own window is shut: it waits for a WINDOW_UPDATE on it
      const end = s.pendingEnd && n === s.pendingBytes;
      s.pendingBytes -= n;
      s.sendWindow -= n;
      this.connSendWindow -= n;
      if (end) s.pendingEnd = false;
      this.write('DATA', dataFrame(s.id, n, end));
      if (end) s.onEnd?.();
      else this.enqueue(s);
    }
  }

  // ---- Receiving ----

  private receive(chunk: Uint8Array): void {
    if (this.isClosed) return;
    this.decoder.push(chunk);
    try {
      if (!this.prefaceSeen) {
        if (this.decoder.bufferedBytes < CONNECTION_PREFACE.byteLength) return;
        const got = this.decoder.take(CONNECTION_PREFACE.byteLength);
        if (!got.every((b, i) => b === CONNECTION_PREFACE[i])) throw new Http2FrameError('PROTOCOL_ERROR', 'the connection did not start with the HTTP/2 preface');
        this.prefaceSeen = true;
      }
      for (let f = this.decoder.next(); f && !this.isClosed; f = this.isClosed ? null : this.decoder.next()) this.onFrame(f);
    } catch (err) {
      if (!(err instanceof Http2FrameError)) throw err;
      this.goaway(err.h2Code);
      this.close();
      this.finish(new Http2SessionError(err.h2Code, err.message));
    }
  }

  private onFrame(f: Frame): void {
    this.stats.framesReceived[f.type] = (this.stats.framesReceived[f.type] ?? 0) + 1;
    const endStream = (f.flags & Flags.END_STREAM) !== 0;
    switch (f.type) {
      case 'DATA':
        return this.onData(f.streamId, f.length, endStream);
      case 'HEADERS':
        if (f.streamId > this.lastPeerStreamId && f.streamId % 2 === (this.side === 'server' ? 1 : 0)) this.lastPeerStreamId = f.streamId;
        return this.events.headers(f.streamId, decodeHeaderBlock(f.payload), endStream);
      case 'SETTINGS':
        if (f.flags & Flags.ACK) return;
        this.applySettings(parseSettings(f.payload));
        this.write('SETTINGS', settingsAckFrame());
        return this.events.settings();
      case 'WINDOW_UPDATE':
        return this.onWindowUpdate(f.streamId, payloadU32(f.payload, 0, true));
      case 'RST_STREAM': {
        const code = payloadU32(f.payload);
        this.forget(f.streamId);
        this.trace('received', 'http2.rst-stream', { stream: f.streamId, code: errorCodeName(code) });
        return this.events.reset(f.streamId, code);
      }
      case 'PING':
        if (!(f.flags & Flags.ACK)) this.write('PING', pingFrame(f.payload, true));
        return;
      case 'GOAWAY': {
        const lastStreamId = payloadU32(f.payload, 0, true);
        const code = payloadU32(f.payload, 4);
        this.goawayReceived = true;
        this.trace('received', 'http2.goaway', { lastStreamId, code: errorCodeName(code) });
        return this.events.goaway(lastStreamId, code);
      }
      default:
        return; // unknown frame types are ignored (§4.1)
    }
  }

  private onData(streamId: number, bytes: number, endStream: boolean): void {
    if (bytes > this.connRecvWindow) throw new Http2FrameError('FLOW_CONTROL_ERROR', `${bytes} bytes of DATA with ${this.connRecvWindow} left in the connection window`);
    this.connRecvWindow -= bytes;
    // Bodies are consumed as they arrive, so the window is given back as soon as half of it is used.
    this.connRecvUnacked += bytes;
    if (this.connRecvUnacked >= this.local.initialWindowSize / 2 || this.connRecvWindow < this.local.initialWindowSize / 2) {
      this.connRecvWindow += this.connRecvUnacked;
      this.write('WINDOW_UPDATE', windowUpdateFrame(0, this.connRecvUnacked));
      this.connRecvUnacked = 0;
    }
    const s = this.streams.get(streamId);
    if (!s) return; // a stream this side reset or finished: its bytes still count against the connection
    if (bytes > s.recvWindow) {
      this.resetStream(streamId, 'FLOW_CONTROL_ERROR');
      return this.events.reset(streamId, H2ErrorCode.FLOW_CONTROL_ERROR);
    }
    s.recvWindow -= bytes;
    s.recvUnacked += bytes;
    if (!endStream && s.recvUnacked >= this.local.initialWindowSize / 2) {
      s.recvWindow += s.recvUnacked;
      this.write('WINDOW_UPDATE', windowUpdateFrame(streamId, s.recvUnacked));
      s.recvUnacked = 0;
    }
    this.events.data(streamId, bytes, endStream);
  }

  private onWindowUpdate(streamId: number, increment: number): void {
    if (increment === 0) throw new Http2FrameError('PROTOCOL_ERROR', 'WINDOW_UPDATE with an increment of 0');
    if (streamId === 0) {
      this.connSendWindow += increment;
      if (this.connSendWindow > MAX_WINDOW_BYTES) throw new Http2FrameError('FLOW_CONTROL_ERROR', 'the connection window passed 2^31 − 1');
    } else {
      const s = this.streams.get(streamId);
      if (!s) return;
      s.sendWindow += increment;
      this.enqueue(s);
    }
    this.pump();
  }

  private applySettings(settings: [number, number][]): void {
    for (const [id, value] of settings) {
      if (id === SettingId.MAX_CONCURRENT_STREAMS) this.peerMaxConcurrentStreams = value;
      else if (id === SettingId.MAX_FRAME_SIZE) {
        if (value < DEFAULT_MAX_FRAME_BYTES || value > MAX_FRAME_BYTES_LIMIT) throw new Http2FrameError('PROTOCOL_ERROR', `SETTINGS_MAX_FRAME_SIZE ${value} is outside 16,384 to 16,777,215`);
        this.peerMaxFrameBytes = value;
      } else if (id === SettingId.INITIAL_WINDOW_SIZE) {
        if (value > MAX_WINDOW_BYTES) throw new Http2FrameError('FLOW_CONTROL_ERROR', `SETTINGS_INITIAL_WINDOW_SIZE ${value} is above 2^31 − 1`);
        // §6.9.2: a new initial window moves every open stream's window by the difference.
        const delta = value - this.peerInitialWindow;
        this.peerInitialWindow = value;
        for (const s of this.streams.values()) {
          s.sendWindow += delta;
          this.enqueue(s);
        }
      }
      // HEADER_TABLE_SIZE, ENABLE_PUSH and MAX_HEADER_LIST_SIZE change nothing modelled here.
    }
    this.pump();
  }

  /** The connection is over: once, whatever ended it. */
  private finish(err: Error | null): void {
    if (this.isClosed) return;
    this.isClosed = true;
    this.sendQueue = [];
    // Its 'close' comes at once and finds the session closed: `err` is what the owner hears.
    if (!this.socket.destroyed) this.socket.destroy();
    this.events.closed(err);
  }

  private trace(direction: 'sent' | 'received', kind: string, fields: Record<string, string | number>): void {
    this.ctx.trace(kind, { side: this.side, direction, ...fields }, { conn: this.id });
  }
}
