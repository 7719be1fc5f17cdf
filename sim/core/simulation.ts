/**
 * One simulated world: the clock and its queue, randomness, trace, metrics, hosts and their actors, and the
 * run loop that drives them. Everything that happens in a run happens inside `run()`, at virtual times.
 */
import { FAULTLINE_VERSION } from '../version.js';
import type { Actor, ActorState } from './actor.js';
import type { JsonValue } from './canonical.js';
import { ActorContext } from './context.js';
import { distribution, fdbLatency, toDistribution, type Distribution, type DistributionSpec } from './distribution.js';
import { SimError } from './errors.js';
import { Host, type HostEvent } from './host.js';
import { deliver, type Message } from './mailbox.js';
import { Metrics } from './metrics.js';
import { Randomness, type Seed } from './random.js';
import { Scheduler, type Timer } from './scheduler.js';
import { enterRun, leaveRun, outsideRun, outsideRunSync, type GuardSession } from './real-world-guard.js';
import { yieldToHost } from './settle.js';
import { formatTimestamp, parseDuration, type Duration, type Micros } from './time.js';
import { Trace, type Fields, type TraceSink } from './trace.js';

export interface SimulationOptions {
  /** Root seed: every random draw in the run derives from it. */
  seed: Seed;
  /** Scenario name, for the trace header. */
  scenario?: string;
  /** Scenario parameters, for the trace header. */
  params?: JsonValue;
  /** Fault schedule, for the trace header. */
  faults?: JsonValue;
  /** Where trace records go (they are always digested). */
  sinks?: TraceSink[];
  /** Default one-way latency of in-core messages. Default: FoundationDB's shape (fdbLatency). */
  messageLatency?: DistributionSpec;
  /**
   * full (default): every record, packets and request spans included. light: neither packets nor request
   * spans are traced (a chaos run's speed); the rest is, and the digest covers what is traced.
   */
  traceDetail?: TraceDetail;
  /**
   * Steps each gauge keeps exactly, besides its run-long buckets (default 4096: memory flat in the run's
   * length). Infinity keeps every step: a test comparing a reading of the trace against the whole truth.
   */
  gaugeExactSteps?: number;
}

export type TraceDetail = 'full' | 'light';

export interface RunOptions {
  /** Virtual time to stop at (absolute); events due at exactly this time still fire. Default: no limit. */
  until?: Duration;
  /** Stop after firing this many events in this call. Default: no limit. */
  maxEvents?: number;
  /** Called between events as the run goes (a terminal's status line); the run is the same with or without it. */
  progress?: ProgressHook;
}

/**
 * A look at a run under way, every `everyEvents` events fired, after the resumed actors have settled. `report`
 * is the host's code, not the simulation's: it runs with the real-world traps lifted (it may read the real
 * clock) and may read the simulation's state, but must never change it, or the run would depend on it.
 */
export interface ProgressHook {
  everyEvents: number;
  report(): void;
}

/**
 * Why a run stopped. idle: nothing can happen any more and no actor but daemons waits; deadlock: nothing can
 * happen any more yet a non-daemon actor still waits; until / maxEvents: the limit was reached.
 */
export type StopReason = 'idle' | 'deadlock' | 'until' | 'maxEvents';

export interface ActorWait {
  actor: string;
  daemon: boolean;
  on: string[];
}

export interface ActorFailure {
  actor: string;
  atUs: Micros;
  error: string;
}

export interface RunResult {
  scenario: string;
  seed: Seed;
  stop: StopReason;
  /** One line saying why it stopped (names the waiting actors on a deadlock). */
  message: string;
  /** Virtual time at the end, microseconds. */
  endUs: Micros;
  /** Events fired since the simulation was made. */
  events: number;
  /** Trace records written, header included. */
  records: number;
  /** 64-bit FNV-1a of the trace's JSONL lines, 16 hex digits. */
  digest: string;
  /** The final draw from the root stream (see Randomness.unseed), 16 hex digits. */
  unseed: string;
  /** Actors still alive at the end and what each waits on. */
  waiting: ActorWait[];
  /** Actors that ended with an exception. */
  failures: ActorFailure[];
}

/** The window of the trace's gauge records, µs. */
const GAUGE_WINDOW_US = 100_000;

/** How many microtask turns the run loop gives a resumed async actor before it yields to the host loop. */
const MICROTASK_TURNS = 64;
/** Microtask turns after each event while an actor awaits a foreign promise (enough for a plain resolve chain). */
const FOREIGN_TURNS = 8;
/** Microtask turns after every event once async actors exist: an await of a resolved plain promise takes one to three. */
const NUDGE_TURNS = 3;

