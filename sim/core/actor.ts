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
  /** True between pause() and resume(): nothing of the actor's runs, what is due waits. */
  paused = false;
  /** @internal Work that came due while paused, in the order it came. */
  deferred: (() => void)[] = [];
  /**
   * Things outside the core that can still call into this actor (open sockets, listening servers): while
   * any is held, a callback actor whose main has returned is not finished. Layers hold() and release().
   */
  holds = 0;
  /** @internal What suspend() calls are waiting on, for reports. */
  readonly suspensions = new Set<{ label: string }>();
  /** @internal Per-incarnation services (a network API bound to this actor, say), by name. */
  services = new Map<string, unknown>();

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

  /**
   * Starts (or restarts) the actor now: a fresh context, its main called with it. On a paused host
   * (`paused`), it starts frozen: main runs at resume.
   */
  start(paused = false): void {
    if (this.state === 'alive') return;
    this.incarnation++;
    this.state = 'alive';
    this.mainDone = false;
    this.paused = false;
    this.deferred = [];
    this.holds = 0;
    this.services = new Map();
    const ctx = this.sim.contextFor(this, this.incarnation);
    this.context = ctx;
    this.record('actor.start', { incarnation: this.incarnation });
    if (paused) {
      this.pause();
      this.deferred.push(() => this.runMain(ctx));
      return;
    }
    this.runMain(ctx);
  }

  private runMain(ctx: ActorContext): void {
    this.setPhase('running');
    let result: void | Promise<void>;
    try {
      result = this.main(ctx);
    } catch (err) {
      this.fail(err);
      return;
    }
    if (result !== undefined && typeof (result as Promise<void>).then === 'function') {
      this.noteAsync();
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

  /** Freezes the actor (SIGSTOP): timers and messages that come due wait until resume(). */
  pause(): void {
    if (this.state !== 'alive' || this.paused) return;
    this.paused = true;
    this.record('actor.pause');
  }

  /**
   * Thaws a paused actor: what came due meanwhile runs now, in the order it came, one event each; work that
   * comes due before that backlog is done queues behind it.
   */
  resume(): void {
    if (this.state !== 'alive' || !this.paused) return;
    this.paused = false;
    this.record('actor.resume');
    if (this.deferred.length > 0) this.scheduleDrain();
  }

  /** True while the actor's work must wait: paused, or a backlog from a pause still draining. */
  get deferring(): boolean {
    return this.paused || this.deferred.length > 0;
  }

  /**
   * Runs `fn` as the actor's own work: now, or in order after work held back by a pause; never if it has
   * ended. Layers that call into actor code (socket events) go through this, so a paused process is frozen.
   */
  dispatch(fn: () => void): void {
    if (this.state !== 'alive') return;
    if (this.deferring) this.deferred.push(fn);
    else fn();
  }

  /** @internal Runs the oldest held-back piece of work (one event), and schedules the next. */
  drainOne(incarnation: number): void {
    if (this.incarnation !== incarnation || this.state !== 'alive' || this.paused) return;
    const fn = this.deferred.shift();
    if (fn) fn();
    if (this.state !== 'alive') return;
    if (this.deferred.length > 0 && !this.paused) this.scheduleDrain();
    else this.endIfNothingLeft();
  }

  private scheduleDrain(): void {
    this.sim.scheduler.after(0, runDeferred, { actor: this, incarnation: this.incarnation });
  }

  /**
   * A promise for async actor code that another layer settles (a socket read, say), made so the run loop
   * knows the actor is waiting on the simulator and resumes it at the virtual time it is settled.
   * `executor` gets settle functions; calling them after the incarnation ended does nothing.
   */
  suspend<T>(label: string, executor: (resolve: (value: T) => void, reject: (err: unknown) => void) => void): Promise<T> {
    if (this.state !== 'alive') return new Promise<T>(() => {});
    const incarnation = this.incarnation;
    const token = { label };
    return new Promise<T>((resolve, reject) => {
      let settled = false;
      const settle = (fn: () => void) => {
        if (settled) return;
        settled = true;
        if (this.incarnation !== incarnation || this.state !== 'alive') return;
        // A paused actor resumes from the wait only when it is thawed.
        this.dispatch(() => {
          this.suspensions.delete(token);
          this.wake();
          fn();
        });
      };
      this.suspensions.add(token);
      this.block();
      try {
        executor(
          (value) => settle(() => resolve(value)),
          (err) => settle(() => reject(err)),
        );
      } catch (err) {
        settle(() => reject(err));
      }
    });
  }

  /**
   * Follows an async function the actor's code started and did not await (a request handler, a task per
   * request). When it settles, its last step has run: if that step came from a wake, the actor is no longer
   * running, so the run loop need not wait for it. A rejection fails the actor, as an unhandled rejection
   * ends a Node process.
   */
  trackTask(task: PromiseLike<unknown>): void {
    this.noteAsync();
    const incarnation = this.incarnation;
    task.then(
      () => {
        if (this.incarnation !== incarnation || this.state !== 'alive') return;
        if (this.phase === 'running') this.setPhase('idle');
        this.endIfNothingLeft();
      },
      (err: unknown) => {
        if (this.incarnation !== incarnation || this.state !== 'alive') return;
        this.fail(err);
      },
    );
  }

  private isAsync = false;

  /** The actor runs async code: from now on the run loop gives plain promises a few turns after each event. */
  private noteAsync(): void {
    if (this.isAsync) return;
    this.isAsync = true;
    this.sim.asyncActors++;
  }

  /** A layer now holds a way to call into the actor (an open socket). */
  hold(): void {
    this.holds++;
  }

  /** The layer let go of it; the actor may now be finished. */
  release(): void {
    if (this.holds > 0) this.holds--;
    this.endIfNothingLeft();
  }

  /** What the actor is waiting on, in words, for deadlock and end-of-run reports. */
  waitingOn(): string[] {
    if (this.state !== 'alive') return [];
    const out: string[] = [];
    for (const t of this.timers) {
      out.push(t.arg.kind === 'sleep' ? `sleep until ${formatTimestamp(t.at)}s` : `timer at ${formatTimestamp(t.at)}s`);
    }
    if (this.receiver) out.push('a message (recv)');
    for (const s of this.suspensions) out.push(s.label);
    if (this.holds > 0 && this.suspensions.size === 0) out.push(`events from ${this.holds} open handle${this.holds === 1 ? '' : 's'} (sockets, servers)`);
    if (this.handler) out.push('a message (onMessage)');
    // An actor that also waits on the simulator (a socket, a timer) is most likely running a second task there.
    if (this.phase === 'foreign' && out.length === 0 && this.holds === 0 && this.suspensions.size === 0) out.push('a promise the simulator did not create');
    if (this.paused) out.push(`resume (paused, ${this.deferred.length} due)`);
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
    else if (this.phase === 'foreign') this.sim.foreignActors--;
    if (phase === 'running') this.sim.runningActors++;
    else if (phase === 'foreign') this.sim.foreignActors++;
    this.phase = phase;
  }

  /** @internal Ends an actor whose main is done and that nothing can call any more. */
  endIfNothingLeft(): void {
    if (
      this.state === 'alive' &&
      this.mainDone &&
      this.timers.size === 0 &&
      !this.receiver &&
      !this.handler &&
      this.suspensions.size === 0 &&
      this.holds === 0 &&
      this.deferred.length === 0 &&
      this.phase !== 'running'
    ) {
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
    this.deferred = [];
    this.suspensions.clear();
    this.holds = 0;
    this.paused = false;
    this.setPhase('idle');
    this.state = state;
    this.record(kind, fields);
    this.sim.noteActorEnd(this, state);
  }

  /** @internal */
  record(kind: string, fields?: Record<string, string | number>): void {
    this.sim.trace.write({ t: this.sim.now, kind, host: this.hostName, actor: this.name, fields });
  }
}

function runDeferred(arg: { actor: Actor; incarnation: number }): void {
  arg.actor.drainOne(arg.incarnation);
}
