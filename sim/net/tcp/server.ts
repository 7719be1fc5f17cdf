/**
 * A listening TCP server shaped like Node's net.Server: listen(port, backlog), 'connection' events, close().
 * By default it accepts as soon as its actor runs (as Node's accept loop does), so a paused process lets its
 * accept queue fill; with `autoAccept: false` connections wait in the queue until accept() takes one.
 */
import type { Actor } from '../../core/actor.js';
import { Emitter } from '../emitter.js';
import { NetError } from '../errors.js';
import type { NetHost } from '../network.js';
import { Socket, type SocketOptions } from './socket.js';
import type { Listener, ListenerUser } from './stack.js';

export interface ServerOptions extends SocketOptions {
  /** Accept connections as they complete (default true). False: only accept() takes them. */
  autoAccept?: boolean;
}

export interface ServerEvents {
  [event: string]: (...args: any[]) => void;
  connection: (socket: Socket) => void;
  listening: () => void;
  close: () => void;
  error: (err: NetError) => void;
}

export class Server extends Emitter<ServerEvents> implements ListenerUser {
  private listener: Listener | null = null;
  private readonly autoAccept: boolean;
  private acceptWaiters: ((s: Socket) => void)[] = [];

  /** @internal */
  constructor(
    owner: Actor,
    private readonly netHost: NetHost,
    private readonly options: ServerOptions,
  ) {
    super(owner);
    this.autoAccept = options.autoAccept ?? true;
  }

  get listening(): boolean {
    return this.listener !== null;
  }

  /** Connections completed and waiting to be accepted. */
  get pendingConnections(): number {
    return this.listener?.acceptQueue.length ?? 0;
  }

  address(): { address: string; port: number } | null {
    return this.listener ? { address: this.netHost.ip, port: this.listener.port } : null;
  }

  /** Listens on `port` (0: any free port) with `backlog` (default 511, capped at somaxconn). Throws EADDRINUSE. */
  listen(port: number, backlog = this.netHost.tcpOptions.defaultBacklog): this {
    if (this.listener) throw new NetError('ERR_SERVER_ALREADY_LISTEN', 'listen');
    this.listener = this.netHost.tcp.listen(this.owner, port, backlog, this);
    this.owner.hold();
    this.emit('listening');
    return this;
  }

  /** Stops listening. Accepted connections stay open; ones still in the accept queue are reset. */
  close(): this {
    const l = this.listener;
    if (!l) return this;
    this.listener = null;
    this.netHost.tcp.unlisten(l);
    this.emit('close');
    this.owner.release();
    return this;
  }

  /** The next connection from the accept queue, waiting for one if it is empty. */
  accept(): Promise<Socket> {
    const ready = this.takeOne();
    if (ready) return Promise.resolve(ready);
    if (!this.listener) return Promise.reject(new NetError('ERR_SERVER_NOT_RUNNING', 'accept'));
    return this.owner.suspend<Socket>(`accept on port ${this.listener.port}`, (resolve) => {
      this.acceptWaiters.push(resolve);
    });
  }

  /** @internal The listener has a new established connection. */
  incoming(): void {
    this.owner.dispatch(() => {
      while (this.acceptWaiters.length > 0) {
        const s = this.takeOne();
        if (!s) return;
        this.acceptWaiters.shift()!(s);
      }
      if (!this.autoAccept) return;
      for (let s = this.takeOne(); s; s = this.takeOne()) this.emit('connection', s);
    });
  }

  private takeOne(): Socket | undefined {
    const c = this.listener?.accept();
    if (!c) return undefined;
    this.netHost.tcp.adopt(c, this.owner);
    const socket = new Socket(this.owner, c, this.options, true);
    // Data that arrived before accept() is waiting in the receive buffer; the socket takes it from here.
    if (c.readableBytes > 0 || c.readEnded) socket.readable();
    return socket;
  }
}