export class Simulation {
  readonly scheduler = new Scheduler();
  readonly random: Randomness;
  readonly trace: Trace;
  readonly metrics: Metrics;
  readonly scenario: string;
  /** @internal Async actors resumed whose continuation has not yet blocked again or finished. */
  runningActors = 0;
  /** @internal Async actors awaiting a promise the simulator did not create. */
  foreignActors = 0;
  /** @internal Actors that have run async code (an async main or a task): plain promises may resume them. */
  asyncActors = 0;
  private readonly hosts = new Map<string, Host>();
  private readonly actors = new Map<string, Actor>();
  private readonly failures: ActorFailure[] = [];
  private readonly endListeners: ((actor: Actor, state: ActorState) => void)[] = [];
  private readonly hostListeners: ((host: Host, event: HostEvent) => void)[] = [];
  private readonly serviceFactories = new Map<string, (actor: Actor) => unknown>();
  private readonly messageLatency: Distribution;
  private messageSeq = 0;
  private running = false;
  /** The real-world traps of the run under way (real-world-guard.ts); null between runs. */
  private guard: GuardSession | null = null;

  /** How much the trace holds (SimulationOptions.traceDetail). */
  readonly traceDetail: TraceDetail;
  /** drain() was called: load generators start no new work (what is under way finishes). */
  draining = false;

  constructor(options: SimulationOptions) {
    this.random = new Randomness(options.seed);
    this.traceDetail = options.traceDetail ?? 'full';
    this.scenario = options.scenario ?? 'custom';
    this.trace = new Trace(options.sinks);
    this.metrics = new Metrics(() => this.scheduler.now, options.gaugeExactSteps);
    // A full trace carries each gauge's extremes per 100 ms, so a trace file alone can draw pools and queues.
    if (this.traceDetail === 'full') {
      this.metrics.windows = { windowUs: GAUGE_WINDOW_US, write: (w) => this.trace.write({ t: this.now, kind: 'gauge', fields: w as unknown as Fields }) };
    }
    this.messageLatency = distribution(options.messageLatency ?? fdbLatency, 'messageLatency');
    this.trace.write({
      t: 0,
      kind: 'header',
      fields: {
        faultline: FAULTLINE_VERSION,
        seed: options.seed,
        scenario: this.scenario,
        params: options.params ?? {},
        faults: options.faults ?? [],
        // Only when not the default, so full traces keep the header (and digest) they always had.
        traceDetail: this.traceDetail === 'full' ? undefined : this.traceDetail,
      },
    });
  }

  /** From now on no load generator starts new work; requests under way go on to their end (a run's drain phase). */
  drain(): void {
    if (this.draining) return;
    this.draining = true;
    this.trace.write({ t: this.now, kind: 'sim.drain' });
  }

  /** Current virtual time, microseconds. */
  get now(): Micros {
    return this.scheduler.now;
  }

  /** The host of this name, made on first use. */
  host(name: string): Host {
    let h = this.hosts.get(name);
    if (h === undefined) {
      if (!/^[A-Za-z0-9_.-]+$/.test(name)) throw new SimError('ERR_NAME', `host name '${name}': use letters, digits, '_', '.', '-'`);
      h = new Host(this, name);
      this.hosts.set(name, h);
      this.trace.write({ t: this.now, kind: 'host.add', host: name });
    }
    return h;
  }

  /** The actor at 'host/actor', if any. */
  actor(address: string): Actor | undefined {
    return this.actors.get(address);
  }

  /** Runs `fn` at virtual time `time`. An exception from it ends run() with that exception. */
  at(time: Duration, fn: () => void): Timer<() => void> {
    return this.scheduler.at(parseDuration(time, 'at'), callThunk, fn);
  }

  /** Runs `fn` after `delay`. */
  after(delay: Duration, fn: () => void): Timer<() => void> {
    return this.scheduler.after(parseDuration(delay, 'after'), callThunk, fn);
  }

  /** Calls `listener` whenever an actor ends, however it ended (the network closes its sockets). */
  onActorEnd(listener: (actor: Actor, state: ActorState) => void): void {
    this.endListeners.push(listener);
  }

  /** Calls `listener` after each host event (crash, kill, stop, pause, resume, restart). */
  onHostEvent(listener: (host: Host, event: HostEvent) => void): void {
    this.hostListeners.push(listener);
  }

  /** Registers the factory behind ActorContext.service(name): one instance per actor incarnation. */
  provide(name: string, factory: (actor: Actor) => unknown): void {
    if (this.serviceFactories.has(name)) throw new SimError('ERR_SERVICE', `service '${name}' is already provided`);
    this.serviceFactories.set(name, factory);
  }

