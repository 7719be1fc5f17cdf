/**
 * One end of a TCP connection (the kernel's socket): the state machine, the byte stream with retransmission,
 * RTO, NewReno, flow control, delayed ACKs, keepalive, FIN / RST and TIME_WAIT, with Linux's numbers.
 * It talks to the user-facing Socket through the ConnectionUser callbacks and to the wire through its stack.
 */
import type { Timer } from '../../core/scheduler.js';
import { NetError, type NetErrorCode } from '../errors.js';
import { ACK, FIN, RST, SYN, type TcpSegment } from '../packet.js';
import { ByteQueue } from './byte-queue.js';
import { NewReno } from './newreno.js';
import type { TcpOptions } from './options.js';
import { RtoEstimator, retransmitTimeoutUs } from './rto.js';
import type { TcpStack } from './stack.js';
import type { StreamEnd } from './stream-check.js';

export type TcpState =
  | 'CLOSED'
  | 'SYN_SENT'
  | 'SYN_RECV'
  | 'ESTABLISHED'
  | 'FIN_WAIT_1'
  | 'FIN_WAIT_2'
  | 'CLOSING'
  | 'TIME_WAIT'
  | 'CLOSE_WAIT'
  | 'LAST_ACK';

/** What the connection tells the socket above it. */
export interface ConnectionUser {
  /** The handshake completed. */
  established(): void;
  /** In-order data or the peer's FIN became readable. */
  readable(): void;
  /** Buffered data dropped below the send buffer size. */
  writable(): void;
  /** The connection failed (refused, reset, timed out); no more events but closed(). */
  failed(err: NetError): void;
}

/** A snapshot of a connection's congestion and timer state. */
export interface TcpInfo {
  state: TcpState;
  srttUs: number | undefined;
  rttvarUs: number;
  rtoUs: number;
  cwndSegments: number;
  ssthreshSegments: number;
  bytesInFlight: number;
  unackedBytes: number;
  receiveWindowBytes: number;
  peerWindowBytes: number;
  /** Consecutive retransmissions of the oldest unacknowledged segment. */
  retransmits: number;
}

/** A segment sent and not yet acknowledged, kept for retransmission. */
interface Outstanding {
  seq: number;
  /** Sequence space it takes: data bytes, +1 for SYN, +1 for FIN. */
  len: number;
  data: Uint8Array | null;
  flags: number;
  sentAtUs: number;
  retransmitted: boolean;
}

const empty = new Uint8Array(0);

export class Connection {
  state: TcpState = 'CLOSED';
  /** When it entered its state (virtual µs): how long a close has been under way. */
  stateSinceUs = 0;
  /** The RTO the last data timeout armed (auditBackoff). */
  private timeoutRtoUs = 0;
  /** Trace id shared by both ends: 'client:32768>server:80', initiator first. */
  readonly id: string;
  user: ConnectionUser | null = null;
  /** Set when the application closed its socket: nothing will read any more (an orphan, in Linux terms). */
  orphaned = false;
  /** The error that ended it, if one did. */
  error: NetError | null = null;
  /** For passive opens: the listener that will queue it for accept(). */
  listener: { admit(c: Connection): boolean; enqueue(c: Connection): void } | null = null;
  /** This end of the stream check, when the network checks streams (see stream-check.ts). */
  streamCheck: StreamEnd | null = null;

  // Send side (RFC 793 names).
  private iss = 0;
  private sndUna = 0;
  private sndNxt = 0;
  /** Highest sequence number sent so far (sndNxt moves back to sndUna on a timeout; this does not). */
  private sndMax = 0;
  private sndWnd = 0;
  private readonly outstanding: Outstanding[] = [];
  private readonly unsent = new ByteQueue();
  private finQueued = false;
  private finSent = false;
  /** TCP_NODELAY: Nagle off for this connection (the host's `nagle: false` turns it off for all). */
  private noDelay: boolean;
  /** End of the last segment shorter than the MSS that was sent (Linux's snd_sml, for Minshall's Nagle). */
  private sndSml = 0;
  private dupAcks = 0;
  private retransmits = 0;
  private retransmitStartUs = -1;
  private readonly rto: RtoEstimator;
  readonly cc: NewReno;
  /** After a timeout, everything below this is being resent (go-back-N, as Linux without SACK). */
  private lossRecoverUntil = -1;

  // Receive side.
  private irs = 0;
  private rcvNxt = 0;
  private readonly inOrder = new ByteQueue();
  private outOfOrder: { seq: number; data: Uint8Array; fin: boolean }[] = [];
  private outOfOrderBytes = 0;
  private finReceived = false;
  private unackedSegments = 0;
  private advertisedWindow = 0;
  /** rcvNxt + the last window advertised. */
  private rightEdge = 0;
  /** rcvNxt as of the last segment we sent (every segment after the SYN carries the ACK). */
  private ackedUpTo = 0;
  /** The receive buffer now: receiveBufferBytes, grown by autotuning (sk_rcvbuf). */
  private rcvBufBytes: number;
  /** Autotuning's measurement (Linux's rcvq_space): bytes read per RTT so far, and since when it counts. */
  private rcvSpaceBytes: number;
  private rcvSpaceStartUs = 0;
  private rcvSpaceReadAtStart = 0;
  /** Bytes the application has read. */
  private bytesConsumed = 0;

