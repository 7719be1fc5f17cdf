/**
 * A host's TCP: the connection table, listeners with their accept queues, ephemeral ports, and the replies
 * the kernel makes on its own (RST for a port with no listener or a segment for no connection).
 */
import type { Actor } from '../../core/actor.js';
import type { RandomStream } from '../../core/random.js';
import type { Simulation } from '../../core/simulation.js';
import { EPHEMERAL_PORT_MAX, EPHEMERAL_PORT_MIN } from '../address.js';
import { NetError } from '../errors.js';
import type { Network, NetHost } from '../network.js';
import { ACK, FIN, RST, SYN, type TcpSegment } from '../packet.js';
import { Connection, type TcpState } from './connection.js';

/** The listener's view of the server object above it. */
export interface ListenerUser {
  /** A connection completed its handshake and waits in the accept queue. */
  incoming(): void;
}

/** A listening port: half-open connections, and established ones waiting for accept(). */
export class Listener {
  /** Established connections not yet accepted, oldest first. */
  readonly acceptQueue: Connection[] = [];
  closed = false;

  constructor(
    readonly stack: TcpStack,
    readonly port: number,
    /** listen()'s backlog after the somaxconn cap; the queue holds backlog + 1 (Linux sk_acceptq_is_full). */
    readonly backlog: number,
    readonly owner: Actor,
    readonly user: ListenerUser,
  ) {}

  get full(): boolean {
    return this.acceptQueue.length > this.backlog;
  }

  /** A SYN_RECV connection got its final ACK: may it become established? Not when the queue is full. */
  admit(c: Connection): boolean {
    if (this.closed) {
      c.abort();
      return false;
    }
    if (!this.full) return true;
    const reset = this.stack.host.tcpOptions.abortOnOverflow;
    this.stack.count('tcp.drop.accept-queue-full');
    this.stack.trace(c, 'tcp.accept-queue-full', { backlog: this.backlog, action: reset ? 'rst' : 'ignore-ack' });
    if (reset) c.abort();
    return false;
  }

  /** The connection is established: it waits for accept(). */
  enqueue(c: Connection): void {
    this.acceptQueue.push(c);
    this.user.incoming();
  }

  /** Takes the oldest established connection, if any. */
  accept(): Connection | undefined {
    // Connections reset or closed while they waited are skipped.
    for (;;) {
      const c = this.acceptQueue.shift();
      if (!c || c.state !== 'CLOSED') return c;
    }
  }
}

export class TcpStack {
  readonly sim: Simulation;
  private readonly connections = new Map<string, Connection>();
  private readonly listeners = new Map<number, Listener>();
  private readonly owners = new Map<Connection, Actor>();
  private nextPort: number;
  /** Connections per remote ip:port, so a destination whose ports are all taken fails at once, not after a scan. */
  private readonly perDestination = new Map<string, number>();
  private readonly isn: RandomStream;

  /** `firstPort`: where the ephemeral port search starts (a rebooted host starts at a drawn port: NetHost.wipe). */
  constructor(
    readonly net: Network,
    readonly host: NetHost,
    firstPort = EPHEMERAL_PORT_MIN,
  ) {
    this.sim = net.sim;
    this.isn = net.sim.random.stream(`net/${host.name}/tcp-isn`);
    this.nextPort = firstPort;
  }

  // ---- Opening ----

  /**
   * Active open from `owner` to remoteIp:remotePort, from `boundPort` if given (EADDRINUSE when its 4-tuple
   * or a listener has it), else from an ephemeral port (EADDRNOTAVAIL when none is free).
   */
  connect(owner: Actor, remoteIp: string, remotePort: number, boundPort?: number): Connection {
    if (boundPort !== undefined && (this.listeners.has(boundPort) || this.connections.has(key(boundPort, remoteIp, remotePort)))) {
      this.count('tcp.errors.EADDRINUSE');
      throw new NetError('EADDRINUSE', 'connect', remoteIp, remotePort);
    }
    const localPort = boundPort ?? this.allocatePort(remoteIp, remotePort);
    if (localPort === undefined) {
      this.count('tcp.errors.EADDRNOTAVAIL');
      throw new NetError('EADDRNOTAVAIL', 'connect', remoteIp, remotePort);
    }
    const remoteName = this.net.find(remoteIp)?.name ?? remoteIp;
    const c = new Connection(this, this.host.tcpOptions, this.host.ip, localPort, remoteIp, remotePort, `${this.host.name}:${localPort}>${remoteName}:${remotePort}`);
    this.register(c, owner);
    c.connect(this.nextIsn());
    return c;
  }