  /** True when a factory is registered under `name` (a World provides 'requests' and 'pools', a Network 'net'). */
  provides(name: string): boolean {
    return this.serviceFactories.has(name);
  }

  /** Hosts in creation order. */
  hostList(): Host[] {
    return [...this.hosts.values()];
  }

  /**
   * Fires events in (time, sequence) order until nothing can happen, the `until` time is passed, or
   * `maxEvents` have fired. Resumed async actors run to their next wait before the next event fires.
   * May be called again to go on from where the last call stopped.
   */
  async run(options: RunOptions = {}): Promise<RunResult> {
    if (this.running) throw new SimError('ERR_RUNNING', 'run() called while this simulation is already running');
    const untilUs = options.until === undefined ? Infinity : parseDuration(options.until, 'until');
    const maxEvents = options.maxEvents ?? Infinity;
    if (!(maxEvents >= 0) || (maxEvents !== Infinity && !Number.isSafeInteger(maxEvents))) {
      throw new SimError('ERR_ARG', `maxEvents: expected a non-negative integer, got ${maxEvents}`);
    }
    const progress = options.progress;
    if (progress !== undefined && !(Number.isSafeInteger(progress.everyEvents) && progress.everyEvents > 0)) {
      throw new SimError('ERR_ARG', `progress.everyEvents: expected a positive integer, got ${progress.everyEvents}`);
    }
    this.running = true;
    // Math.random, the real clock and real timers throw from here until the run returns or throws.
    const guard = (this.guard = enterRun());
    try {
      const scheduler = this.scheduler;
      let fired = 0;
      let stop: StopReason;
      // A countdown rather than a modulo on the hot path; Infinity without a hook.
      let untilProgress = progress?.everyEvents ?? Infinity;
      if (this.runningActors > 0) await this.settle();
      for (;;) {
        // Code that caught the trap's throw (an actor's try/catch, a retry loop) does not hide it: the run ends.
        if (guard.tripped) throw guard.tripped;
        if (fired >= maxEvents) {
          stop = 'maxEvents';
          break;
        }
        if (!scheduler.fireNext(untilUs)) {
          if (scheduler.pendingCount > 0) {
            scheduler.advanceTo(untilUs);
            stop = 'until';
          } else {
            stop = this.stuckActors().length > 0 ? 'deadlock' : 'idle';
          }
          break;
        }
        fired++;
        if (this.runningActors > 0 || this.foreignActors > 0) await this.settle();
        else if (this.asyncActors > 0) await this.nudge();
        if (--untilProgress === 0) {
          untilProgress = progress!.everyEvents;
          outsideRunSync(guard, () => progress!.report());
        }
      }
      if (guard.tripped) throw guard.tripped;
      return this.finish(stop);
    } finally {
      leaveRun(guard);
      this.guard = null;
      this.running = false;
    }
  }

  /** @internal */
  contextFor(actor: Actor, incarnation: number): ActorContext {
    return new ActorContext(actor, incarnation, this);
  }

  /** @internal */
  makeService(name: string, actor: Actor): unknown {
    const factory = this.serviceFactories.get(name);
    if (!factory) {
      const hint = name === 'net' ? ': make a Network for it' : name === 'requests' || name === 'pools' ? ': make the simulation with a World' : '';
      throw new SimError('ERR_SERVICE', `no service '${name}' in this simulation${hint} (provided: ${[...this.serviceFactories.keys()].join(', ') || 'none'})`);
    }
    return factory(actor);
  }

  /** @internal */
  noteHostEvent(host: Host, event: HostEvent): void {
    for (const listener of this.hostListeners) listener(host, event);
  }

  /** @internal */
  registerActor(actor: Actor): void {
    this.actors.set(actor.address, actor);
  }

  /** @internal */
  noteFailure(actor: Actor, error: string): void {
    this.failures.push({ actor: actor.address, atUs: this.now, error });
  }

  /** @internal */
  noteActorEnd(actor: Actor, state: ActorState): void {
    for (const listener of this.endListeners) listener(actor, state);
  }

  /** @internal */
  sendMessage(from: Actor, to: string, payload: JsonValue, latency: Distribution | DistributionSpec | undefined): void {
    const dist = latency === undefined ? this.messageLatency : toDistribution(latency, 'latency');
    const delayUs = dist.sample(this.random.stream(`msg/${from.address}->${to}`));
    const message: Message = { id: ++this.messageSeq, from: from.address, to, payload, sentAtUs: this.now };
    this.trace.write({ t: this.now, kind: 'msg.send', host: from.hostName, actor: from.name, fields: { id: message.id, to, latencyUs: delayUs, payload } });
    this.scheduler.after(delayUs, arrive, { sim: this, message });
  }