  // Timers. The retransmission timer is re-armed lazily: only its deadline moves on every ACK.
  private rtoTimer: Timer<Connection> | null = null;
  private rtoDeadlineUs = -1;
  private delackTimer: Timer<Connection> | null = null;
  private keepaliveTimer: Timer<Connection> | null = null;
  private keepaliveProbes = 0;
  private lastHeardUs = 0;
  private timeWaitTimer: Timer<Connection> | null = null;
  keepAlive: boolean;
  keepAliveTimeUs: number;

  bytesSent = 0;
  bytesReceived = 0;

  constructor(
    readonly stack: TcpStack,
    readonly options: TcpOptions,
    readonly localIp: string,
    readonly localPort: number,
    readonly remoteIp: string,
    readonly remotePort: number,
    initiatorId: string,
  ) {
    this.id = initiatorId;
    this.rto = new RtoEstimator(options);
    this.cc = new NewReno(options.initialCwndSegments);
    this.keepAlive = options.keepAlive;
    this.keepAliveTimeUs = options.keepAliveTimeMs * 1000;
    this.noDelay = !options.nagle;
    this.rcvBufBytes = options.receiveBufferBytes;
    // Linux starts the measurement at TCP_INIT_CWND segments (tcp_init_buffer_space).
    this.rcvSpaceBytes = Math.min(options.receiveBufferBytes, 10 * options.mssBytes);
    this.rcvSpaceStartUs = stack.sim.now;
  }

  get now(): number {
    return this.stack.sim.now;
  }

  /** Bytes the application can read now. */
  get readableBytes(): number {
    return this.inOrder.bytes;
  }

  /** True once the peer's FIN has been received: no more data will come (some may wait unread). */
  get inputEnded(): boolean {
    return this.finReceived;
  }

  /** True once the peer's FIN has been received and everything before it read. */
  get readEnded(): boolean {
    return this.finReceived && this.inOrder.bytes === 0;
  }

  /** The send buffer now (sk_sndbuf): sendBufferBytes, or with autotuning 2 × cwnd × MSS up to sendBufferMaxBytes. */
  get sendBufferBytes(): number {
    const o = this.options;
    if (!o.sendBufferAutotuning) return o.sendBufferBytes;
    return Math.max(o.sendBufferBytes, Math.min(2 * this.cc.cwnd * o.mssBytes, o.sendBufferMaxBytes));
  }

  /** Bytes written and not yet acknowledged (sent or not). */
  get bufferedBytes(): number {
    return this.unsent.bytes + Math.max(0, this.sndMax - this.sndUna - (this.finSent ? 1 : 0));
  }

  get srttUs(): number | undefined {
    return this.rto.srttUs;
  }

  get rtoUs(): number {
    return this.rto.rtoUs;
  }

  /** Linux's TCP_INFO, in part: what `ss -ti` shows for a connection. */
  info(): TcpInfo {
    return {
      state: this.state,
      srttUs: this.rto.srttUs === undefined ? undefined : Math.round(this.rto.srttUs),
      rttvarUs: Math.round(this.rto.rttvarUs),
      rtoUs: this.rto.rtoUs,
      cwndSegments: this.cc.cwnd,
      ssthreshSegments: this.cc.ssthresh,
      bytesInFlight: this.sndNxt - this.sndUna,
      unackedBytes: this.sndMax - this.sndUna,
      receiveWindowBytes: this.receiveWindow(),
      peerWindowBytes: this.sndWnd,
      retransmits: this.retransmits,
    };
  }

  // ---- Opening ----

  /** Active open: send a SYN. */
  connect(iss: number): void {
    this.iss = iss;
    this.sndUna = iss;
    this.sndNxt = iss;
    this.sndMax = iss;
    this.attachStreamCheck(iss, 'client');
    this.setState('SYN_SENT');
    this.sendNew(SYN, null);
  }

  /** Passive open from a SYN: answer with SYN-ACK. */
  acceptSyn(syn: TcpSegment, iss: number): void {
    this.irs = syn.seq;
    this.rcvNxt = syn.seq + 1;
    this.sndWnd = syn.window;
    this.iss = iss;
    this.sndUna = iss;
    this.sndNxt = iss;
    this.sndMax = iss;
    this.lastHeardUs = this.now;
    this.attachStreamCheck(syn.seq, 'server');
    this.setState('SYN_RECV');
    this.sendNew(SYN | ACK, null);
  }

  // ---- Application calls ----

  /** Queues bytes for sending. The socket enforces buffer limits. */
  write(data: Uint8Array): void {
    if (data.byteLength === 0) return;
    if (this.streamCheck !== null) this.streamCheck.sending.written(data);
    this.unsent.push(data);
    this.output();
  }

  /** Takes up to `maxBytes` of in-order received data (all of it by default). */
  read(maxBytes = Infinity): Uint8Array | null {
    if (this.inOrder.bytes === 0) return null;
    const out = maxBytes === Infinity ? this.inOrder.takeChunk()! : this.inOrder.take(Math.min(maxBytes, this.inOrder.bytes));
    this.bytesConsumed += out.byteLength;
    if (this.options.receiveBufferAutotuning) this.adjustReceiveBuffer();
    this.afterRead();
    return out;
  }

