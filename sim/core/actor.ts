/**
 * An actor's life (start, exit, stop, crash, restart) and what it is waiting on.
 *
 * An actor is a function of its context: a callback actor registers timers and handlers and returns; an
 * async actor awaits `sim.sleep()` and `sim.recv()`. Both end the same way: by calling exit(), or when their
 * main has returned and nothing is left that could call them (no timer, no handler, no pending receive).
 */
import type { ActorContext } from './context.js';
import { describeError } from './errors.js';
import type { Message } from './mailbox.js';
import type { Timer } from './scheduler.js';
import type { Simulation } from './simulation.js';
import type { Micros } from './time.js';
import { formatTimestamp } from './time.js';

export type ActorMain = (sim: ActorContext) => void | Promise<void>;

export type ActorState = 'pending' | 'alive' | 'exited' | 'stopped' | 'crashed' | 'failed';

/**
 * Where an async actor is, as the run loop sees it:
 * running: resumed, its continuation has not yet blocked again; blocked: waiting on a simulator promise;
 * foreign: waiting on a promise the simulator did not create; idle: not executing (callback actors, ended).
 */
export type ActorPhase = 'running' | 'blocked' | 'foreign' | 'idle';

export interface SpawnOptions {
  /** Virtual time to start at (default: now). */
  at?: Micros;
  /**
   * A daemon (a server, say) may wait forever: when nothing else can happen, a daemon still waiting makes
   * the run idle, where any other actor still waiting makes it a deadlock.
   */
  daemon?: boolean;
}

/** What a timer owned by an actor carries. */
export interface OwnedTimer {
  actor: Actor;
  /** 'sleep' resumes an async actor; 'timer' calls a callback. */
  kind: 'sleep' | 'timer';
  callback: (() => void) | null;
  resolve: (() => void) | null;
  timer: Timer<OwnedTimer> | null;
}

export class Actor {
  readonly address: string;
  state: ActorState = 'pending';
  /** Incarnation: 1 on first start, +1 on each restart. Stale contexts of older incarnations are inert. */
  incarnation = 0;
  phase: ActorPhase = 'idle';
  /** @internal */ mainDone = false;
  /** @internal */ readonly timers = new Set<Timer<OwnedTimer>>();
  /** @internal */ inbox: Message[] = [];
  /** @internal */ receiver: ((m: Message) => void) | null = null;
  /** @internal */ handler: ((m: Message) => void) | null = null;
  /** @internal */ stopHooks: (() => void)[] = [];
  /** @internal */ context: ActorContext | null = null;

  /** @internal */
  constructor(
    readonly sim: Simulation,
    readonly hostName: string,
    readonly name: string,
    private readonly main: ActorMain,
    readonly daemon: boolean,
  ) {
    this.address = `${hostName}/${name}`;
  }

  get alive(): boolean {
    return this.state === 'alive';
  }

  /** Starts (or restarts) the actor now: a fresh context, its main called with it. */
  start(): void {
    if (this.state === 'alive') return;
    this.incarnation++;
    this.state = 'alive';
    this.mainDone = false;
    const ctx = this.sim.contextFor(this, this.incarnation);
    this.context = ctx;
    this.record('actor.start', { incarnation: this.incarnation });
    this.setPhase('running');
    let result: void | Promise<void>;
    try {
      result = this.main(ctx);
    } catch (err) {
      this.fail(err);
      return;
    }
    if (result !== undefined && typeof (result as Promise<void>).then === 'function') {
      const incarnation = this.incarnation;
      (result as Promise<void>).then(
        () => {
          if (this.incarnation !== incarnation || this.state !== 'alive') return;
          this.setPhase('idle');
          this.mainDone = true;
          this.endIfNothingLeft();
        },
        (err: unknown) => {
          if (this.incarnation !== incarnation || this.state !== 'alive') return;
          this.fail(err);
        },
      );
    } else if (this.state === 'alive') {
      this.setPhase('idle');
      this.mainDone = true;
      this.endIfNothingLeft();
    }
  }

  /** Ends the actor in order: its stop hooks run (the network closes its sockets gracefully), then it is gone. */
  stop(): void {
    if (this.state !== 'alive') return;
    const hooks = this.stopHooks;
    this.stopHooks = [];
    for (const hook of hooks) {
      try {
        hook();
      } catch (err) {
        this.fail(err);
        return;
      }
    }
    this.end('stopped', 'actor.stop');
  }

  /** Ends the actor at once, mid-step: no hook runs, pending waits never resume. */
  crash(): void {
    if (this.state !== 'alive') return;
    this.end('crashed', 'actor.crash');
  }

  /** Starts a new incarnation of an actor that has ended (any way). */
  restart(): void {
    if (this.state === 'alive') return;
    this.start();
  }

  /** What the actor is waiting on, in words, for deadlock and end-of-run reports. */
  waitingOn(): string[] {
    if (this.state !== 'alive') return [];
    const out: string[] = [];
    for (const t of this.timers) {
      out.push(t.arg.kind === 'sleep' ? `sleep until ${formatTimestamp(t.at)}s` : `timer at ${formatTimestamp(t.at)}s`);
    }
    if (this.receiver) out.push('a message (recv)');
    if (this.handler) out.push('a message (onMessage)');
    if (this.phase === 'foreign') out.push('a promise the simulator did not create');
    if (out.length === 0) out.push(this.mainDone ? 'nothing (it never called exit())' : 'its main to return');
    return out;
  }

  /** @internal An async wait began: the actor is no longer running. */
  block(): void {
    this.setPhase('blocked');
  }

  /** @internal A simulator promise the actor awaits is about to resolve: its continuation will run now. */
  wake(): void {
    this.setPhase('running');
  }

  /** @internal */
  setPhase(phase: ActorPhase): void {
    if (this.phase === phase) return;
    if (this.phase === 'running') this.sim.runningActors--;
    if (phase === 'running') this.sim.runningActors++;
    this.phase = phase;
  }

  /** @internal Ends an actor whose main is done and that nothing can call any more. */
  endIfNothingLeft(): void {
    if (this.state === 'alive' && this.mainDone && this.timers.size === 0 && !this.receiver && !this.handler && this.phase !== 'running') {
      this.end('exited', 'actor.exit');
    }
  }

  /** @internal An exception escaped the actor's code: the actor ends as failed and the run reports it. */
  fail(err: unknown): void {
    if (this.state !== 'alive') return;
    const error = describeError(err);
    this.sim.noteFailure(this, error);
    this.end('failed', 'actor.fail', { error });
  }

  /** @internal */
  end(state: ActorState, kind: string, fields?: Record<string, string>): void {
    for (const t of this.timers) t.cancel();
    this.timers.clear();
    this.inbox = [];
    this.receiver = null;
    this.handler = null;
    this.stopHooks = [];
    this.setPhase('idle');
    this.state = state;
    this.record(kind, fields);
    this.sim.noteActorEnd(this, state);
  }

  private record(kind: string, fields?: Record<string, string | number>): void {
    this.sim.trace.write({ t: this.sim.now, kind, host: this.hostName, actor: this.name, fields });
  }
}
