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
   * `socket.connected()`. An unknown host fails with ENOTFOUND, no free port with EADDRNOTAVAIL.
   */
  connect(options: ConnectOptions): Socket {
    const ip = this.network.lookup(options.host);
    if (ip === undefined || !this.network.find(ip)) {
      return this.failedSocket(new NetError('ENOTFOUND', 'getaddrinfo', options.host), options);
    }
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

  private failedSocket(err: NetError, options: SocketOptions): Socket {
    const socket = new Socket(this.owner, null, options, false);
    // Node reports connect failures asynchronously: the caller gets to attach listeners first.
    this.network.sim.scheduler.after(0, (s: Socket) => s.failBeforeConnect(err), socket);
    return socket;
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
