/**
 * What an actor's code sees: its clock, timers, sleep, randomness, messages and trace. Every call goes
 * through the incarnation that made the context; once that incarnation has ended, the context is inert
 * (sleeps never resume, timers are not set, sends are not made), as a crashed process can do nothing.
 */
import type { Actor, OwnedTimer } from './actor.js';
import type { JsonValue } from './canonical.js';
import { toDistribution, type Distribution, type DistributionSpec } from './distribution.js';
import { SimError } from './errors.js';
import { deliver, type Message } from './mailbox.js';
import type { RandomStream } from './random.js';
import type { Metrics } from './metrics.js';
import type { Timer } from './scheduler.js';
import type { Simulation } from './simulation.js';
import { parseDuration, type Duration, type Micros } from './time.js';
import type { FieldShape, Fields } from './trace.js';

/** Ids a trace record may carry. */
export interface RecordIds {
  conn?: string | number;
  req?: string | number;
}

export interface SendOptions {
  /** One-way latency; default: the simulation's `messageLatency`. */
  latency?: Distribution | DistributionSpec;
}

/** A promise that never settles: what a dead incarnation's waits become. */
const never = new Promise<never>(() => {});

export class ActorContext {
  /** @internal */
  constructor(
    private readonly actor: Actor,
    private readonly incarnation: number,
    private readonly sim: Simulation,
  ) {}

  /** 'host/actor'. */
  get address(): string {
    return this.actor.address;
  }
  get name(): string {
    return this.actor.name;
  }
  get host(): string {
    return this.actor.hostName;
  }
  /** Current virtual time, microseconds. */
  get now(): Micros {
    return this.sim.now;
  }
  /** False once this incarnation has ended (exit, stop, crash, failure). */
  get alive(): boolean {
    return this.actor.incarnation === this.incarnation && this.actor.alive;
  }
  /**
   * True once this incarnation was crashed, killed or stopped: the process is gone, and what it held (sockets,
   * pooled connections) with it. A normal exit is not that: what it left open is still its doing.
   */
  get gone(): boolean {
    return this.actor.incarnation !== this.incarnation || this.actor.state === 'crashed' || this.actor.state === 'stopped';
  }
  get metrics(): Metrics {
    return this.sim.metrics;
  }

  /** Resumes after `duration` of virtual time. */
  sleep(duration: Duration): Promise<void> {
    if (!this.alive) return never;
    const delayUs = parseDuration(duration, 'sleep');
    return new Promise<void>((resolve) => {
      this.own('sleep', delayUs, null, resolve);
      this.actor.block();
    });
  }

  /** Calls `callback` after `duration`. Cancel with the returned timer's cancel(). */
  timer(duration: Duration, callback: () => void): Timer<OwnedTimer> | null {
    if (!this.alive) return null;
    return this.own('timer', parseDuration(duration, 'timer'), callback, null);
  }

  /** The next message for this actor, in arrival order. One recv may be pending at a time. */
  recv(): Promise<Message> {
    if (!this.alive) return never;
    const actor = this.actor;
    const queued = actor.inbox.shift();
    if (queued !== undefined) return Promise.resolve(queued);
    if (actor.receiver || actor.handler) {
      throw new SimError('ERR_RECV_BUSY', `${actor.address}: recv() while another recv() or onMessage handler is waiting`);
    }
    return new Promise<Message>((resolve) => {
      actor.receiver = resolve;
      actor.block();
    });
  }

  /** Calls `handler` for each message as it arrives (and now for any already queued). */
  onMessage(handler: ((m: Message) => void) | null): void {
    if (!this.alive) return;
    const actor = this.actor;
    if (handler && actor.receiver) throw new SimError('ERR_RECV_BUSY', `${actor.address}: onMessage() while a recv() is pending`);
    actor.handler = handler;
    while (handler && actor.handler === handler && actor.alive && actor.inbox.length > 0) deliver(actor, actor.inbox.shift()!);
    actor.endIfNothingLeft();
  }

  /** Sends `payload` to the actor at `to` ('host/actor'); it arrives after the latency, if that actor is alive then. */
  send(to: string, payload: JsonValue, options: SendOptions = {}): void {
    if (!this.alive) return;
    this.sim.sendMessage(this.actor, to, payload, options.latency);
  }