  /** Half-close: send FIN after the queued data (shutdown(SHUT_WR), Node's end()). */
  shutdown(): void {
    if (this.finQueued) return;
    this.finQueued = true;
    this.output();
  }

  /**
   * The application closed the socket (close(2)). Unread data makes it a reset, as Linux does; otherwise a
   * FIN follows the queued data and the connection finishes on its own.
   */
  close(): void {
    if (this.orphaned) return;
    this.orphaned = true;
    this.user = null;
    this.stack.disown(this);
    if (this.state === 'CLOSED' || this.state === 'TIME_WAIT') return;
    if (this.state === 'SYN_SENT') {
      this.finish(null);
      return;
    }
    if (this.inOrder.bytes > 0 || this.outOfOrderBytes > 0) {
      this.stack.count('tcp.rst.unread-data');
      this.abort();
      return;
    }
    this.shutdown();
  }

  /** Sends RST and ends at once (SO_LINGER 0, Node's resetAndDestroy(), or a process the OS reaps). */
  abort(): void {
    if (this.state === 'CLOSED') return;
    if (this.state !== 'SYN_SENT' && this.state !== 'TIME_WAIT') {
      this.stack.sendSegment(this, this.sndNxt, 0, RST | ACK, null);
      this.trace('tcp.rst', { dir: 'sent' });
    }
    this.finish(null);
  }

  /** A half-open connection whose listener closed: gone without a segment (its request socket is dropped). */
  forget(): void {
    if (this.state !== 'CLOSED') this.finish(null);
  }

  /** The host vanished: the connection is gone without a segment or an event. */
  vanish(): void {
    this.user = null;
    this.cancelTimers();
    this.state = 'CLOSED';
    this.streamCheck?.close();
  }

  /** TCP_NODELAY on or off; turning it on sends what Nagle was holding (Linux pushes pending frames). */
  setNoDelay(noDelay: boolean): void {
    this.noDelay = noDelay || !this.options.nagle;
    if (this.noDelay) this.output();
  }

  setKeepAlive(enable: boolean, initialDelayUs?: number): void {
    this.keepAlive = enable;
    if (initialDelayUs !== undefined && initialDelayUs > 0) this.keepAliveTimeUs = initialDelayUs;
    this.armKeepalive();
  }

  // ---- Arrival ----

  segmentArrived(seg: TcpSegment): void {
    this.lastHeardUs = this.now;
    this.keepaliveProbes = 0;
    const flags = seg.flags;
    if (flags & RST) {
      this.onReset(seg);
      return;
    }
    switch (this.state) {
      case 'SYN_SENT':
        this.onSynSentSegment(seg);
        return;
      case 'SYN_RECV':
        if (flags & SYN) {
          // The client resent its SYN: our SYN-ACK was lost or is late. Resend it.
          this.resendHead();
          return;
        }
        if (!(flags & ACK)) return;
        if (seg.ack !== this.iss + 1) {
          // RFC 9293 §3.10.7.4 (SYN-RECEIVED, unacceptable ACK) and Linux's tcp_check_req: <SEQ=SEG.ACK><CTL=RST>.
          // A peer still holding an older connection on this 4-tuple (its SYN-ACK came late, from a process since
          // restarted) learns it is gone, instead of both sides retransmitting at each other for good.
          this.stack.sendSegment(this, seg.ack, 0, RST, null);
          this.trace('tcp.rst', { dir: 'sent', reason: 'unacceptable-ack' });
          this.stack.count('tcp.rst.unacceptable-ack');
          return;
        }
        if (this.listener && !this.listener.admit(this)) return; // accept queue full: ACK ignored (or reset)
        this.ackArrived(seg);
        this.setState('ESTABLISHED');
        this.armKeepalive();
        this.listener?.enqueue(this);
        this.listener = null;
        break;
      case 'CLOSED':
        return;
      default:
        if (flags & SYN) {
          // A retransmitted SYN-ACK (our ACK was lost): acknowledge again.
          this.sendAck();
          return;
        }
        if (flags & ACK) this.ackArrived(seg);
    }
    if ((this.state as TcpState) === 'CLOSED') return;
    const len = seg.data === null ? 0 : seg.data.byteLength;
    if (len > 0 || flags & FIN) this.dataArrived(seg, len);
    this.armKeepalive();
  }

  private onSynSentSegment(seg: TcpSegment): void {
    const flags = seg.flags;
    if (flags & ACK && seg.ack !== this.iss + 1) {
      // RFC 793 (SYN-SENT, "if the ACK bit is set"): an unacceptable ACK gets <SEQ=SEG.ACK><CTL=RST>. This is
      // how a restarted client clears the half-open connection its crashed predecessor left on the server:
      // the server answers the new SYN with a challenge ACK (RFC 5961 §4), this RST resets the stale
      // connection, and the next SYN retransmission (1 s on) connects, as on Linux.
      this.stack.sendSegment(this, seg.ack, 0, RST, null);
      this.trace('tcp.rst', { dir: 'sent', reason: 'unacceptable-ack' });
      this.stack.count('tcp.rst.unacceptable-ack');
      return;
    }
    if (!(flags & SYN) || !(flags & ACK)) return;
    this.irs = seg.seq;
    this.rcvNxt = seg.seq + 1;
    // Read before ackArrived, which clears the count.
    const synRetransmitted = this.retransmits > 0;
    this.ackArrived(seg);
    // RFC 6298 §5.7 (Linux's TCP_TIMEOUT_FALLBACK): after a retransmitted SYN, with no RTT sample (Karn),
    // the data starts with a 3 s RTO, not the SYN's backed-off one (8 s after three SYN timeouts).
    if (synRetransmitted && this.rto.srttUs === undefined) this.rto.set(this.options.rtoAfterSynRetransmitMs * 1000);
    this.retransmits = 0;
    this.setState('ESTABLISHED');
    this.sendAck();
    this.armKeepalive();
    this.user?.established();
    this.output();
  }

