/**
 * A host's UDP: sockets shaped like Node's `dgram` (bind, send, 'message', close) plus an awaitable recv()
 * for async actors. Datagrams carry no promise: the link may lose, duplicate or reorder them, a port with
 * no socket drops them (udp.drop.no-socket), and a full receive buffer drops them (udp.drop.buffer-full).
 */
import type { Actor } from '../core/actor.js';
import { SimError } from '../core/errors.js';
import { EPHEMERAL_PORT_MAX, EPHEMERAL_PORT_MIN, isPort } from './address.js';
import { Emitter } from './emitter.js';
import { NetError } from './errors.js';
import type { Network, NetHost } from './network.js';
import type { UdpDatagram } from './packet.js';

export interface UdpSocketOptions {
  /** SO_RCVBUF: this socket's receive buffer, bytes of unread payload. Default: the network's udp option. */
  receiveBufferBytes?: number;
}

/** Where a datagram came from, as Node's 'message' event describes it. */
export interface RemoteInfo {
  address: string;
  family: 'IPv4';
  port: number;
  /** Payload bytes. */
  size: number;
}

/** A datagram as recv() returns it. */
export interface UdpMessage {
  data: Uint8Array;
  /** Sender's address and port. */
  address: string;
  port: number;
}

export type UdpSocketEvents = {
  message: (msg: Uint8Array, rinfo: RemoteInfo) => void;
  /** Bound (explicitly, or implicitly by the first send). */
  listening: () => void;
  error: (err: Error) => void;
  close: () => void;
};

const encoder = new TextEncoder();

export class UdpStack {
  /** Bound sockets by port. */
  private readonly ports = new Map<number, UdpSocket>();
  /** Open sockets, bound or not, in creation order. */
  private readonly sockets = new Set<UdpSocket>();
  /**
   * Next ephemeral port to try. Linux picks one at random; faultline takes the next free one in order, so
   * traces read easily and binding spends no random draw.
   */
  private nextEphemeral = EPHEMERAL_PORT_MIN;

  constructor(
    readonly net: Network,
    readonly host: NetHost,
  ) {}

  /** A new, unbound socket owned by `owner` (it keeps the owner alive until closed). */
  createSocket(owner: Actor, options: UdpSocketOptions = {}): UdpSocket {
    const receiveBufferBytes = options.receiveBufferBytes ?? this.net.udpDefaults.receiveBufferBytes;
    if (!Number.isSafeInteger(receiveBufferBytes) || receiveBufferBytes <= 0) {
      throw new SimError('ERR_UDP_OPTION', `createSocket: receiveBufferBytes: expected a positive whole number of bytes, got ${JSON.stringify(receiveBufferBytes)}`);
    }
    const socket = new UdpSocket(this, owner, receiveBufferBytes);
    this.sockets.add(socket);
    owner.hold();
    return socket;
  }

  /** A datagram arrived for this host. */
  receive(d: UdpDatagram): void {
    const socket = this.ports.get(d.dstPort);
    if (socket === undefined) {
      // Linux answers with ICMP port unreachable, which only a connected socket would hear; none is modelled.
      this.drop(d, 'no-socket', undefined);
      return;
    }
    socket.deliver(d);
  }

  /** The host crashed: every socket is gone, silently (no events, pending recv() calls never settle). */
  vanish(): void {
    for (const socket of this.sockets) socket.teardown(false);
    this.sockets.clear();
    this.ports.clear();
  }

  /** `actor` ended: its sockets close without events (there is nobody left to hear them). */
  closeOwnedBy(actor: Actor): void {
    for (const socket of [...this.sockets]) if (socket.owner === actor) socket.teardown(false);
  }

  /** @internal Reserves `port` (0: an ephemeral one) for `socket`; returns the port. */
  bindPort(socket: UdpSocket, port: number): number {
    if (port === 0) port = this.ephemeralPort();
    else if (this.ports.has(port)) throw new NetError('EADDRINUSE', 'bind', '0.0.0.0', port);
    this.ports.set(port, socket);
    return port;
  }

  /** @internal */
  forget(socket: UdpSocket, port: number): void {
    if (port !== 0 && this.ports.get(port) === socket) this.ports.delete(port);
    this.sockets.delete(socket);
  }

  /** @internal Counts and traces a datagram the host could not take. */
  drop(d: UdpDatagram, reason: 'no-socket' | 'buffer-full', owner: Actor | undefined): void {
    const sim = this.net.sim;
    sim.metrics.counter(`udp.drop.${reason}`).inc();
    sim.trace.write({ t: sim.now, kind: 'udp.drop', host: this.host.name, actor: owner?.name, fields: { id: d.id, port: d.dstPort, reason, len: d.data.byteLength } });
  }