  /** Starts listening on `port` (0: an ephemeral port). Throws EADDRINUSE. */
  listen(owner: Actor, port: number, backlog: number, user: ListenerUser): Listener {
    if (port === 0) port = this.allocatePort('0.0.0.0', 0) ?? 0;
    if (port === 0 || this.listeners.has(port)) throw new NetError('EADDRINUSE', 'listen', '0.0.0.0', port);
    const capped = Math.max(0, Math.min(backlog, this.host.tcpOptions.somaxconn));
    const l = new Listener(this, port, capped, owner, user);
    this.listeners.set(port, l);
    this.sim.trace.write({ t: this.sim.now, kind: 'tcp.listen', host: this.host.name, actor: owner.name, fields: { port, backlog: capped } });
    return l;
  }

  /**
   * Stops listening (close(2) on the listening socket, Linux's inet_csk_listen_stop): connections still in the
   * accept queue are reset; half-open ones (SYN_RECV) are forgotten without a segment, so the client's final
   * ACK finds no socket and draws an RST, and a new SYN finds no listener (RST: ECONNREFUSED).
   */
  unlisten(l: Listener): void {
    if (l.closed) return;
    l.closed = true;
    if (this.listeners.get(l.port) === l) this.listeners.delete(l.port);
    for (const c of l.acceptQueue.splice(0)) c.abort();
    for (const c of [...this.connections.values()]) if (c.listener === l && c.state === 'SYN_RECV') c.forget();
    this.sim.trace.write({ t: this.sim.now, kind: 'tcp.unlisten', host: this.host.name, fields: { port: l.port } });
  }

  /** Gives an accepted connection to its new owner. */
  adopt(c: Connection, owner: Actor): void {
    if (this.connections.get(key(c.localPort, c.remoteIp, c.remotePort)) === c) this.owners.set(c, owner);
  }

  /** The application closed its socket: the connection finishes on the kernel's own (FIN, TIME_WAIT). */
  disown(c: Connection): void {
    this.owners.delete(c);
  }

  // ---- Arrival ----

  receive(seg: TcpSegment): void {
    this.count('tcp.segments.received');
    const c = this.connections.get(key(seg.dstPort, seg.src, seg.srcPort));
    if (c) {
      c.segmentArrived(seg);
      return;
    }
    if (seg.flags & RST) return; // never answer a reset
    const l = this.listeners.get(seg.dstPort);
    if (l && seg.flags & SYN && !(seg.flags & ACK)) {
      this.syn(l, seg);
      return;
    }
    this.count(l ? 'tcp.rst.no-connection' : 'tcp.rst.no-listener');
    this.replyReset(seg);
  }

  private syn(l: Listener, seg: TcpSegment): void {
    if (l.full) {
      // Linux drops the SYN when the accept queue is full; the client retries on its SYN schedule.
      this.count('tcp.drop.listen-overflow');
      this.sim.trace.write({ t: this.sim.now, kind: 'tcp.syn-dropped', host: this.host.name, fields: { port: l.port, from: `${seg.src}:${seg.srcPort}`, reason: 'accept queue full' } });
      return;
    }
    const clientName = this.net.find(seg.src)?.name ?? seg.src;
    const c = new Connection(this, this.host.tcpOptions, this.host.ip, l.port, seg.src, seg.srcPort, `${clientName}:${seg.srcPort}>${this.host.name}:${l.port}`);
    c.listener = l;
    this.register(c, l.owner);
    c.acceptSyn(seg, this.nextIsn());
  }

  /** The kernel's reset for a segment that belongs to nothing here (tcp_v4_send_reset). */
  private replyReset(seg: TcpSegment): void {
    const len = (seg.data?.byteLength ?? 0) + (seg.flags & SYN ? 1 : 0) + (seg.flags & FIN ? 1 : 0);
    const withAck = !(seg.flags & ACK);
    this.net.transmit({
      proto: 'tcp',
      id: this.net.nextPacketId(),
      src: seg.dst,
      srcPort: seg.dstPort,
      dst: seg.src,
      dstPort: seg.srcPort,
      seq: withAck ? 0 : seg.ack,
      ack: withAck ? seg.seq + len : 0,
      flags: withAck ? RST | ACK : RST,
      window: 0,
      data: null,
    });
  }

  // ---- Sending ----