  /** A named random stream private to this actor (its name is prefixed with the actor's address). */
  random(name: string): RandomStream {
    return this.sim.random.stream(`${this.actor.address}/${name}`);
  }

  /** One sample of a distribution from this actor's stream `streamName`. */
  sample(dist: Distribution | DistributionSpec, streamName: string): Micros {
    return toDistribution(dist).sample(this.random(streamName));
  }

  /** Writes a trace record stamped with now, this host and this actor. */
  trace(kind: string, fields?: Fields, ids?: RecordIds, shape?: FieldShape): void {
    if (!this.alive) return;
    const record = { t: this.sim.now, kind, host: this.actor.hostName, actor: this.actor.name, conn: ids?.conn, req: ids?.req, fields };
    if (shape === undefined) this.sim.trace.write(record);
    else this.sim.trace.writeShaped(record, shape);
  }

  /** Runs `hook` when the actor is stopped gracefully (not on crash). */
  onStop(hook: () => void): void {
    if (this.alive) this.actor.stopHooks.push(hook);
  }

  /**
   * A service bound to this actor's incarnation, made on first use by the factory registered under `name`
   * with Simulation.provide() (the network registers 'net': sockets owned by this actor).
   */
  service<T>(name: string): T {
    const actor = this.actor;
    if (!this.alive) throw new SimError('ERR_ACTOR_ENDED', `${actor.address}: service('${name}') from an incarnation that has ended`);
    let value = actor.services.get(name);
    if (value === undefined) {
      value = this.sim.makeService(name, actor);
      actor.services.set(name, value);
    }
    return value as T;
  }

  /**
   * A promise settled by another layer (a pool handing out a connection, a socket read), made so the run
   * loop resumes this actor at the virtual time it is settled. See Actor.suspend.
   */
  suspend<T>(label: string, executor: (resolve: (value: T) => void, reject: (err: unknown) => void) => void): Promise<T> {
    if (!this.alive) return never;
    return this.actor.suspend(label, executor);
  }

  /**
   * Starts a concurrent task in this actor (Go's `go`, an un-awaited async call): `task()` runs now; an
   * exception or rejection from it fails the actor. Prefer it to a bare `void task()`: the run loop then
   * knows when the task is done and need not wait to be sure.
   */
  go(task: () => Promise<unknown> | void): void {
    if (!this.alive) return;
    let result: Promise<unknown> | void;
    try {
      result = task();
    } catch (err) {
      this.actor.fail(err);
      return;
    }
    if (result && typeof (result as Promise<unknown>).then === 'function') this.actor.trackTask(result as Promise<unknown>);
  }

  /** Runs `fn` as this actor's work: now, or when a pause is over. */
  dispatch(fn: () => void): void {
    if (this.alive) this.actor.dispatch(fn);
  }

  /** The simulation this actor lives in (for layers that schedule timers or write metrics). */
  get simulation(): Simulation {
    return this.sim;
  }

  /** Ends this actor now. */
  exit(): void {
    if (this.alive) this.actor.end('exited', 'actor.exit');
  }

  private own(kind: 'sleep' | 'timer', delayUs: Micros, callback: (() => void) | null, resolve: (() => void) | null): Timer<OwnedTimer> {
    const owned: OwnedTimer = { actor: this.actor, kind, callback, resolve, timer: null };
    const timer = this.sim.scheduler.after(delayUs, fireOwned, owned);
    owned.timer = timer;
    timer.onCancel = forgetOwned;
    this.actor.timers.add(timer);
    return timer;
  }
}

function forgetOwned(timer: Timer<OwnedTimer>): void {
  timer.arg.actor.timers.delete(timer);
}

function fireOwned(owned: OwnedTimer): void {
  const actor = owned.actor;
  actor.timers.delete(owned.timer!);
  actor.dispatch(() => runOwned(owned));
}

function runOwned(owned: OwnedTimer): void {
  const actor = owned.actor;
  if (owned.resolve) {
    actor.wake();
    owned.resolve();
    return;
  }
  try {
    owned.callback!();
  } catch (err) {
    actor.fail(err);
  }
  actor.endIfNothingLeft();
}