  private onReset(seg: TcpSegment): void {
    if (this.state === 'SYN_SENT') {
      if (seg.flags & ACK && seg.ack === this.iss + 1) this.fail('ECONNREFUSED', 'connect');
      return;
    }
    // Accept a reset whose sequence number lies in the receive window (RFC 5961 would demand an exact match).
    if (seg.seq < this.rcvNxt || seg.seq > Math.max(this.acceptLimit(), this.rcvNxt + 1)) return;
    this.trace('tcp.rst', { dir: 'received' });
    this.stack.count('tcp.rst.received');
    switch (this.state) {
      case 'SYN_RECV':
      case 'TIME_WAIT':
      case 'LAST_ACK':
      case 'CLOSING':
        this.finish(null);
        return;
      case 'CLOSE_WAIT':
        this.fail('EPIPE', 'read');
        return;
      default:
        if (this.orphaned) this.finish(null);
        else this.fail('ECONNRESET', 'read');
    }
  }

  /** Processes the acknowledgement and window of a segment. */
  private ackArrived(seg: TcpSegment): void {
    const ack = seg.ack;
    if (ack > this.sndMax) {
      this.sendAck(); // acknowledges something never sent: answer with our state (RFC 793)
      return;
    }
    const len = seg.data === null ? 0 : seg.data.byteLength;
    if (ack > this.sndUna) {
      const ackedSegments = this.releaseAcked(ack);
      this.sndUna = ack;
      if (this.sndNxt < ack) this.sndNxt = ack;
      this.sndWnd = seg.window;
      this.retransmits = 0;
      this.retransmitStartUs = -1;
      this.dupAcks = 0;
      // Karn: the backed-off RTO stays until a segment sent once is acknowledged (releaseAcked's sample).
      const cc = this.cc;
      const handshake = this.state === 'SYN_SENT' || this.state === 'SYN_RECV';
      if (handshake) {
        // The SYN's acknowledgement does not grow the window.
      } else if (cc.inRecovery) {
        if (ack >= cc.recover) cc.exitRecovery();
        else {
          cc.onPartialAck(ackedSegments);
          this.retransmitHead('partial-ack');
        }
      } else {
        if (this.lossRecoverUntil >= 0 && ack >= this.lossRecoverUntil) this.lossRecoverUntil = -1;
        cc.onAck(ackedSegments);
      }
      this.ourFinAcked();
      if (this.sndUna === this.sndMax) this.stopRtoTimer();
      else this.restartRtoTimer();
      if (this.user && this.bufferedBytes < this.sendBufferBytes) this.user.writable();
    } else if (ack === this.sndUna) {
      const windowChanged = seg.window !== this.sndWnd;
      this.sndWnd = seg.window;
      if (len === 0 && !(seg.flags & (SYN | FIN)) && !windowChanged && this.sndMax > this.sndUna) this.duplicateAck();
    }
    this.output();
  }

  private duplicateAck(): void {
    this.dupAcks++;
    const cc = this.cc;
    if (cc.inRecovery) {
      cc.onDupAckInRecovery();
      return;
    }
    // RFC 6582 §3.2 step 1: no new fast retransmit for losses from before the last one (or the last timeout).
    if (this.dupAcks === this.options.dupAckThreshold && this.sndUna > cc.recover - 1 && this.lossRecoverUntil < 0) {
      this.stack.count('tcp.fast-retransmits');
      cc.enterFastRecovery(this.sndMax);
      this.retransmitHead('fast');
    }
  }

  /** Drops acknowledged segments from the retransmission queue; takes an RTT sample (Karn). Returns segments acked. */
  private releaseAcked(ack: number): number {
    let count = 0;
    let sample = -1;
    // Karn, as Linux applies it without timestamps (tcp_ack_update_rtt on FLAG_RETRANS_DATA_ACKED): an ACK
    // that covers any retransmitted segment gives no sample at all. Its later segments were sent once, but
    // they waited for the retransmission to fill the hole: timing them would take the whole outage as an RTT.
    let coversRetransmit = false;
    const q = this.outstanding;
    while (q.length > 0) {
      const head = q[0]!;
      if (head.seq + head.len <= ack) {
        q.shift();
        count++;
        if (head.retransmitted) coversRetransmit = true;
        sample = coversRetransmit ? -1 : this.now - head.sentAtUs;
      } else {
        if (head.seq < ack) {
          // Partly acknowledged: keep the rest.
          const cut = ack - head.seq;
          if (head.data) head.data = head.data.subarray(cut);
          head.seq = ack;
          head.len -= cut;
          count++;
        }
        break;
      }
    }
    if (sample >= 0) this.rto.sample(sample);
    return Math.max(count, 1);
  }

