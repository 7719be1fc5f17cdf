/**
 * A listening TCP server shaped like Node's net.Server: listen(port, backlog, cb), 'connection', 'listening' and
 * 'error' events, close().
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
  /** When listen() took its port; 'listening' is due at that virtual time. */
  private listenedAtUs = -1;
  private listeningScheduled = false;

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

  /**
   * Listens as Node's server.listen does: `listen(port, cb)`, `listen(port, backlog, cb)`,
   * `listen(port, host, backlog, cb)` or `listen({ port, backlog }, cb)`; port 0 or none takes any free port,
   * backlog defaults to 511 (capped at somaxconn), `cb` is a 'listening' listener, and the host is this
   * host's one address whatever is given. A port in use is an 'error' event (EADDRINUSE) a moment later, as
   * in Node, so a listener added after listen() hears it; with none, the actor fails (Node's uncaught error).
   */
  listen(port?: number | { port?: number; backlog?: number }, ...rest: (number | string | (() => void) | undefined)[]): this {
    if (this.listener) throw new NetError('ERR_SERVER_ALREADY_LISTEN', 'listen');
    let backlog = typeof port === 'object' ? port.backlog : undefined;
    const portNumber = (typeof port === 'object' ? port.port : port) ?? 0;
    for (const arg of rest) {
      if (typeof arg === 'function') this.once('listening', arg);
      else if (typeof arg === 'number') backlog = arg;
    }
    try {
      this.listener = this.netHost.tcp.listen(this.owner, portNumber, backlog ?? this.netHost.tcpOptions.defaultBacklog, this);
    } catch (err) {
      if (!(err instanceof NetError)) throw err;
      this.owner.sim.scheduler.after(0, (server: Server) => server.listenFailed(err), this);
      return this;
    }
    this.owner.hold();
    this.listenedAtUs = this.owner.sim.now;
    this.listeningScheduled = false;
    this.scheduleListening();
    return this;
  }

  override on<K extends keyof ServerEvents>(event: K, fn: ServerEvents[K]): this {
    super.on(event, fn);
    if (event === 'listening') this.scheduleListening();
    return this;
  }

  override once<K extends keyof ServerEvents>(event: K, fn: ServerEvents[K]): this {
    super.once(event, fn);
    if (event === 'listening') this.scheduleListening();
    return this;
  }

  /**
   * Node emits 'listening' on the next tick, so `const s = server.listen(80, () => s.address())` works and a
   * listener added just after listen() hears it. Here it is a moment later at the same virtual time, and only
   * once someone listens for it (a server nobody asks about costs no event).
   */
  private scheduleListening(): void {
    if (this.listeningScheduled || this.listener === null || this.listenedAtUs !== this.owner.sim.now || this.listenerCount('listening') === 0) return;
    this.listeningScheduled = true;
    this.owner.sim.scheduler.after(0, emitListening, this as Server);
  }

  /** @internal */
  listened(): void {
    if (this.listener !== null) this.emit('listening');
  }

  /** @internal listen() could not take the port: Node's 'error', or an uncaught error when nobody listens. */
  listenFailed(err: NetError): void {
    if (this.listenerCount('error') > 0) this.emit('error', err);
    else this.owner.fail(new Error(`Unhandled 'error' event: ${err.message}`));
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

function emitListening(server: Server): void {
  server.listened();
}
