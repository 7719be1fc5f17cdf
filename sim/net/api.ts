/**
 * What an actor's code uses for the network, bound to its host and to itself as the owner of every socket it
 * opens: `const net = sim.service<NetApi>('net')` (or `netOf(sim)`), then `net.connect()`,
 * `net.createServer()`, `net.createSocket('udp4')` — shaped like Node's `net` and `dgram`.
 */
import type { Actor } from '../core/actor.js';
import type { ActorContext } from '../core/context.js';
import type { Network, NetHost } from './network.js';
import type { UdpSocket, UdpSocketOptions } from './udp.js';
import { NetError } from './errors.js';
import { Server, type ServerOptions } from './tcp/server.js';
import { Socket, type SocketOptions } from './tcp/socket.js';

export interface ConnectOptions extends SocketOptions {
  /** Host name or IPv4 address. */
  host: string;
  port: number;
  /** Connect from this local port (Node's localPort) instead of an ephemeral one; EADDRINUSE if its 4-tuple is taken. */
  localPort?: number;
  /** Node's connect `timeout`: socket.setTimeout(timeout) before connecting, ms ('timeout' event; nothing is closed). Virtual time: the simulated clock, no real timer. */
  timeout?: number;
}

export class NetApi {
  /** @internal */
  constructor(
    readonly network: Network,
    readonly netHost: NetHost,
    readonly owner: Actor,
  ) {}

  /** This host's address. */
  get address(): string {
    return this.netHost.ip;
  }

  /** Name lookup: the address of a host name, or undefined (an address answers itself). */
  lookup(hostname: string): string | undefined {
    return this.network.lookup(hostname);
  }

  /**
   * Opens a TCP connection (net.connect). Returns at once; 'connect' or 'error' follows, or await
   * `socket.connected()`. A host name nobody has fails with ENOTFOUND (DNS), an address nobody has with
   * EHOSTUNREACH once ARP gives up (3 s: neighbour.ts), no free port with EADDRNOTAVAIL.
   */
  connect(options: ConnectOptions): Socket {
    const socket = this.open(options);
    if (options.timeout !== undefined) socket.setTimeout(options.timeout); // virtual time: Node's socket idle timeout, on the simulated clock (no real timer)
    return socket;
  }

  private open(options: ConnectOptions): Socket {
    const ip = this.network.lookup(options.host);
    if (ip === undefined) return this.failedSocket(new NetError('ENOTFOUND', 'getaddrinfo', options.host), options);
    if (!this.network.find(ip)) return this.unreachableSocket(ip, options);
    let conn;
    try {
      conn = this.netHost.tcp.connect(this.owner, ip, options.port, options.localPort);
    } catch (err) {
      if (err instanceof NetError) return this.failedSocket(err, options);
      throw err;
    }
    return new Socket(this.owner, conn, options, false);
  }

  /** connect() and wait for the handshake: resolves with the socket or rejects with the connect error. */
  connectAsync(options: ConnectOptions): Promise<Socket> {
    return this.connect(options).connected();
  }

  /** A TCP server (net.createServer); call listen(port) on it. */
  createServer(options: ServerOptions | ((socket: Socket) => void) = {}, onConnection?: (socket: Socket) => void): Server {
    const opts = typeof options === 'function' ? {} : options;
    const server = new Server(this.owner, this.netHost, opts);
    const listener = typeof options === 'function' ? options : onConnection;
    if (listener) server.on('connection', listener);
    return server;
  }

  private failedSocket(err: NetError, options: SocketOptions, afterUs = 0): Socket {
    const socket = new Socket(this.owner, null, options, false);
    // Node reports connect failures asynchronously: the caller gets to attach listeners first.
    this.network.sim.scheduler.after(afterUs, (s: Socket) => s.failBeforeConnect(err), socket);
    return socket;
  }

  /**
   * A connect to an on-link address no host has: the SYN waits for ARP, which fails after 3 s (EHOSTUNREACH),
   * unless the SYN retries run out first (ETIMEDOUT: tcp_syn_retries 0 gives up at 1 s).
   */
  private unreachableSocket(ip: string, options: ConnectOptions): Socket {
    const now = this.network.sim.now;
    const unreachableUs = this.netHost.neighbours.unreachableAtUs(ip, now) - now;
    const o = this.netHost.tcpOptions;
    let synGiveUpUs = 0;
    for (let i = 0, rto = o.initialRtoMs * 1000; i <= o.synRetries && synGiveUpUs < unreachableUs; i++, rto = Math.min(rto * 2, o.maxRtoMs * 1000)) synGiveUpUs += rto;
    const code = synGiveUpUs < unreachableUs ? 'ETIMEDOUT' : 'EHOSTUNREACH';
    this.network.sim.metrics.counter(`tcp.errors.${code}`).inc();
    return this.failedSocket(new NetError(code, 'connect', ip, options.port), options, Math.min(synGiveUpUs, unreachableUs));
  }

  /** A UDP socket (dgram.createSocket('udp4')). */
  createSocket(options: UdpSocketOptions | 'udp4' = 'udp4'): UdpSocket {
    return this.netHost.udp.createSocket(this.owner, typeof options === 'string' ? {} : options);
  }
}

/** The network API of an actor's context. */
export function netOf(ctx: ActorContext): NetApi {
  return ctx.service<NetApi>('net');
}