  private ourFinAcked(): void {
    if (!this.finSent || this.sndUna !== this.sndMax) return;
    switch (this.state) {
      case 'FIN_WAIT_1':
        this.setState('FIN_WAIT_2');
        if (this.orphaned) this.armOrphanTimeout();
        break;
      case 'CLOSING':
        this.enterTimeWait();
        break;
      case 'LAST_ACK':
        this.finish(null);
        break;
    }
  }

  private dataArrived(seg: TcpSegment, len: number): void {
    const state = this.state;
    if (state !== 'ESTABLISHED' && state !== 'FIN_WAIT_1' && state !== 'FIN_WAIT_2') {
      // Data or FIN after the peer's FIN (a retransmission): acknowledge it.
      if (seg.seq < this.rcvNxt) this.sendAck();
      return;
    }
    if (this.orphaned && len > 0 && seg.seq + len > this.rcvNxt) {
      // Linux: new data for a socket the application has closed is answered with a reset.
      this.stack.count('tcp.rst.data-after-close');
      this.abort();
      return;
    }
    const fin = (seg.flags & FIN) !== 0;
    let data = seg.data ?? empty;
    let seq = seg.seq;
    if (seq < this.rcvNxt) {
      const old = this.rcvNxt - seq;
      if (old >= len && !(fin && seq + len === this.rcvNxt)) {
        this.sendAck(); // a duplicate: tell the sender where we are
        return;
      }
      data = data.subarray(Math.min(old, len));
      seq = this.rcvNxt;
    }
    const window = this.acceptLimit() - this.rcvNxt;
    if (seq > this.rcvNxt) {
      if (seq + data.byteLength <= this.rcvNxt + window) this.storeOutOfOrder(seq, data, fin);
      this.stack.count('tcp.segments.out-of-order');
      this.sendAck(); // an immediate duplicate ACK drives the sender's fast retransmit
      return;
    }
    if (data.byteLength > window) {
      data = data.subarray(0, window); // beyond the window: dropped, the sender will resend
      this.stack.count('tcp.drop.beyond-window');
    }
    const filledHole = this.outOfOrder.length > 0;
    if (data.byteLength > 0) this.appendInOrder(data);
    // The FIN counts only if every byte before it was taken.
    let gotFin = fin && seg.seq + len === this.rcvNxt;
    if (this.pullOutOfOrder()) gotFin = true;
    if (gotFin && !this.finReceived) {
      this.finReceived = true;
      this.rcvNxt += 1;
      this.peerFin();
    }
    if (data.byteLength > 0) {
      this.unackedSegments++;
      if (filledHole || gotFin || this.unackedSegments >= 2) this.sendAckIfOwed();
      else this.armDelack();
      this.user?.readable();
    } else if (gotFin) {
      this.sendAckIfOwed(); // unless the application's answer to the FIN (its own FIN) carried the ACK
    }
  }

  private peerFin(): void {
    switch (this.state) {
      case 'ESTABLISHED':
        this.setState('CLOSE_WAIT');
        break;
      case 'FIN_WAIT_1':
        if (this.finSent && this.sndUna === this.sndMax) this.enterTimeWait();
        else this.setState('CLOSING');
        break;
      case 'FIN_WAIT_2':
        this.enterTimeWait();
        break;
    }
    this.user?.readable();
  }

  // ---- Receive buffers ----

  /** Receive buffer space not taken by unread or out-of-order data (at most 65,535 without window scaling). */
  private receiveWindow(): number {
    const free = Math.max(0, this.rcvBufBytes - this.inOrder.bytes - this.outOfOrderBytes);
    return this.options.windowScaling ? free : Math.min(free, 65_535);
  }

  /**
   * Dynamic right-sizing (tcp_rcv_space_adjust): once an RTT has passed since the measurement began, if the
   * application read more in it than ever before, the buffer grows to 2 × that + 16 segments, plus twice the
   * growth rate (so it keeps ahead of a sender in slow start), up to receiveBufferMaxBytes.
   */
  private adjustReceiveBuffer(): void {
    const rttUs = this.rto.srttUs;
    const now = this.now;
    if (rttUs === undefined || now - this.rcvSpaceStartUs < rttUs) return;
    const copied = this.bytesConsumed - this.rcvSpaceReadAtStart;
    const space = this.rcvSpaceBytes;
    if (copied > space) {
      let rcvwin = 2 * copied + 16 * this.options.mssBytes;
      rcvwin += 2 * Math.floor((rcvwin * (copied - space)) / space);
      const grown = Math.min(rcvwin, this.options.receiveBufferMaxBytes);
      if (grown > this.rcvBufBytes) this.rcvBufBytes = grown;
      this.rcvSpaceBytes = copied;
    }
    this.rcvSpaceReadAtStart = this.bytesConsumed;
    this.rcvSpaceStartUs = now;
  }

  /** The highest sequence number the peer may send: what we advertised, or more if space has freed. */
  private acceptLimit(): number {
    return Math.max(this.rightEdge, this.rcvNxt + this.receiveWindow());
  }