  /** @internal */
  sendSegment(c: Connection, seq: number, ack: number, flags: number, data: Uint8Array | null): void {
    this.count('tcp.segments.sent');
    this.net.transmit({
      proto: 'tcp',
      id: this.net.nextPacketId(),
      src: c.localIp,
      srcPort: c.localPort,
      dst: c.remoteIp,
      dstPort: c.remotePort,
      seq,
      ack,
      flags,
      window: c.windowToAdvertise(),
      data,
    });
  }

  // ---- Bookkeeping ----

  /** @internal A connection reached CLOSED: its 4-tuple (and port) are free again. */
  release(c: Connection): void {
    const k = key(c.localPort, c.remoteIp, c.remotePort);
    if (this.connections.get(k) === c) {
      this.connections.delete(k);
      const dest = `${c.remoteIp}:${c.remotePort}`;
      const n = (this.perDestination.get(dest) ?? 1) - 1;
      if (n === 0) this.perDestination.delete(dest);
      else this.perDestination.set(dest, n);
    }
    this.owners.delete(c);
  }

  /** The host vanished (crash): every connection and listener is gone, silently. */
  vanish(): void {
    for (const c of this.connections.values()) c.vanish();
    this.connections.clear();
    this.listeners.clear();
    this.owners.clear();
    this.perDestination.clear();
  }

  /**
   * The actor ended, however it ended (exit, stop, kill, an uncaught error): the kernel closes its descriptors
   * as close(2) would. Listeners close (unlisten); each connection sends its FIN after the data the kernel
   * holds, or an RST when received data was left unread (Connection.close).
   */
  closeOwnedBy(actor: Actor): void {
    for (const l of [...this.listeners.values()]) if (l.owner === actor) this.unlisten(l);
    for (const [c, owner] of [...this.owners]) if (owner === actor) c.close();
  }

  /** The first RTO that was not backed off (Connection.auditBackoff), for the tcp-backoff invariant. */
  backoffBreach: { message: string; atUs: number } | null = null;

  /** @internal */
  noteBackoffBreach(atUs: number, message: string): void {
    this.backoffBreach ??= { message, atUs };
  }

  /** Connections in one of `states`, with how long they have been in it and their peer, for invariants and reports. */
  connectionsIn(states: readonly TcpState[]): { id: string; state: TcpState; sinceUs: number; remoteIp: string }[] {
    const out: { id: string; state: TcpState; sinceUs: number; remoteIp: string }[] = [];
    for (const c of this.connections.values()) if (states.includes(c.state)) out.push({ id: c.id, state: c.state, sinceUs: c.stateSinceUs, remoteIp: c.remoteIp });
    return out;
  }

  /** Connections in the table (including TIME_WAIT), for tests and reports. */
  connectionCount(): number {
    return this.connections.size;
  }

  /** @internal */
  count(name: string): void {
    this.sim.metrics.counter(name).inc();
  }

  /** @internal */
  trace(c: Connection, kind: string, fields: Record<string, string | number>): void {
    this.sim.trace.write({ t: this.sim.now, kind, host: this.host.name, conn: c.id, fields });
  }

  private register(c: Connection, owner: Actor): void {
    this.connections.set(key(c.localPort, c.remoteIp, c.remotePort), c);
    this.owners.set(c, owner);
    const dest = `${c.remoteIp}:${c.remotePort}`;
    this.perDestination.set(dest, (this.perDestination.get(dest) ?? 0) + 1);
  }

  private nextIsn(): number {
    return this.isn.int(0, 0xffffffff);
  }

  /**
   * A local port for a connection to remoteIp:remotePort: one whose 4-tuple is free and no listener holds,
   * searched from where the last search ended (so TIME_WAIT ports are not reused until their 60 s pass).
   */
  private allocatePort(remoteIp: string, remotePort: number): number | undefined {
    const span = EPHEMERAL_PORT_MAX - EPHEMERAL_PORT_MIN + 1;
    if (remotePort !== 0 && (this.perDestination.get(`${remoteIp}:${remotePort}`) ?? 0) >= span) return undefined;
    for (let i = 0; i < span; i++) {
      const port = this.nextPort;
      this.nextPort = port === EPHEMERAL_PORT_MAX ? EPHEMERAL_PORT_MIN : port + 1;
      if (this.listeners.has(port)) continue;
      if (remotePort === 0 ? this.portInUse(port) : this.connections.has(key(port, remoteIp, remotePort))) continue;
      return port;
    }
    return undefined;
  }

  private portInUse(port: number): boolean {
    for (const c of this.connections.values()) if (c.localPort === port) return true;
    return false;
  }
}

function key(localPort: number, remoteIp: string, remotePort: number): string {
  return `${localPort}|${remoteIp}|${remotePort}`;
}
