/**
 * What every server over TCP shares: its listening socket, the connections it has open, and closing them.
 * HTTP/1.1 and HTTP/2 servers differ in what a connection is and how one is closed when the server closes.
 */
import type { ActorContext } from '../core/context.js';
import { netOf } from '../net/api.js';
import type { Server, ServerOptions } from '../net/tcp/server.js';
import type { Socket } from '../net/tcp/socket.js';

export abstract class TcpListener<C> {
  private tcp: Server | null = null;
  private readonly open = new Set<C>();
  private closing = false;

  constructor(readonly ctx: ActorContext) {}

  /** Open connections. */
  get connections(): number {
    return this.open.size;
  }

  address(): { address: string; port: number } | null {
    return this.tcp?.address() ?? null;
  }

  /** Stops listening and closes each open connection the server's way (closeOnShutdown). */
  close(): this {
    this.closing = true;
    this.tcp?.close();
    for (const c of [...this.open]) this.closeOnShutdown(c);
    return this;
  }

  /** @internal */
  get isClosing(): boolean {
    return this.closing;
  }

  /** @internal A connection that has closed. */
  forget(c: C): void {
    this.open.delete(c);
  }

  /**
   * Listens on `port` with `backlog` (default 511, as Node); a port in use fails the actor (EADDRINUSE, an
   * uncaught 'error' in Node). `accept` makes a connection of a socket, or refuses it (null: the socket is
   * destroyed); a closing server refuses every one.
   */
  protected listenOn(port: number, backlog: number | undefined, options: ServerOptions, accept: (socket: Socket, open: number) => C | null): this {
    // Node's HTTP/1.1 server turns Nagle off on accepted sockets (its noDelay defaults to true); the HTTP/2
    // server is given the same here, unverified against Node's http2.
    this.tcp = netOf(this.ctx).createServer({ noDelay: true, ...options }, (socket) => {
      const c = this.closing ? null : accept(socket, this.open.size);
      if (c === null) socket.destroy();
      else this.open.add(c);
    });
    this.tcp.listen(port, backlog);
    return this;
  }

  protected abstract closeOnShutdown(c: C): void;
}