  private appendInOrder(data: Uint8Array): void {
    this.inOrder.push(data);
    this.rcvNxt += data.byteLength;
    this.bytesReceived += data.byteLength;
  }

  private storeOutOfOrder(seq: number, data: Uint8Array, fin: boolean): void {
    const list = this.outOfOrder;
    let i = list.length;
    while (i > 0 && list[i - 1]!.seq > seq) i--;
    if (i > 0 && list[i - 1]!.seq === seq) return;
    list.splice(i, 0, { seq, data, fin });
    this.outOfOrderBytes += data.byteLength;
  }

  /** Moves out-of-order data that now fits onto the in-order stream; true if a FIN was reached. */
  private pullOutOfOrder(): boolean {
    const list = this.outOfOrder;
    let fin = false;
    while (list.length > 0 && list[0]!.seq <= this.rcvNxt) {
      const next = list.shift()!;
      this.outOfOrderBytes -= next.data.byteLength;
      const end = next.seq + next.data.byteLength;
      if (end > this.rcvNxt) this.appendInOrder(next.data.subarray(this.rcvNxt - next.seq));
      if (next.fin && end === this.rcvNxt) fin = true;
    }
    return fin;
  }

  /** The application read: if the window had closed below one segment and has reopened, say so. */
  private afterRead(): void {
    const mss = this.options.mssBytes;
    if (this.advertisedWindow < mss && this.receiveWindow() >= mss) this.sendAck();
  }

  // ---- Sending ----

  /** Sends what the windows allow: resends after a timeout first, then new data, then a queued FIN. */
  private output(): void {
    const state = this.state;
    if (state !== 'ESTABLISHED' && state !== 'CLOSE_WAIT' && state !== 'FIN_WAIT_1' && state !== 'CLOSING' && state !== 'LAST_ACK') return;
    const mss = this.options.mssBytes;
    for (;;) {
      const inFlight = this.sndNxt - this.sndUna;
      const window = Math.min(this.cc.cwnd * mss, this.sndWnd);
      if (this.sndNxt < this.sndMax) {
        // Go-back-N after a timeout: resend the segments past sndNxt in their original boundaries.
        if (inFlight >= window && inFlight > 0) break;
        const seg = this.findOutstanding(this.sndNxt);
        if (!seg) {
          this.sndNxt = this.sndMax;
          continue;
        }
        this.resend(seg, 'timeout');
        this.sndNxt = seg.seq + seg.len;
        continue;
      }
      if (this.unsent.bytes === 0) break;
      const room = window - inFlight;
      if (room <= 0) {
        if (this.sndWnd === 0 && inFlight === 0) this.armPersist();
        break;
      }
      const len = Math.min(mss, this.unsent.bytes, room);
      if (len < mss && inFlight > 0) {
        // Sender-side silly window avoidance: do not send a runt while more data waits and data is in flight.
        if (len < this.unsent.bytes) break;
        // Nagle, Minshall's variant as Linux: the last of the data, short, waits while an earlier short
        // segment is unacknowledged, unless TCP_NODELAY or a FIN is to follow it.
        if (!this.noDelay && !this.finQueued && this.sndSml > this.sndUna) break;
      }
      this.sendNew(ACK, this.unsent.take(len));
    }
    if (this.finQueued && !this.finSent && this.unsent.bytes === 0 && this.sndNxt === this.sndMax) {
      if (state === 'ESTABLISHED' || state === 'CLOSE_WAIT') {
        this.finSent = true;
        this.setState(state === 'ESTABLISHED' ? 'FIN_WAIT_1' : 'LAST_ACK');
        this.sendNew(FIN | ACK, null);
      }
    }
  }

  /** Sends a new segment at sndNxt and keeps it for retransmission. */
  private sendNew(flags: number, data: Uint8Array | null): void {
    const len = (data === null ? 0 : data.byteLength) + (flags & SYN ? 1 : 0) + (flags & FIN ? 1 : 0);
    const seg: Outstanding = { seq: this.sndNxt, len, data, flags, sentAtUs: this.now, retransmitted: false };
    this.outstanding.push(seg);
    this.transmit(seg);
    this.sndNxt += len;
    if (this.sndNxt > this.sndMax) this.sndMax = this.sndNxt;
    if (data) {
      this.bytesSent += data.byteLength;
      if (data.byteLength < this.options.mssBytes) this.sndSml = this.sndNxt;
    }
    if (this.rtoDeadlineUs < 0) this.restartRtoTimer();
  }

  private transmit(seg: Outstanding): void {
    const synOnly = seg.flags & SYN && !(seg.flags & ACK);
    this.stack.sendSegment(this, seg.seq, synOnly ? 0 : this.rcvNxt, seg.flags | (synOnly ? 0 : ACK), seg.data);
    this.noteAckSent();
  }

  private resend(seg: Outstanding, reason: string): void {
    seg.retransmitted = true;
    seg.sentAtUs = this.now;
    this.stack.count('tcp.segments.retransmitted');
    this.trace('tcp.retransmit', { seq: seg.seq - this.iss, len: seg.len, reason });
    this.transmit(seg);
  }

  private retransmitHead(reason: string): void {
    const head = this.outstanding[0];
    if (head) this.resend(head, reason);
    this.restartRtoTimer();
  }