  /** @internal */
  arriveMessage(message: Message): void {
    const target = this.actors.get(message.to);
    const [host, actor] = splitAddress(message.to);
    if (target === undefined || !target.alive) {
      const reason = target === undefined ? 'no such actor' : `actor ${target.state}`;
      this.trace.write({ t: this.now, kind: 'msg.drop', host, actor, fields: { id: message.id, from: message.from, reason } });
      return;
    }
    this.trace.write({ t: this.now, kind: 'msg.recv', host, actor, fields: { id: message.id, from: message.from } });
    deliver(target, message);
  }

  /** Non-daemon actors that are alive: on an empty queue, each is stuck for good. */
  private stuckActors(): Actor[] {
    return [...this.actors.values()].filter((a) => a.alive && !a.daemon);
  }

  /**
   * A few microtask turns after an event, so that async code awaiting a plain promise the event resolved
   * (`await new Promise((r) => socket.once('data', r))`) resumes at this virtual time, as it would in Node.
   * If that wakes an actor, the full settle takes over.
   */
  private async nudge(): Promise<void> {
    for (let i = 0; i < NUDGE_TURNS; i++) {
      await undefined;
      if (this.runningActors > 0 || this.foreignActors > 0) {
        await this.settle();
        return;
      }
    }
  }

  /**
   * Lets resumed async actors run until each waits on the simulator again or finishes. While some actor
   * awaits a promise the simulator did not make (a plain Promise resolved from an event handler, say), every
   * event is followed by microtask turns too, so such an actor resumes at (or close to) the time its promise
   * settled rather than whenever the loop next yields.
   */
  private async settle(): Promise<void> {
    let turns = 0;
    if (this.runningActors === 0) {
      for (let i = 0; i < FOREIGN_TURNS && this.runningActors === 0; i++) await undefined;
    }
    while (this.runningActors > 0) {
      if (turns < MICROTASK_TURNS) {
        turns++;
        await undefined;
      } else if (turns === MICROTASK_TURNS) {
        turns++;
        // The host loop runs its own code in this gap (a test runner's timers, a worker's messages): no traps.
        await (this.guard ? outsideRun(this.guard, yieldToHost) : yieldToHost());
      } else {
        // The microtask queue is empty and these actors have not come back: they await a promise that only
        // something outside the simulator's knowledge can settle.
        for (const actor of this.actors.values()) {
          if (actor.phase !== 'running') continue;
          actor.setPhase('foreign');
          actor.endIfNothingLeft();
        }
      }
    }
  }

  private finish(stop: StopReason): RunResult {
    this.metrics.flushWindows();
    const waiting: ActorWait[] = [];
    for (const a of this.actors.values()) if (a.alive) waiting.push({ actor: a.address, daemon: a.daemon, on: a.waitingOn() });
    const at = `${formatTimestamp(this.now)}s`;
    let message: string;
    switch (stop) {
      case 'deadlock': {
        const stuck = waiting.filter((w) => !w.daemon).map((w) => `${w.actor} waits on ${w.on.join(', ')}`);
        message = `deadlock at ${at}: nothing is scheduled and ${stuck.join('; ')}`;
        break;
      }
      case 'idle':
        message = `idle at ${at}: nothing left to do`;
        break;
      case 'until':
        message = `stopped at ${at} (until)`;
        break;
      case 'maxEvents':
        message = `stopped at ${at} after maxEvents`;
        break;
    }
    this.trace.write({
      t: this.now,
      kind: 'run.stop',
      fields: { reason: stop, events: this.scheduler.firedCount, stuck: stop === 'deadlock' ? waiting.filter((w) => !w.daemon).map((w) => w.actor) : undefined },
    });
    return {
      scenario: this.scenario,
      seed: this.random.seed,
      stop,
      message,
      endUs: this.now,
      events: this.scheduler.firedCount,
      records: this.trace.count,
      digest: this.trace.digestHex(),
      unseed: this.random.unseed(this.now),
      waiting,
      failures: [...this.failures],
    };
  }
}

function callThunk(fn: () => void): void {
  fn();
}

function arrive(arg: { sim: Simulation; message: Message }): void {
  arg.sim.arriveMessage(arg.message);
}

function splitAddress(address: string): [string, string | undefined] {
  const slash = address.indexOf('/');
  return slash < 0 ? [address, undefined] : [address.slice(0, slash), address.slice(slash + 1)];
}