  private ephemeralPort(): number {
    const span = EPHEMERAL_PORT_MAX - EPHEMERAL_PORT_MIN + 1;
    for (let i = 0; i < span; i++) {
      const port = this.nextEphemeral;
      this.nextEphemeral = port === EPHEMERAL_PORT_MAX ? EPHEMERAL_PORT_MIN : port + 1;
      if (!this.ports.has(port)) return port;
    }
    throw new NetError('EADDRINUSE', 'bind', '0.0.0.0', 0);
  }
}

interface Waiter {
  resolve: (m: UdpMessage) => void;
  reject: (err: unknown) => void;
}

/**
 * A UDP socket. Events reach listeners as the owner's work (a paused owner hears them on resume); the
 * async recv() resumes an async actor at the virtual time a datagram arrives.
 *
 * Differences from Node's dgram, all because nothing here waits on a real resolver: bind() takes effect at
 * once and throws EADDRINUSE at the call (Node emits it as 'error' a tick later); 'listening', 'close', send
 * callbacks and send errors still come a step later, at the same virtual time, as in Node.
 */
export class UdpSocket extends Emitter<UdpSocketEvents> {
  /** Bound port, 0 while unbound. */
  private port = 0;
  private closed = false;
  private readonly incarnation: number;
  /** Datagrams received and not yet read, oldest first, and their payload bytes. */
  private queue: UdpDatagram[] = [];
  private queuedBytes = 0;
  private waiters: Waiter[] = [];
  private readonly drainNow = () => this.drain();

  /** @internal Made by UdpStack.createSocket. */
  constructor(
    private readonly stack: UdpStack,
    override readonly owner: Actor,
    /** Receive buffer bound, bytes of unread payload. */
    readonly receiveBufferBytes: number,
  ) {
    super(owner);
    this.incarnation = owner.incarnation;
  }

  /** Payload bytes received and not yet read. */
  get bufferedBytes(): number {
    return this.queuedBytes;
  }

  /**
   * Binds to `port` (0 or none: an ephemeral port, 32768–60999). Throws NetError EADDRINUSE when another
   * socket on this host holds the port. 'listening' (and `callback`) follow at the same virtual time.
   */
  bind(port?: number, callback?: () => void): this {
    if (this.closed) throw new NetError('ERR_SOCKET_CLOSED', 'bind');
    if (this.port !== 0) throw new SimError('ERR_SOCKET_ALREADY_BOUND', `bind: socket is already bound to port ${this.port}`);
    const wanted = port ?? 0;
    if (!isPort(wanted)) throw new SimError('ERR_SOCKET_BAD_PORT', `bind: port should be >= 0 and < 65536, received ${JSON.stringify(port)}`);
    this.port = this.stack.bindPort(this, wanted);
    this.later(() => {
      this.emit('listening');
      callback?.();
    });
    return this;
  }

  /** The bound address and port (Node's socket.address()). */
  address(): { address: string; family: 'IPv4'; port: number } {
    if (this.port === 0) throw new SimError('ERR_SOCKET_DGRAM_NOT_RUNNING', 'address: the socket is not bound');
    return { address: this.stack.host.ip, family: 'IPv4', port: this.port };
  }

  /**
   * Sends one datagram to `port` on `address` (a host name or IPv4 address; default: this host), binding an
   * ephemeral port first if unbound. An unknown name gives ENOTFOUND and a payload over maxDatagramBytes
   * gives EMSGSIZE, each to `callback` if given, else as an 'error' event, else to a pending recv(), else
   * failing the owner (as an unhandled 'error' ends a Node process). A sent datagram may still be lost.
   */
  send(msg: Uint8Array | string, port: number, address?: string, callback?: (err: Error | null, bytes?: number) => void): void {
    if (this.closed) throw new NetError('ERR_SOCKET_CLOSED', 'send');
    if (!isPort(port) || port === 0) throw new SimError('ERR_SOCKET_BAD_PORT', `send: port should be > 0 and < 65536, received ${JSON.stringify(port)}`);
    if (this.port === 0) this.bind(0);
    const stack = this.stack;
    const net = stack.net;
    const dst = address === undefined || address === 'localhost' ? stack.host.ip : net.lookup(address);
    if (dst === undefined) {
      this.report(new NetError('ENOTFOUND', 'getaddrinfo', address), callback);
      return;
    }
    // A copy, as the kernel takes one: the caller may reuse its buffer once send() returns.
    const data = typeof msg === 'string' ? encoder.encode(msg) : msg.slice();
    if (data.byteLength > net.udpDefaults.maxDatagramBytes) {
      this.report(new NetError('EMSGSIZE', 'send', dst, port), callback);
      return;
    }
    net.transmit({ proto: 'udp', id: net.nextPacketId(), src: stack.host.ip, srcPort: this.port, dst, dstPort: port, data });
    if (callback) this.later(() => callback(null, data.byteLength));
  }