  private resendHead(): void {
    const head = this.outstanding[0];
    if (head) this.transmit(head);
  }

  private findOutstanding(seq: number): Outstanding | undefined {
    const q = this.outstanding;
    for (let i = 0; i < q.length; i++) {
      const s = q[i]!;
      if (s.seq === seq) return s;
      if (s.seq > seq) return undefined;
    }
    return undefined;
  }

  private sendAck(): void {
    this.stack.sendSegment(this, this.sndNxt, this.rcvNxt, ACK, null);
    this.noteAckSent();
  }

  /** Sends an ACK unless a segment sent since (a reply, a FIN) already acknowledged everything received. */
  private sendAckIfOwed(): void {
    if (this.ackedUpTo < this.rcvNxt || this.unackedSegments > 0) this.sendAck();
  }

  private noteAckSent(): void {
    this.ackedUpTo = this.rcvNxt;
    this.unackedSegments = 0;
    if (this.delackTimer) {
      this.delackTimer.cancel();
      this.delackTimer = null;
    }
  }

  /**
   * The window to advertise in a segment sent now: the free space, but never less than keeps the right edge
   * where it was (Linux's tcp_select_window does not shrink the window). So out-of-order data does not change
   * the window of the duplicate ACKs it causes, and they count as duplicates (RFC 5681 §2).
   */
  windowToAdvertise(): number {
    const win = Math.max(this.receiveWindow(), this.rightEdge - this.rcvNxt, 0);
    this.rightEdge = this.rcvNxt + win;
    this.advertisedWindow = win;
    return win;
  }

  // ---- Timers ----

  private restartRtoTimer(): void {
    this.rtoDeadlineUs = this.now + this.rto.rtoUs;
    if (this.rtoTimer === null || this.rtoTimer.at > this.rtoDeadlineUs) {
      this.rtoTimer?.cancel();
      this.rtoTimer = this.stack.sim.scheduler.at(this.rtoDeadlineUs, onRtoTimer, this as Connection);
    }
  }

  private stopRtoTimer(): void {
    this.rtoDeadlineUs = -1;
    this.rtoTimer?.cancel();
    this.rtoTimer = null;
  }

  /** @internal */
  rtoTimerFired(): void {
    this.rtoTimer = null;
    if (this.rtoDeadlineUs < 0 || this.state === 'CLOSED') return;
    if (this.now < this.rtoDeadlineUs) {
      this.rtoTimer = this.stack.sim.scheduler.at(this.rtoDeadlineUs, onRtoTimer, this as Connection);
      return;
    }
    this.rtoDeadlineUs = -1;
    this.retransmitTimeout();
  }

  /**
   * RFC 6298 §5.5, checked as each data timeout happens: the RTO after a second timeout in a row is at least
   * double the one before (up to the maximum). Beside the backoff, not inside it, so a lost backoff is seen.
   */
  private auditBackoff(): void {
    const rtoUs = this.rto.rtoUs;
    const floorUs = Math.min(this.options.maxRtoMs * 1000, 2 * this.timeoutRtoUs);
    if (this.retransmits > 1 && rtoUs < floorUs) this.stack.noteBackoffBreach(this.now, `connection ${this.id}: timeout ${this.retransmits} in a row armed an RTO of ${rtoUs} µs, less than double the last (${this.timeoutRtoUs} µs)`);
    this.timeoutRtoUs = rtoUs;
  }

  private retransmitTimeout(): void {
    const o = this.options;
    if (this.state === 'SYN_SENT' || this.state === 'SYN_RECV') {
      const limit = this.state === 'SYN_SENT' ? o.synRetries : o.synackRetries;
      if (this.retransmits >= limit) {
        if (this.state === 'SYN_SENT') this.fail('ETIMEDOUT', 'connect');
        else this.finish(null); // the half-open request is dropped silently
        return;
      }
      this.retransmits++;
      this.rto.backoff();
      this.retransmitHead(this.state === 'SYN_SENT' ? 'syn' : 'synack');
      return;
    }
    const head = this.outstanding[0];
    if (!head) {
      // Nothing outstanding: a zero-window probe is due.
      this.probeWindow();
      return;
    }
    if (this.retransmitStartUs < 0) this.retransmitStartUs = head.sentAtUs;
    const giveUpUs = retransmitTimeoutUs(o.retries2, o.minRtoMs * 1000, o.maxRtoMs * 1000);
    if (this.now - this.retransmitStartUs >= giveUpUs) {
      this.fail('ETIMEDOUT', 'write');
      return;
    }
    this.retransmits++;
    this.stack.count('tcp.timeouts');
    this.cc.onTimeout();
    this.dupAcks = 0;
    this.rto.backoff();
    this.auditBackoff();
    this.lossRecoverUntil = this.sndMax;
    this.cc.recover = this.sndMax;
    this.sndNxt = this.sndUna;
    // Resend the head now; the rest follows as ACKs open the window (output's go-back-N).
    this.resend(head, 'timeout');
    this.sndNxt = head.seq + head.len;
    this.restartRtoTimer();
  }

  private armPersist(): void {
    if (this.rtoDeadlineUs < 0) this.restartRtoTimer();
  }