  /**
   * The next datagram, oldest first: at once if one is buffered, else when one arrives. Rejects with
   * ERR_SOCKET_CLOSED if the socket is (or gets) closed.
   */
  recv(): Promise<UdpMessage> {
    if (this.closed) return Promise.reject(new NetError('ERR_SOCKET_CLOSED', 'recv'));
    if (this.waiters.length === 0 && this.queue.length > 0) return Promise.resolve(this.take());
    const label = this.port === 0 ? 'a datagram on an unbound UDP socket (recv)' : `a datagram on UDP port ${this.port} (recv)`;
    return this.owner.suspend<UdpMessage>(label, (resolve, reject) => {
      this.waiters.push({ resolve, reject });
    });
  }

  /** Closes the socket: its port is free at once; 'close' (and `callback`) follow at the same virtual time. */
  close(callback?: () => void): this {
    if (this.closed) return this;
    this.teardown(true);
    this.later(() => {
      this.emit('close');
      callback?.();
      this.owner.release();
    });
    return this;
  }

  override on<K extends keyof UdpSocketEvents>(event: K, fn: UdpSocketEvents[K]): this {
    super.on(event, fn);
    // Datagrams buffered while nobody listened go to the new listener, a step later as Node would.
    if (event === 'message' && this.queue.length > 0) this.later(this.drainNow);
    return this;
  }

  override once<K extends keyof UdpSocketEvents>(event: K, fn: UdpSocketEvents[K]): this {
    super.once(event, fn);
    if (event === 'message' && this.queue.length > 0) this.later(this.drainNow);
    return this;
  }

  /** @internal A datagram for this socket's port: buffered if it fits, then handed out. */
  deliver(d: UdpDatagram): void {
    const size = d.data.byteLength;
    if (this.queuedBytes + size > this.receiveBufferBytes) {
      this.stack.drop(d, 'buffer-full', this.owner);
      return;
    }
    this.queue.push(d);
    this.queuedBytes += size;
    this.owner.dispatch(this.drainNow);
  }

  /**
   * @internal Ends the socket: port freed, buffer emptied. `rejectWaiters` (a close() by the owner) wakes a
   * pending recv() with ERR_SOCKET_CLOSED; otherwise (crash, owner gone) waiters are dropped unsettled.
   */
  teardown(rejectWaiters: boolean): void {
    if (this.closed) return;
    this.closed = true;
    this.stack.forget(this, this.port);
    this.queue = [];
    this.queuedBytes = 0;
    const waiters = this.waiters;
    this.waiters = [];
    if (rejectWaiters) for (const w of waiters) w.reject(new NetError('ERR_SOCKET_CLOSED', 'recv'));
  }

  /** Hands buffered datagrams to pending recv() calls first, then to 'message' listeners. */
  private drain(): void {
    while (!this.closed && this.queue.length > 0) {
      if (this.waiters.length > 0) {
        this.waiters.shift()!.resolve(this.take());
      } else if (this.listenerCount('message') > 0) {
        const d = this.queue.shift()!;
        this.queuedBytes -= d.data.byteLength;
        this.emit('message', d.data, { address: d.src, family: 'IPv4', port: d.srcPort, size: d.data.byteLength });
      } else {
        return;
      }
    }
  }

  private take(): UdpMessage {
    const d = this.queue.shift()!;
    this.queuedBytes -= d.data.byteLength;
    return { data: d.data, address: d.src, port: d.srcPort };
  }

  /** An error from an asynchronous step, delivered the way Node would (see send()). */
  private report(err: NetError, callback: ((err: Error | null) => void) | undefined): void {
    this.later(() => {
      if (callback) callback(err);
      else if (this.listenerCount('error') > 0) this.emit('error', err);
      else if (this.waiters.length > 0) this.waiters.shift()!.reject(err);
      else this.owner.fail(err);
    });
  }

  /** Runs `fn` as the owner's work after everything already due now (Node's next tick, in virtual time). */
  private later(fn: () => void): void {
    this.owner.sim.scheduler.after(0, runLater, { socket: this, incarnation: this.incarnation, fn });
  }
}

function runLater(arg: { socket: UdpSocket; incarnation: number; fn: () => void }): void {
  const owner = arg.socket.owner;
  if (owner.incarnation !== arg.incarnation) return;
  owner.dispatch(() => {
    try {
      arg.fn();
    } catch (err) {
      owner.fail(err);
    }
  });
}