  private probeWindow(): void {
    if (this.sndWnd > 0 || this.unsent.bytes === 0) {
      this.output();
      return;
    }
    // A zero-window probe: an already-acknowledged sequence number makes the peer answer with its window.
    this.stack.count('tcp.window-probes');
    this.stack.sendSegment(this, this.sndUna - 1, this.rcvNxt, ACK, null);
    this.rto.backoff();
    this.restartRtoTimer();
  }

  private armDelack(): void {
    if (this.delackTimer) return;
    this.delackTimer = this.stack.sim.scheduler.after(this.options.delayedAckMs * 1000, onDelackTimer, this as Connection);
  }

  /** @internal */
  delackTimerFired(): void {
    this.delackTimer = null;
    if (this.state !== 'CLOSED' && this.unackedSegments > 0) this.sendAck();
  }

  private armKeepalive(): void {
    if (!this.keepAlive || (this.state !== 'ESTABLISHED' && this.state !== 'CLOSE_WAIT')) {
      this.keepaliveTimer?.cancel();
      this.keepaliveTimer = null;
      return;
    }
    if (this.keepaliveTimer) return; // it re-reads lastHeardUs when it fires
    this.keepaliveTimer = this.stack.sim.scheduler.at(this.lastHeardUs + this.keepAliveTimeUs, onKeepaliveTimer, this as Connection);
  }

  /** @internal */
  keepaliveTimerFired(): void {
    this.keepaliveTimer = null;
    if (!this.keepAlive || (this.state !== 'ESTABLISHED' && this.state !== 'CLOSE_WAIT')) return;
    const o = this.options;
    const intervalUs = o.keepAliveIntervalMs * 1000;
    const idleUs = this.now - this.lastHeardUs;
    if (this.keepaliveProbes === 0 && idleUs < this.keepAliveTimeUs) {
      this.keepaliveTimer = this.stack.sim.scheduler.at(this.lastHeardUs + this.keepAliveTimeUs, onKeepaliveTimer, this as Connection);
      return;
    }
    if (this.keepaliveProbes >= o.keepAliveProbes) {
      this.fail('ETIMEDOUT', 'read');
      return;
    }
    this.keepaliveProbes++;
    this.stack.count('tcp.keepalive-probes');
    this.stack.sendSegment(this, this.sndUna - 1, this.rcvNxt, ACK, null);
    this.keepaliveTimer = this.stack.sim.scheduler.after(intervalUs, onKeepaliveTimer, this as Connection);
  }

  private enterTimeWait(): void {
    this.setState('TIME_WAIT');
    this.cancelTimers();
    this.timeWaitTimer = this.stack.sim.scheduler.after(this.options.timeWaitMs * 1000, onTimeWaitTimer, this as Connection);
  }

  /** An orphaned FIN_WAIT_2 lasts tcp_fin_timeout (60 s), then goes. */
  private armOrphanTimeout(): void {
    this.timeWaitTimer?.cancel();
    this.timeWaitTimer = this.stack.sim.scheduler.after(60_000_000, onTimeWaitTimer, this as Connection);
  }

  /** @internal */
  timeWaitTimerFired(): void {
    this.timeWaitTimer = null;
    this.finish(null);
  }

  private cancelTimers(): void {
    this.rtoTimer?.cancel();
    this.rtoTimer = null;
    this.rtoDeadlineUs = -1;
    this.delackTimer?.cancel();
    this.delackTimer = null;
    this.keepaliveTimer?.cancel();
    this.keepaliveTimer = null;
    this.timeWaitTimer?.cancel();
    this.timeWaitTimer = null;
  }

  // ---- Ending ----

  private fail(code: NetErrorCode, syscall: string): void {
    const err = new NetError(code, syscall, this.remoteIp, this.remotePort);
    this.error = err;
    this.trace('tcp.error', { code });
    this.stack.count(`tcp.errors.${code}`);
    const user = this.user;
    this.finish(err);
    user?.failed(err);
  }

  /** Leaves the connection table; `err` is why, or null for a normal end. */
  private finish(err: NetError | null): void {
    this.cancelTimers();
    if (this.state !== 'CLOSED') this.setState('CLOSED');
    if (err) this.error = err;
    this.stack.release(this);
    this.streamCheck?.close();
    if (!err && this.user) this.user.readable(); // wake readers so they see the end
  }

  /** Joins the stream check's pair for this incarnation (named by the client's ISN). */
  private attachStreamCheck(clientIss: number, side: 'client' | 'server'): void {
    const checker = this.stack.net.streamChecker;
    if (checker !== null) this.streamCheck = checker.attach(this.id, clientIss, side, this.stack.host.name);
  }

  private setState(next: TcpState): void {
    const prev = this.state;
    if (prev === next) return;
    this.state = next;
    this.stateSinceUs = this.stack.sim.now;
    this.trace('tcp.state', { from: prev, to: next });
  }

  private trace(kind: string, fields: Record<string, string | number>): void {
    this.stack.trace(this, kind, fields);
  }
}

function onRtoTimer(c: Connection): void {
  c.rtoTimerFired();
}
function onDelackTimer(c: Connection): void {
  c.delackTimerFired();
}
function onKeepaliveTimer(c: Connection): void {
  c.keepaliveTimerFired();
}
function onTimeWaitTimer(c: Connection): void {
  c.timeWaitTimerFired();
}
